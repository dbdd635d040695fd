"""Prepackages: OIML R 87:2016 Table 1/2, Directive 76/211/EEC Annex II, Circular 21/2014 as data."""

from decimal import Decimal

import pytest

from doluong.metrology import InputError
from doluong.metrology import prepackages as pp

# R 87:2016 Table 1, every band (inside) and every breakpoint (both neighbours agree there).
T_CASES = [
    (5, "0.45"),
    (30, "2.7"),
    (50, "4.5"),
    (75, "4.5"),
    (100, "4.5"),
    (150, "6.75"),
    (200, "9"),
    (250, "9"),
    (300, "9"),
    (400, "12"),
    (500, "15"),
    (750, "15"),
    (1000, "15"),
    (5000, "75"),
    (10000, "150"),
    (12500, "150"),
    (15000, "150"),
    (20000, "200"),
    (50000, "500"),
]


@pytest.mark.parametrize(("qn", "t"), T_CASES)
def test_r87_t_table(qn, t):
    assert pp.tolerable_deficiency(qn, "g") == Decimal(t)
    assert pp.tolerable_deficiency(qn, "mL") == Decimal(t)


@pytest.mark.parametrize("qn", [50, 100, 200, 300, 500, 1000, 10000, 15000])
def test_r87_t_continuous_at_breakpoints(qn):
    eps = Decimal("0.000001")
    at = pp.tolerable_deficiency(qn)
    above = pp.tolerable_deficiency(Decimal(qn) + eps)
    assert abs(above - at) < Decimal("0.00001")


def test_t_in_callers_unit():
    assert pp.tolerable_deficiency(1.5, "kg") == Decimal("0.0225")  # 1.5 % of 1500 g = 22.5 g
    assert pp.tolerable_deficiency(0.5, "L") == Decimal("0.015")  # 15 mL
    assert pp.tolerable_deficiency(750, "ml") == Decimal("15")
    assert pp.tolerable_deficiency(25, "cL") == Decimal("0.9")  # 250 mL -> 9 mL


def test_eec_rounds_percentages_up_to_0_1():
    assert pp.tolerable_deficiency(150, "g", "EEC-76/211") == Decimal("6.8")  # 6.75 -> 6.8
    assert pp.tolerable_deficiency(25, "g", "EEC-76/211") == Decimal("2.3")  # 2.25 -> 2.3
    assert pp.tolerable_deficiency(400, "g", "EEC-76/211") == Decimal("12")
    assert pp.tolerable_deficiency(75, "g", "EEC-76/211") == Decimal("4.5")  # absolute value not rounded
    detail = pp.tolerable_deficiency_detail(150, "g", "EEC-76/211")
    assert detail["T_table"] == Decimal("6.75")


def test_scope_limits():
    with pytest.raises(InputError, match="above the scope"):
        pp.tolerable_deficiency(60, "kg")
    with pytest.raises(InputError, match="below the scope"):
        pp.tolerable_deficiency(4, "g", "EEC-76/211")
    with pytest.raises(InputError, match="mass or a volume"):
        pp.tolerable_deficiency(1, "m")
    with pytest.raises(InputError, match="unknown unit"):
        pp.tolerable_deficiency(1, "gallonzz")


@pytest.mark.parametrize(
    ("n", "lam"), [(10, 1.028), (13, 0.847), (50, 0.379), (80, 0.295), (125, 0.234), (30, 0.503), (20, 0.640)]
)
def test_lambda_formula_matches_tables(n, lam):
    assert pp.lambda_factor(n) == pytest.approx(lam, abs=0.0005)


@pytest.mark.parametrize(
    ("lot", "n", "ac"),
    [
        (1, 1, 0),
        (10, 10, 0),
        (11, 10, 0),
        (50, 10, 0),
        (51, 13, 1),
        (99, 13, 1),
        (100, 50, 3),
        (500, 50, 3),
        (501, 80, 5),
        (3200, 80, 5),
        (3201, 125, 7),
        (100000, 125, 7),
    ],
)
def test_r87_sampling_plan(lot, n, ac):
    sp = pp.sampling_plan(lot, "OIML-R87:2016")
    assert sp["sample_size_required"] == n
    assert sp["t1_allowed"] == ac


