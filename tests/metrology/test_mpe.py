"""MPE rules: OIML R 76-1 Table 6, OIML R 111-1 Table 1, and generic data rules."""

from decimal import Decimal

import pytest

from doluong.metrology import InputError, mpe

# (class, load in e, MPE in e) at every breakpoint and just beyond, R 76-1 Table 6.
R76_CASES = [
    ("I", 0, "0.5"),
    ("I", 50000, "0.5"),
    ("I", 50001, "1"),
    ("I", 200000, "1"),
    ("I", 200001, "1.5"),
    ("I", 10**6, "1.5"),
    ("II", 0, "0.5"),
    ("II", 5000, "0.5"),
    ("II", 5001, "1"),
    ("II", 20000, "1"),
    ("II", 20001, "1.5"),
    ("II", 100000, "1.5"),
    ("III", 0, "0.5"),
    ("III", 500, "0.5"),
    ("III", 501, "1"),
    ("III", 2000, "1"),
    ("III", 2001, "1.5"),
    ("III", 10000, "1.5"),
    ("IIII", 0, "0.5"),
    ("IIII", 50, "0.5"),
    ("IIII", 51, "1"),
    ("IIII", 200, "1"),
    ("IIII", 201, "1.5"),
    ("IIII", 1000, "1.5"),
]


@pytest.mark.parametrize(("cls", "m_e", "mpe_e"), R76_CASES)
def test_r76_initial(cls, m_e, mpe_e):
    e = Decimal("0.005")  # 5 g in kg
    got = mpe.mpe("OIML-R76", cls, Decimal(m_e) * e, unit="kg", e=e)
    assert got == Decimal(mpe_e) * e
    in_service = mpe.mpe("OIML-R76", cls, Decimal(m_e) * e, unit="kg", e=e, stage="in-service")
    assert in_service == 2 * got


def test_r76_above_range_and_missing_e():
    with pytest.raises(InputError, match="above the highest band"):
        mpe.mpe("OIML-R76", "III", 10001, unit="g", e=1)
    with pytest.raises(InputError, match="'e'"):
        mpe.mpe("OIML-R76", "III", 100, unit="g")
    with pytest.raises(InputError, match="class"):
        mpe.mpe("OIML-R76", "V", 100, unit="g", e=1)
    with pytest.raises(InputError, match="stage"):
        mpe.mpe("OIML-R76", "III", 100, unit="g", e=1, stage="type-approval")


def test_r76_points_example():
    # class III, Max 15 kg, e = 5 g: 2.5 kg = 500 e -> 0.5 e = 2.5 g; 10 kg = 2000 e -> 1 e = 5 g
    r = mpe.check_points(
        "OIML-R76",
        "III",
        [
            {"reference": 2.5, "indication": 2.5025},
            {"reference": 10, "indication": 9.995},
            {"reference": 10, "indication": 10.0051},
            {"reference": 15, "indication": 15.0075},
        ],
        unit="kg",
        e=0.005,
    )
    assert [p["ok"] for p in r["points"]] == [True, True, False, True]
    assert [p["mpe"] for p in r["points"]] == [
        Decimal("0.0025"),
        Decimal("0.005"),
        Decimal("0.005"),
        Decimal("0.0075"),
    ]
    assert r["ok"] is False


R111_CASES = [
    ("E1", "50 kg", 25),
    ("M3", "50 kg", 25000),
    ("E2", "10 kg", 16),
    ("F1", "10 kg", 50),
    ("F2", "10 kg", 160),
    ("M1", "10 kg", 500),
    ("M2", "10 kg", 1600),
    ("M1", "1 kg", 50),
    ("F2", "500 g", 8.0),
    ("E2", "100 g", 0.16),
    ("F1", "20 g", 0.25),
    ("E1", "1 g", 0.010),
    ("M2", "100 mg", 1.6),
    ("E1", "1 mg", 0.003),
    ("M1", "1 mg", 0.20),
    ("E2", "2 kg", 3.0),
]


@pytest.mark.parametrize(("cls", "nominal", "mpe_mg"), R111_CASES)
def test_r111_table(cls, nominal, mpe_mg):
    value, unit = nominal.split()
    assert mpe.mpe("OIML-R111", cls, Decimal(value), unit=unit) * mpe_unit_factor(unit) == Decimal(
        str(mpe_mg)
    )


def mpe_unit_factor(unit):
    return {"kg": Decimal(10**6), "g": Decimal(1000), "mg": Decimal(1)}[unit]


