"""GUM (JCGM 100:2008) and JCGM 101:2008 worked examples through doluong.metrology.uncertainty."""

import math

import pytest

from doluong.metrology import InputError
from doluong.metrology import uncertainty as un

# GUM H.1 end-gauge calibration, lengths in nm, inputs exactly as GUM H.1 Table H.1 states them.
H1_MODEL = "ls + d0 + d1 + d2 - ls*(da*(thb + Dl) + als*dth)"
H1_INPUTS = {
    "ls": {"value": 50000623.0, "U": 75, "k": 3, "dof": 18},  # certificate: U = 0.075 um, k = 3
    "d0": {"value": 215, "u": 5.8, "dof": 24},  # repeated observations
    "d1": {"value": 0, "u": 3.9, "dof": 5},  # random effects of comparator
    "d2": {"value": 0, "u": 6.7, "dof": 8},  # systematic effects of comparator
    "als": {"value": 11.5e-6, "distribution": "rectangular", "half_width": 2e-6},
    "da": {"value": 0, "distribution": "rectangular", "half_width": 1e-6, "dof": 50},
    "dth": {"value": 0, "distribution": "rectangular", "half_width": 0.05, "dof": 2},
    "thb": {"value": -0.1, "u": 0.2},
    "Dl": {"value": 0, "distribution": "arcsine", "half_width": 0.5},
}


def test_gum_h1_end_gauge_99_percent():
    r = un.gum(H1_MODEL, H1_INPUTS, coverage_probability=0.99)
    assert r["value"] == pytest.approx(50000838, abs=0.5)  # l = 50.000 838 mm
    assert round(r["u"]) == 32  # u_c = 32 nm
    assert math.floor(r["dof"]) == 16  # nu_eff = 16 (16.7 before truncation)
    assert r["dof_for_k"] == 16
    assert r["k"] == pytest.approx(2.92, abs=0.005)  # t_99(16) = 2.92
    assert r["U"] == pytest.approx(93, abs=1)  # U_99 = 93 nm
    by = {b["name"]: b for b in r["budget"]}
    assert by["ls"]["contribution"] == pytest.approx(25, abs=0.05)
    assert by["da"]["contribution"] == pytest.approx(2.9, abs=0.05)  # c = -l_s*theta
    assert by["dth"]["contribution"] == pytest.approx(16.6, abs=0.05)  # c = -l_s*alpha_s
    assert by["dth"]["sensitivity"] < 0
    assert by["thb"]["contribution"] == 0 and by["als"]["contribution"] == 0  # first order: c = 0


def test_gum_h1_95_percent_k():
    r = un.gum(H1_MODEL, H1_INPUTS)
    assert r["k"] == pytest.approx(2.12, abs=0.005)  # t_95(16)
    assert r["U"] == pytest.approx(2.12 * r["u"], rel=1e-3)


def test_gum_h1_fractional_dof_option():
    r = un.gum(H1_MODEL, H1_INPUTS, truncate_dof=False)
    assert r["dof_for_k"] == pytest.approx(r["dof"])
    assert r["k"] < 2.12


H2_INPUTS = {
    "V": {"value": 4.9990, "u": 0.0032},
    "I": {"value": 19.661e-3, "u": 9.5e-6},
    "phi": {"value": 1.04446, "u": 7.5e-4},
}
H2_CORR = [["V", "I", -0.36], ["V", "phi", 0.86], ["I", "phi", -0.65]]


@pytest.mark.parametrize(
    ("model", "value", "u"),
    [("V/I*cos(phi)", 127.732, 0.071), ("V/I*sin(phi)", 219.847, 0.295), ("V/I", 254.260, 0.236)],
)
def test_gum_h2_correlated_inputs(model, value, u):
    # GUM H.2 Table H.3 (approach 1); GUM's own round-off makes the u agree to about 0.002 ohm.
    r = un.gum(model, H2_INPUTS, H2_CORR)
    assert r["value"] == pytest.approx(value, abs=0.001)
    assert r["u"] == pytest.approx(u, abs=0.002)


def test_gum_h2_correlated_ensemble_with_dof():
    inputs = {k: {**v, "dof": 4} for k, v in H2_INPUTS.items()}  # five sets of observations
    r = un.gum("V/I*cos(phi)", inputs, H2_CORR)
    assert r["dof"] == pytest.approx(4)
    assert r["k"] == pytest.approx(2.776, abs=0.001)