@pytest.mark.parametrize(
    ("lot", "plan", "n", "ac"),
    [
        (99, "single", 99, 4),
        (40, "single", 40, 2),
        (100, "single", 50, 3),
        (3200, "single", 80, 5),
        (3201, "single", 125, 7),
        (100, "destructive", 20, 1),
        (10**6, "destructive", 20, 1),
        (300, "double", 30, 1),
        (1000, "double", 50, 2),
        (5000, "double", 80, 3),
    ],
)
def test_eec_sampling_plans(lot, plan, n, ac):
    sp = pp.sampling_plan(lot, "EEC-76/211", plan=plan)
    assert sp["sample_size_required"] == n
    assert sp["t1_allowed"] == ac


def _lot(values, **kw):
    args = {"nominal": 500, "unit": "g", "lot_size": 300, "scheme": "OIML-R87:2016"}
    args.update(kw)
    return pp.evaluate_lot(actual=values, **args)


def test_lot_accepted():
    values = [500 + (i % 5) for i in range(50)]
    r = _lot(values)
    assert r["accepted"] is True and r["decision"] == "accepted"
    assert r["T"] == 15 and r["sample_size_required"] == 50
    assert r["lambda"] == Decimal("0.379") and r["lambda_source"] == "table"
    assert r["reasons"][0] == "Lot accepted" and r["reasons_vi"][0] == "Lô hàng đạt yêu cầu"


def test_t1_defective_boundary():
    # exactly Qn - T (485 g) is not a T1 defective; 484.99 is.
    values = [505.0] * 46 + [485.0] * 4
    r = _lot(values)
    assert r["t1_count"] == 0
    r = _lot([505.0] * 46 + [484.99] * 4)
    assert r["t1_count"] == 4 and r["t1_ok"] is False and r["accepted"] is False


def test_t1_allowed_count():
    r = _lot([505.0] * 47 + [484.0] * 3)
    assert r["t1_count"] == 3 and r["t1_ok"] is True


def test_t2_rejects_even_one():
    r = _lot([510.0] * 49 + [469.9])  # < Qn - 2T = 470
    assert r["t2_count"] == 1 and r["t2_ok"] is False and r["accepted"] is False
    r = _lot([510.0] * 49 + [470.0])
    assert r["t2_count"] == 0


def test_mean_requirement():
    values = [490.0, 510.0] * 25  # mean 500, s ~ 10.1
    r = _lot(values)
    assert r["mean_ok"] is True
    r = _lot([x - 5 for x in values])  # mean 495 < 500 - 0.379*10.1 = 496.17
    assert r["mean_ok"] is False and r["accepted"] is False
    assert any("NOT met" in s for s in r["reasons"])
    assert any("KHÔNG đạt" in s for s in r["reasons_vi"])


def test_small_lot_mean_of_all():
    r = _lot([499.9] * 5, lot_size=5)
    assert r["sample_size_required"] == 5 and r["lambda"] == 0 and r["mean_ok"] is False
    r = _lot([500.0] * 5, lot_size=5)
    assert r["accepted"] is True


def test_sample_too_small_is_not_accepted():
    r = _lot([505.0] * 20)
    assert r["sample_size_ok"] is False and r["accepted"] is False
    assert r["lambda_source"].startswith("formula")


def test_more_packages_than_lot_is_an_error():
    with pytest.raises(InputError, match="lot_size"):
        _lot([500.0] * 6, lot_size=5)


def test_eec_small_batch_5_percent():
    # N = 40: 100 % inspection, defectives <= 5 % of 40 = 2
    values = [505.0] * 38 + [484.0] * 2
    r = _lot(values, lot_size=40, scheme="EEC-76/211")
    assert r["t1_allowed"] == 2 and r["t1_ok"] is True and r["accepted"] is True
    r = _lot([505.0] * 37 + [484.0] * 3, lot_size=40, scheme="EEC-76/211")
    assert r["t1_ok"] is False


