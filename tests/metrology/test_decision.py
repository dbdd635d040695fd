"""Decision rules, ILAC G8:09/2019 4.2 (binary simple, binary guard band, non-binary)."""

import pytest

from doluong.metrology import InputError
from doluong.metrology.decision import decide

# Tolerance 10.0 +- 0.3 (TL 9.7 and 10.3), U = 0.1, w = U.
TWO_SIDED = [
    # value, simple, guard-band, non-binary
    (10.0, "pass", "pass", "pass"),
    (10.2, "pass", "pass", "pass"),  # exactly on AL_U
    (10.25, "pass", "fail", "conditional-pass"),
    (10.3, "pass", "fail", "conditional-pass"),  # exactly on TL_U
    (10.35, "fail", "fail", "conditional-fail"),
    (10.4, "fail", "fail", "conditional-fail"),  # exactly on TL_U + w
    (10.41, "fail", "fail", "fail"),
    (9.8, "pass", "pass", "pass"),  # exactly on AL_L
    (9.75, "pass", "fail", "conditional-pass"),
    (9.7, "pass", "fail", "conditional-pass"),
    (9.65, "fail", "fail", "conditional-fail"),
    (9.6, "fail", "fail", "conditional-fail"),
    (9.59, "fail", "fail", "fail"),
]


@pytest.mark.parametrize(("value", "simple", "guard", "nonbinary"), TWO_SIDED)
def test_ilac_g8_two_sided(value, simple, guard, nonbinary):
    assert decide(value, 0.1, lower=9.7, upper=10.3, rule="simple")["decision"] == simple
    assert decide(value, 0.1, lower=9.7, upper=10.3, rule="guard-band")["decision"] == guard
    assert decide(value, 0.1, lower=9.7, upper=10.3, rule="non-binary")["decision"] == nonbinary


def test_acceptance_limits():
    r = decide(10, 0.1, lower=9.7, upper=10.3, rule="guard-band")
    assert [float(x) for x in r["acceptance_limits"]] == [9.8, 10.2]
    assert float(r["acceptance_limits"][1]) == 10.2  # exact decimal, no 10.200000000000001
    r = decide(10, 0.1, lower=9.7, upper=10.3, rule="simple")
    assert [float(x) for x in r["acceptance_limits"]] == [9.7, 10.3]


def test_one_sided_upper_and_lower():
    r = decide(4.9, 0.2, upper=5, rule="non-binary")
    assert r["decision"] == "conditional-pass" and r["acceptance_limits"][0] is None
    assert float(r["acceptance_limits"][1]) == 4.8
    r = decide(1.0, 0.05, lower=1.0, rule="guard-band")
    assert r["decision"] == "fail" and float(r["acceptance_limits"][0]) == 1.05
    assert decide(1.06, 0.05, lower=1.0, rule="guard-band")["decision"] == "pass"


def test_guard_band_factor_r():
    r = decide(10.15, 0.1, upper=10.3, rule="guard-band", r=2)  # w = 0.2, AL = 10.1
    assert r["decision"] == "fail" and float(r["guard_band"]) == 0.2
    assert decide(10.15, 0.1, upper=10.3, rule="guard-band", r=0.5)["decision"] == "pass"


def test_empty_acceptance_zone():
    r = decide(10.0, 0.4, lower=9.7, upper=10.3, rule="guard-band")
    assert r["acceptance_zone_empty"] is True and r["decision"] == "fail"
    r = decide(10.0, 0.4, lower=9.7, upper=10.3, rule="non-binary")
    assert r["decision"] == "conditional-pass"


def test_zero_uncertainty_non_binary_is_simple():
    assert decide(10.3, 0, upper=10.3, rule="non-binary")["decision"] == "pass"
    assert decide(10.31, 0, upper=10.3, rule="non-binary")["decision"] == "fail"


def test_vietnamese_labels():
    assert decide(10.25, 0.1, upper=10.3, rule="non-binary")["decision_vi"] == "đạt có điều kiện"


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"rule": "fuzzy", "upper": 1}, "rule"),
        ({}, "at least one"),
        ({"lower": 2, "upper": 1}, "above"),
        ({"upper": 1, "r": -1}, "r"),
        ({"upper": "x"}, "upper"),
    ],
)
def test_decide_errors(kw, match):
    with pytest.raises(InputError, match=match):
        decide(1.0, 0.1, **kw)


def test_negative_U_rejected():
    with pytest.raises(InputError, match="U"):
        decide(1.0, -0.1, upper=2)