def test_correlated_different_dof_is_rejected():
    inputs = {"a": {"value": 1, "u": 0.1, "dof": 4}, "b": {"value": 1, "u": 0.1, "dof": 9}}
    with pytest.raises(InputError, match="correlations"):
        un.gum("a+b", inputs, [["a", "b", 0.5]])


def test_full_correlation_adds_linearly():
    r = un.gum("a+b", {"a": {"value": 1, "u": 0.3}, "b": {"value": 2, "u": 0.4}}, [["a", "b", 1]])
    assert r["u"] == pytest.approx(0.7)


# EA-4/02 M:2022 (and M:1999) example S2: calibration of a weight of nominal value 10 kg (values in g).
EA_S2 = {
    "mS": {"value": 10000.005, "U": 0.045, "k": 2},
    "dD": {"value": 0.0, "distribution": "rectangular", "half_width": 0.015},
    "dm": {"readings": [0.010, 0.030, 0.020]},
    "dC": {"value": 0.0, "distribution": "rectangular", "half_width": 0.010},
    "dB": {"value": 0.0, "distribution": "rectangular", "half_width": 0.010},
}


def test_ea_4_02_s2_weight_10kg():
    inputs = {**EA_S2, "dm": {"value": 0.020, "u": 0.025 / math.sqrt(3)}}  # pooled s(dm) = 25 mg, n = 3
    r = un.gum("mS + dD + dm + dC + dB", inputs, k=2)
    assert r["value"] == pytest.approx(10000.025, abs=1e-9)
    assert r["u"] * 1000 == pytest.approx(29.3, abs=0.05)  # u(m_X) = 29.3 mg
    assert round(r["U"] * 1000) == 59  # U = 59 mg
    by = {b["name"]: b["contribution"] * 1000 for b in r["budget"]}
    assert by == pytest.approx({"mS": 22.5, "dD": 8.66, "dm": 14.4, "dC": 5.77, "dB": 5.77}, abs=0.05)
    assert r["coverage_probability"] == pytest.approx(0.9545, abs=1e-4)


def test_type_a_readings():
    q = un.input_quantity("x", {"readings": [0.010, 0.030, 0.020]})
    assert q.value == pytest.approx(0.020)
    assert q.u == pytest.approx(0.01 / math.sqrt(3))
    assert q.dof == 2 and q.kind == "A"


@pytest.mark.parametrize(
    ("spec", "u"),
    [
        ({"value": 0, "u": 0.5}, 0.5),
        ({"value": 0, "U": 1.0, "k": 2}, 0.5),
        ({"value": 0, "U": 1.96, "confidence": 0.95}, 1.0),  # normal quantile
        ({"value": 0, "U": 2.228, "confidence": 0.95, "dof": 10}, 1.0),  # t_95(10) = 2.228
        ({"value": 0, "U": 2.576, "confidence": 99}, 1.0),  # percent accepted
        ({"value": 0, "distribution": "rectangular", "half_width": math.sqrt(3)}, 1.0),
        ({"value": 0, "distribution": "triangular", "half_width": math.sqrt(6)}, 1.0),
        ({"value": 0, "distribution": "arcsine", "half_width": math.sqrt(2)}, 1.0),
    ],
)
def test_input_kinds(spec, u):
    assert un.input_quantity("x", spec).u == pytest.approx(u, rel=2e-4)


def test_coverage_factor():
    assert un.coverage_factor(math.inf, 0.95) == pytest.approx(1.96, abs=0.001)
    assert un.coverage_factor(16.75, 0.95) == pytest.approx(2.12, abs=0.001)
    from scipy.stats import t

    assert un.coverage_factor(16.75, 0.95, truncate=False) == pytest.approx(t.ppf(0.975, 16.75))
    assert un.coverage_factor(10, 0.9545) == pytest.approx(2.28, abs=0.005)  # GUM Table G.2


def test_budget_keeps_sensitivity_sign():
    r = un.gum("a - 3*b", {"a": {"value": 1, "u": 0.1}, "b": {"value": 1, "u": 0.1}})
    b = {x["name"]: x for x in r["budget"]}
    assert b["b"]["sensitivity"] == pytest.approx(-3)
    assert b["b"]["contribution"] == pytest.approx(0.3)


def test_functions_and_constants():
    r = un.gum("sqrt(x)*exp(0)*log(e) + abs(-x) - pi + atan2(x, x)*4/pi", {"x": {"value": 4, "u": 0.1}})
    assert r["value"] == pytest.approx(2 + 4 - math.pi + 1)
    assert r["budget"][0]["sensitivity"] == pytest.approx(1 / (2 * 2) + 1)