def test_eec_destructive():
    values = [505.0] * 19 + [484.0]
    r = _lot(values, lot_size=1000, scheme="EEC-76/211", destructive=True)
    assert r["plan"] == "destructive" and r["sample_size_required"] == 20
    assert r["lambda"] == Decimal("0.640") and r["t1_allowed"] == 1 and r["accepted"] is True
    r = _lot([505.0] * 18 + [484.0] * 2, lot_size=1000, scheme="EEC-76/211", destructive=True)
    assert r["accepted"] is False  # Re = 2


def test_eec_mean_sample_30():
    values = [500 + (i % 3) for i in range(30)]
    r = _lot(values, scheme="EEC-76/211")
    assert r["lambda"] == Decimal("0.503") and r["lambda_source"] == "table"


def test_eec_double_plan():
    base = {"lot_size": 300, "scheme": "EEC-76/211", "plan": "double"}
    r = _lot([505.0] * 29 + [484.0], **base)  # 1 <= Ac1
    assert r["t1_ok"] is True and r["sample_size_required"] == 30 and r["accepted"] is True
    r = _lot([505.0] * 27 + [484.0] * 3, **base)  # 3 >= Re1
    assert r["accepted"] is False
    r = _lot([505.0] * 28 + [484.0] * 2, **base)  # between: second sample needed
    assert r["accepted"] is None and r["decision"] == "second-sample-required"
    r = _lot([505.0] * 28 + [484.0] * 2 + [505.0] * 28 + [484.0] * 2, **base)  # cumulative 4 <= Ac2
    assert r["accepted"] is True and r["t1_count"] == 4 and r["t1_allowed"] == 4
    r = _lot([505.0] * 28 + [484.0] * 2 + [505.0] * 27 + [484.0] * 3, **base)  # cumulative 5 >= Re2
    assert r["accepted"] is False


def test_r87_destructive_flag_uses_single_plan_with_note():
    r = _lot([505.0] * 50, destructive=True)
    assert r["plan"] == "single" and r["notes"]


def test_vn_scheme_is_prefilled_and_cited():
    s = pp.get_scheme("VN-TT21/2014")
    assert "21/2014/TT-BKHCN" in s["source"] and s["verified"] is False
    assert pp.tolerable_deficiency(150, "g", "VN-TT21/2014") == Decimal("6.75")


def test_scheme_from_dict_override():
    corrected = pp.scheme_from_dict(
        {
            "extends": "VN-TT21/2014",
            "id": "VN-TT21/2014-corrected",
            "valid_from": "2014-09-01",
            "t_rounding": {"increment": 0.1, "applies_to": "percent"},
            "verified": True,
        }
    )
    assert pp.tolerable_deficiency(150, "g", corrected) == Decimal("6.8")
    assert corrected["plans"] == pp.get_scheme("OIML-R87:2016")["plans"]
    pp.register_scheme(corrected)
    assert "VN-TT21/2014-corrected" in pp.list_schemes()
    with pytest.raises(InputError, match="already registered"):
        pp.register_scheme(corrected)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"id": "x"}, "source"),
        (
            {
                "extends": "OIML-R87:2016",
                "id": "x",
                "t_table": [{"up_to": 50, "percent": 9}, {"up_to": 40, "absolute": 4}],
            },
            "ascending",
        ),
        (
            {"extends": "OIML-R87:2016", "id": "x", "t_table": [{"up_to": 50, "percent": 9, "absolute": 1}]},
            "exactly one",
        ),
        ({"extends": "OIML-R87:2016", "id": "x", "plans": {"double": []}}, "single"),
        ({"extends": "nope", "id": "x"}, "unknown scheme"),
    ],
)
def test_bad_scheme_dicts(data, match):
    with pytest.raises(InputError, match=match):
        pp.scheme_from_dict(data)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"lot_size": 0}, "lot_size"),
        ({"lot_size": 2.5}, "lot_size"),
        ({"nominal": -1}, "nominal"),
        ({"scheme": "XYZ"}, "unknown scheme"),
        ({"actual": []}, "actual"),
        ({"actual": [1, "a"]}, r"actual\[1\]"),
        ({"plan": "triple"}, "plan"),
    ],
)
def test_bad_lot_inputs(kw, match):
    args = {"actual": [500.0] * 50}
    args.update(kw)
    with pytest.raises(InputError, match=match):
        _lot(args.pop("actual"), **args)