def test_r111_same_weight_in_other_units():
    assert mpe.mpe("OIML-R111", "F1", 0.5, unit="kg") == Decimal("0.0000025")
    assert mpe.mpe("OIML-R111", "F1", 500000, unit="mg") == Decimal("2.5")


def test_r111_missing_entries():
    with pytest.raises(InputError, match="no class M3"):
        mpe.mpe("OIML-R111", "M3", 500, unit="mg")
    with pytest.raises(InputError, match="not a nominal value"):
        mpe.mpe("OIML-R111", "F1", 300, unit="g")


def test_r111_uncertainty_third_of_mpe():
    # M1 10 kg: MPE 500 mg; U must be <= 166.7 mg
    pts = [{"reference": 10000, "indication": 10000.3}]
    r = mpe.check_points("OIML-R111", "M1", pts, unit="g", U=0.16)
    p = r["points"][0]
    assert p["u_ok"] is True and p["ok"] is True and p["ok_with_uncertainty"] is True
    r = mpe.check_points("OIML-R111", "M1", pts, unit="g", U=0.17)
    assert r["points"][0]["u_ok"] is False and r["ok"] is False
    r = mpe.check_points("OIML-R111", "M1", [{"reference": 10000, "indication": 10000.5}], unit="g", U=0.1)
    p = r["points"][0]
    assert p["ok"] is True and p["ok_with_uncertainty"] is False  # |e| <= MPE but > MPE - U


def test_exactly_on_mpe_passes():
    r = mpe.check_points(
        "OIML-R111",
        "E2",
        [{"reference": 100, "indication": 100.00016}, {"reference": 100, "indication": 99.99984}],
        unit="g",
    )
    assert r["ok"] is True


def test_water_meter_zones():
    r = mpe.check_points(
        "OIML-R49:2013",
        "2",
        [
            {"reference": 100, "indication": 104.9, "zone": "lower"},
            {"reference": 100, "indication": 102.1, "zone": "upper"},
        ],
        unit="L",
    )
    assert [p["ok"] for p in r["points"]] == [True, False]
    assert r["points"][0]["mpe"] == Decimal("5")
    with pytest.raises(InputError, match="zone"):
        mpe.check_points("OIML-R49:2013", "2", [{"reference": 100, "indication": 100}], unit="L")


def test_fuel_dispenser_relative():
    r = mpe.check_points(
        "OIML-R117:2007",
        "0.5",
        [{"reference": 20, "indication": 20.1}, {"reference": 20, "indication": 20.11}],
        unit="L",
    )
    assert [p["ok"] for p in r["points"]] == [True, False]


def test_register_generic_rule_from_dict():
    rule = {
        "id": "TEST-local-meter:2025",
        "source": "test rule",
        "valid_from": "2025-01-01",
        "kind": "bands",
        "basis": "reference",
        "unit": "mL",
        "stages": {"initial": 1, "in-service": 1.5},
        "classes": {
            "A": [
                {"up_to": 1000, "mpe": {"absolute": 5}},
                {"up_to": None, "mpe": {"greater_of": [{"percent": 0.4}, {"absolute": 5}]}},
            ]
        },
    }
    mpe.register_rule(rule)
    assert "TEST-local-meter:2025" in mpe.list_rules()
    assert mpe.mpe("TEST-local-meter:2025", "A", 500, unit="mL") == 5
    assert mpe.mpe("TEST-local-meter:2025", "A", 1, unit="L") == Decimal("0.005")  # 5 mL in L
    assert mpe.mpe("TEST-local-meter:2025", "A", 2000, unit="mL") == 8
    assert mpe.mpe("TEST-local-meter:2025", "A", 2000, unit="mL", stage="in-service") == 12
    with pytest.raises(InputError, match="already registered"):
        mpe.register_rule(rule)


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        ({"kind": "curve"}, "kind"),
        ({"classes": {"A": [{"up_to": 1}]}}, "mpe"),
        ({"classes": {"A": [{"up_to": 1, "mpe": {"sigma": 1}}]}}, "MPE spec"),
        ({"classes": {"A": [{"up_to": 2, "mpe": {"e": 1}}, {"up_to": 1, "mpe": {"e": 1}}]}}, "ascending"),
        ({"basis": "weird"}, "basis"),
    ],
)
def test_bad_rule_dicts(patch, match):
    rule = {
        "id": "bad",
        "source": "s",
        "valid_from": "2025-01-01",
        "kind": "bands",
        "classes": {"A": [{"up_to": None, "mpe": {"e": 1}}]},
    }
    rule.update(patch)
    with pytest.raises(InputError, match=match):
        mpe.rule_from_dict(rule)