@pytest.mark.parametrize(
    ("model", "match"),
    [
        ("__import__('os').system('id')", "not allowed"),
        ("x.real", "Attribute"),
        ("x ^ 2", r"use \*\* for powers"),
        ("x if x else 1", "IfExp"),
        ("[x]", "List"),
        ("lambda: 1", "Lambda"),
        ("'a'", "constant"),
        ("sqrt(x, x)", "argument"),
        ("sqrt", "must be called"),
        ("y + 1", r"\['y'\]"),
        ("x +", "syntax"),
        ("", "non-empty"),
        ("x // 2", "FloorDiv"),
        ("x < 2", "Compare"),
        ("sqrt(x=1)", "positional"),
    ],
)
def test_unsafe_or_bad_models_rejected(model, match):
    with pytest.raises(InputError, match=match):
        un.gum(model, {"x": {"value": 1, "u": 0.1}})


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"u": 1}, "value"),
        ({"value": 1}, "give 'u'"),
        ({"value": 1, "u": -1}, "non-negative"),
        ({"value": 1, "U": 1}, "coverage factor"),
        ({"value": 1, "u": 1, "dof": 0}, "dof"),
        ({"value": 1, "distribution": "rectangular"}, "half_width"),
        ({"value": 1, "distribution": "cauchy", "half_width": 1}, "distribution"),
        ({"readings": [1]}, "at least 2"),
        ({"value": 1, "uu": 1}, "unknown key"),
        ({"value": "abc", "u": 1}, "number"),
        ({"value": 1, "U": 1, "confidence": 1.5}, "probability"),
    ],
)
def test_bad_inputs_rejected(spec, match):
    with pytest.raises(InputError, match=match):
        un.gum("x", {"x": spec})


def test_reserved_and_invalid_names():
    with pytest.raises(InputError, match="reserved"):
        un.gum("pi", {"pi": {"value": 1, "u": 1}})
    with pytest.raises(InputError, match="identifier"):
        un.gum("x", {"x y": {"value": 1, "u": 1}})


def test_division_by_zero_reported():
    with pytest.raises(InputError, match="division by zero"):
        un.gum("1/x", {"x": {"value": 0, "u": 0.1}})


def test_dof_infinite_when_all_inputs_normal():
    r = un.gum("a*b", {"a": {"value": 2, "u": 0.1}, "b": {"value": 3, "u": 0.1}})
    assert math.isinf(r["dof"])
    assert r["k"] == pytest.approx(1.96, abs=0.001)


# JCGM 101:2008 section 9.2: additive model Y = X1 + X2 + X3 + X4.
def test_jcgm101_9_2_2_normal_inputs():
    inputs = {f"X{i}": {"value": 0, "u": 1} for i in range(1, 5)}
    r = un.monte_carlo("X1 + X2 + X3 + X4", inputs, trials=1_000_000, seed=1)
    assert r["value"] == pytest.approx(0, abs=0.01)
    assert r["u"] == pytest.approx(2.00, abs=0.01)
    assert r["interval"] == pytest.approx([-3.92, 3.92], abs=0.02)  # Table 2
    assert r["gum"]["interval"] == pytest.approx([-3.92, 3.92], abs=0.005)


def test_jcgm101_9_2_3_rectangular_inputs():
    a = math.sqrt(3)  # rectangular with standard deviation 1
    inputs = {f"X{i}": {"value": 0, "distribution": "rectangular", "half_width": a} for i in range(1, 5)}
    r = un.monte_carlo("X1 + X2 + X3 + X4", inputs, trials=1_000_000, seed=2)
    assert r["u"] == pytest.approx(2.00, abs=0.01)
    assert r["interval"] == pytest.approx([-3.88, 3.88], abs=0.02)  # Table 3, MCM
    assert r["gum"]["interval"] == pytest.approx([-3.92, 3.92], abs=0.005)  # Table 3, GUF


def test_jcgm101_9_2_4_one_dominant_rectangular():
    a = math.sqrt(3)
    inputs = {f"X{i}": {"value": 0, "distribution": "rectangular", "half_width": a} for i in range(1, 4)}
    inputs["X4"] = {"value": 0, "distribution": "rectangular", "half_width": 10 * a}
    r = un.monte_carlo("X1 + X2 + X3 + X4", inputs, trials=1_000_000, seed=3)
    assert r["gum"]["u"] == pytest.approx(10.15, abs=0.005)
    assert r["gum"]["interval"] == pytest.approx([-19.9, 19.9], abs=0.01)  # GUF (Table 4)
    assert r["u"] == pytest.approx(10.15, abs=0.02)
    # MCM interval is much shorter than the GUF one (nearly rectangular output)
    assert 16.4 < r["interval"][1] < 17.7 and r["interval"][0] == pytest.approx(-r["interval"][1], abs=0.05)


