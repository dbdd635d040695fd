"""The JSON front end, through ``python -m doluong.metrology.calc KIND`` and ``calc.run``/``calc.main``."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from doluong.metrology import InputError, calc

SRC = str(Path(__file__).resolve().parents[2] / "src")


def cli(kind, payload, raw=None):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    data = raw if raw is not None else json.dumps(payload)
    args = [sys.executable, "-m", "doluong.metrology.calc"] + ([kind] if kind else [])
    p = subprocess.run(args, input=data, capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, json.loads(p.stdout)


def test_cli_uncertainty_gum_h1_with_inf_dof_string():
    payload = {
        "model": "ls + d - ls*(da*theta + als*dth)",
        "inputs": {
            "ls": {"value": 50000623, "U": 75, "k": 3, "dof": 18},
            "d": {"value": 215, "u": 9.7, "dof": 25.6},
            "als": {"value": 11.5e-6, "u": 1.2e-6},
            "da": {"value": 0, "u": 0.58e-6, "dof": 50},
            "theta": {"value": -0.1, "u": 0.41, "dof": "inf"},
            "dth": {"value": 0, "u": 0.029, "dof": 2},
        },
        "coverage_probability": 0.99,
    }
    code, out = cli("uncertainty", payload)
    assert code == 0
    assert round(out["u"]) == 32 and int(out["dof"]) == 16
    assert out["k"] == pytest.approx(2.92, abs=0.005) and out["U"] == pytest.approx(93, abs=1)
    assert set(out["budget"][0]) >= {"name", "value", "u", "sensitivity", "contribution", "dof"}
    assert {b["name"]: b["dof"] for b in out["budget"]}["als"] == "inf"
    assert out["interval"] == pytest.approx([out["value"] - out["U"], out["value"] + out["U"]])


def test_cli_uncertainty_dof_inf_output():
    code, out = cli(
        "uncertainty",
        {"model": "a+b", "inputs": {"a": {"value": 1, "u": 0.1}, "b": {"value": 2, "u": 0.1}}, "k": 2},
    )
    assert code == 0 and out["dof"] == "inf" and out["k"] == 2 and out["U"] == pytest.approx(0.2 * 2**0.5)


def test_cli_monte_carlo():
    payload = {
        "model": "X1+X2",
        "inputs": {"X1": {"value": 0, "u": 1}, "X2": {"value": 0, "u": 1}},
        "method": "monte-carlo",
        "trials": 100000,
        "seed": 7,
    }
    code, out = cli("uncertainty", payload)
    assert code == 0 and out["method"] == "monte-carlo"
    assert out["u"] == pytest.approx(2**0.5, rel=0.01)
    _code2, out2 = cli("uncertainty", payload)
    assert out2 == out


def test_cli_prepackages():
    code, out = cli(
        "prepackages",
        {
            "scheme": "OIML-R87:2016",
            "nominal": 0.5,
            "unit": "kg",
            "lot_size": 300,
            "actual": [0.505] * 47 + [0.484] * 3,
        },
    )
    assert code == 0
    assert out["T"] == pytest.approx(0.015) and out["sample_size_required"] == 50
    assert out["accepted"] is True and out["t1_count"] == 3 and out["t1_allowed"] == 3
    for key in ("mean", "s", "mean_limit", "mean_ok", "t1_ok", "t2_count", "t2_ok", "reasons", "reasons_vi"):
        assert key in out


def test_cli_mpe():
    code, out = cli(
        "mpe",
        {
            "rule": "OIML-R76",
            "class": "III",
            "unit": "g",
            "e": 5,
            "stage": "in-service",
            "points": [{"reference": 2500, "indication": 2504.9}],
        },
    )
    assert code == 0 and out["points"][0]["mpe"] == 5 and out["ok"] is True
    assert out["points"][0]["error"] == pytest.approx(4.9)


def test_cli_decide():
    code, out = cli("decide", {"value": 10.25, "U": 0.1, "upper": 10.3, "lower": 9.7, "rule": "non-binary"})
    assert code == 0 and out["decision"] == "conditional-pass"
    assert out["acceptance_limits"] == [9.8, 10.2]
    code, out = cli("decide", {"value": 10.25, "upper": 10.3})
    assert out["decision"] == "pass" and out["acceptance_limits"] == [None, 10.3]


def test_cli_linefit_and_interval():
    code, out = cli("linefit", {"x": [1, 2, 3, 4], "y": [2.1, 3.9, 6.1, 7.9], "predict_at": [5]})
    assert code == 0 and out["dof"] == 2 and out["predictions"][0]["x"] == 5
    code, out = cli(
        "interval",
        {
            "current_interval": 12,
            "history": ["in", "in", "in"],
            "policy": {"extend_factor": 1.25, "consecutive_in_to_extend": 3},
        },
    )
    assert code == 0 and out["interval"] == 15 and out["action"] == "extend"


@pytest.mark.parametrize(
    ("kind", "raw", "needle"),
    [
        ("uncertainty", "{not json", "invalid JSON"),
        ("uncertainty", "[1, 2]", "JSON object"),
        ("uncertainty", '{"model": "x", "inputs": {"x": {"value": NaN, "u": 1}}}', "NaN"),
        ("uncertainty", '{"model": "os.system(1)", "inputs": {"x": {"value": 1, "u": 1}}}', "model"),
        ("uncertainty", '{"inputs": {"x": {"value": 1, "u": 1}}}', "model: is required"),
        ("uncertainty", '{"model": "x", "inputs": {"x": {"value": 1, "u": 1}}, "method": "bayes"}', "method"),
        ("prepackages", '{"nominal": 500, "unit": "g", "lot_size": 10}', "actual: is required"),
        (
            "prepackages",
            '{"nominal": 500, "unit": "g", "lot_size": 10, "actual": [1], "colour": 1}',
            "colour",
        ),
        (
            "mpe",
            '{"rule": "OIML-R76", "class": "III", "unit": "g", '
            '"points": [{"reference": 1, "indication": 1}]}',
            "'e'",
        ),
        ("mpe", '{"rule": "NOPE", "class": "III", "unit": "g", "points": []}', "unknown MPE rule"),
        ("decide", '{"value": 1, "upper": 2, "rule": "guard-band"}', "U: is required"),
        ("linefit", '{"x": [1, 2, 3]}', "y: is required"),
        ("interval", '{"current_interval": 12, "history": "in"}', "history"),
        ("sideways", "{}", "kind"),
        (None, "{}", "usage"),
    ],
)
def test_cli_errors_exit_2(kind, raw, needle):
    code, out = cli(kind, None, raw=raw)
    assert code == 2
    assert set(out) == {"error"} and needle in out["error"]


def test_main_in_process(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"value": 1, "upper": 2}'))
    assert calc.main(["decide"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "pass"
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"value": 3, "upper": 2, "lower": 4}'))
    assert calc.main(["decide"]) == 2
    assert "lower" in json.loads(capsys.readouterr().out)["error"]


def test_run_returns_json_safe():
    out = calc.run("uncertainty", {"model": "x", "inputs": {"x": {"readings": [1, 2, 3]}}})
    json.dumps(out, allow_nan=False)
    assert out["dof"] == 2


def test_no_django_or_doluong_imports_in_metrology():
    pkg = Path(SRC) / "doluong" / "metrology"
    for path in pkg.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "django" not in text.lower().replace("no django", ""), path
        for line in text.splitlines():
            s = line.strip()
            if s.startswith(("import ", "from ")) and "doluong" in s:
                assert s.startswith("from doluong.metrology") or "metrology" in s, (path, s)


def test_running_calc_does_not_load_django():
    env = {**os.environ, "PYTHONPATH": SRC}
    code = (
        "import sys, io, json; sys.stdin = io.StringIO(json.dumps({'value': 1, 'upper': 2}));"
        "from doluong.metrology import calc; calc.main(['decide']);"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django imported'"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("prepackages", {"scheme": [], "nominal": 500, "lot_size": 20, "actual": [500] * 10}),
        ("prepackages", {"plan": {}, "nominal": 500, "lot_size": 20, "actual": [500] * 10}),
        ("mpe", {"rule": [1], "class": "III", "unit": "g", "points": [{"reference": 1, "indication": 1}]}),
        (
            "mpe",
            {
                "rule": "OIML-R76",
                "class": "III",
                "unit": "g",
                "e": 1,
                "stage": [1],
                "points": [{"reference": 1, "indication": 1}],
            },
        ),
        ("linefit", {"x": [1, 2, 3], "y": [1, 2, 4], "x0": 1e308}),
        ("linefit", {"x": [1, 2, 3], "y": [1, 2, 4], "predict_at": [1e308]}),
        ("uncertainty", {"model": "exp(a*1e5)", "inputs": {"a": {"value": 1, "u": 0.1}}}),
        ("uncertainty", {"model": "sqrt(-a)", "inputs": {"a": {"value": 1, "u": 0.1}}}),
    ],
)
def test_malformed_inputs_are_input_errors(kind, payload):
    with pytest.raises(InputError):
        calc.run(kind, payload)