def test_jcgm101_9_3_mass_calibration():
    # JCGM 101 9.3: delta m in mg, air density etc. rectangular; the GUF (first order) u = 0.0539 mg.
    inputs = {
        "mRc": {"value": 100000.000, "u": 0.050},
        "dmRc": {"value": 1.234, "u": 0.020},
        "ra": {"value": 1.20, "distribution": "rectangular", "half_width": 0.10},
        "rw": {"value": 8000, "distribution": "rectangular", "half_width": 1000},
        "rR": {"value": 8000, "distribution": "rectangular", "half_width": 50},
    }
    model = "(mRc + dmRc)*(1 + (ra - 1.2)*(1/rw - 1/rR)) - 100000"
    r = un.monte_carlo(model, inputs, trials=1_000_000, seed=4)
    assert r["gum"]["value"] == pytest.approx(1.2340, abs=1e-6)
    assert r["gum"]["u"] == pytest.approx(0.0539, abs=0.00005)
    # exact second-moment reference computed independently (not the published MCM figure, see docs):
    var_ra = 0.1**2 / 3
    e_inv_w = math.log(9 / 7) / 2000
    var_inv_w = (1 / 7000 - 1 / 9000) / 2000 - e_inv_w**2
    var_inv_r = (1 / 7950 - 1 / 8050) / 100 - (math.log(8050 / 7950) / 100) ** 2
    mean_diff = e_inv_w - math.log(8050 / 7950) / 100
    u_exact = math.sqrt(0.05**2 + 0.02**2 + 1e10 * var_ra * (var_inv_w + var_inv_r + mean_diff**2))
    assert r["u"] == pytest.approx(u_exact, rel=0.01)
    assert r["value"] == pytest.approx(1.2340, abs=0.0005)


def test_monte_carlo_reproducible_and_seeded():
    inputs = {"a": {"value": 1, "u": 0.1}, "b": {"readings": [1.0, 1.1, 0.9, 1.05]}}
    r1 = un.monte_carlo("a*b", inputs, trials=20000, seed=42)
    r2 = un.monte_carlo("a*b", inputs, trials=20000, seed=42)
    r3 = un.monte_carlo("a*b", inputs, trials=20000, seed=43)
    assert r1 == r2
    assert r1["value"] != r3["value"]
    assert r1["dof"] is None
    assert r1["k"] == pytest.approx(r1["U"] / r1["u"])


def test_monte_carlo_correlated_gaussian():
    inputs = {"a": {"value": 0, "u": 1}, "b": {"value": 0, "u": 1}}
    r = un.monte_carlo("a + b", inputs, [["a", "b", 0.5]], trials=400_000, seed=5)
    assert r["u"] == pytest.approx(math.sqrt(3), rel=0.01)


def test_monte_carlo_errors():
    with pytest.raises(InputError, match="trials"):
        un.monte_carlo("x", {"x": {"value": 1, "u": 1}}, trials=10)
    with pytest.raises(InputError, match="non-finite"):
        un.monte_carlo("sqrt(x)", {"x": {"value": 0, "u": 1}}, trials=2000, seed=1)
    with pytest.raises(InputError, match="Gaussian"):
        un.monte_carlo(
            "x+y",
            {"x": {"value": 0, "distribution": "rectangular", "half_width": 1}, "y": {"value": 0, "u": 1}},
            [["x", "y", 0.3]],
            trials=2000,
        )
    with pytest.raises(InputError, match="positive semi-definite"):
        un.monte_carlo(
            "x+y+z",
            {n: {"value": 0, "u": 1} for n in "xyz"},
            [["x", "y", 0.9], ["x", "z", 0.9], ["y", "z", -0.9]],
            trials=2000,
        )


def test_coverage_interval_index_rule():
    import numpy as np

    y = np.arange(1, 1001, dtype=float)  # M = 1000, p = 0.95: q = 950, r = 25 -> [y(25), y(975)]
    assert un.coverage_interval_symmetric(y, 0.95) == (25.0, 975.0)
    assert un.coverage_interval_shortest(y, 0.95)[1] - un.coverage_interval_shortest(y, 0.95)[0] == 950
