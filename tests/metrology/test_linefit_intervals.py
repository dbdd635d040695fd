"""GUM H.3 thermometer calibration (least squares) and ILAC G24 staircase intervals."""

import pytest

from doluong.metrology import InputError, intervals, linefit

# GUM H.3 Table H.6: thermometer readings t_k and observed corrections b_k (degC), t0 = 20 degC.
T_K = [21.521, 22.012, 22.512, 23.003, 23.507, 23.999, 24.513, 25.002, 25.503, 26.010, 26.511]
B_K = [-0.171, -0.169, -0.166, -0.159, -0.164, -0.165, -0.156, -0.157, -0.159, -0.161, -0.160]


def test_gum_h3_thermometer():
    r = linefit.evaluate({"x": T_K, "y": B_K, "x0": 20, "predict_at": [30]})
    assert r["intercept"] == pytest.approx(-0.1712, abs=0.00005)  # y1
    assert r["slope"] == pytest.approx(0.00218, abs=0.000005)  # y2
    assert r["s"] == pytest.approx(0.0035, abs=0.00005)
    assert r["u_intercept"] == pytest.approx(0.0029, abs=0.00005)
    assert r["u_slope"] == pytest.approx(0.00067, abs=0.000005)
    assert r["correlation"] == pytest.approx(-0.930, abs=0.0005)
    assert r["dof"] == 9
    pred = r["predictions"][0]
    assert pred["y"] == pytest.approx(-0.1494, abs=0.00005)  # b(30 degC), GUM H.3.4
    assert pred["u"] == pytest.approx(0.0041, abs=0.00005)  # mean response only
    assert pred["u_new"] == pytest.approx((pred["u"] ** 2 + r["s"] ** 2) ** 0.5)


def test_linefit_agrees_with_gtc():
    from GTC import type_a

    fit = type_a.line_fit([t - 20 for t in T_K], B_K)
    a, b = fit.a_b
    r = linefit.fit_line(T_K, B_K, 20)
    assert r["intercept"] == pytest.approx(a.x) and r["u_intercept"] == pytest.approx(a.u)
    assert r["slope"] == pytest.approx(b.x) and r["u_slope"] == pytest.approx(b.u)


def test_linefit_errors():
    with pytest.raises(InputError, match="same length"):
        linefit.fit_line([1, 2, 3, 4], [1, 2, 3])
    with pytest.raises(InputError, match="all x values are equal"):
        linefit.fit_line([1, 1, 1], [1, 2, 3])
    with pytest.raises(InputError, match="at least 3"):
        linefit.fit_line([1, 2], [1, 2])


POLICY = {
    "extend_factor": 1.5,
    "shorten_factor": 0.5,
    "min_interval": 3,
    "max_interval": 36,
    "consecutive_in_to_extend": 2,
}


@pytest.mark.parametrize(
    ("current", "history", "new", "action"),
    [
        (12, ["in", "in"], 18, "extend"),
        (12, ["in"], 12, "keep"),
        (12, ["in", "out"], 6, "shorten"),
        (12, [True, False, True], 12, "keep"),
        (4, ["out"], 3, "shorten"),  # clamped to min
        (30, ["in", "in"], 36, "extend"),  # clamped to max
        (36, ["in", "in", "in"], 36, "keep"),  # already at max
        (12, [], 12, "keep"),
    ],
)
def test_staircase(current, history, new, action):
    r = intervals.staircase(current, history, POLICY)
    assert float(r["interval"]) == new
    assert r["action"] == action
    assert r["explanation"] and r["explanation_vi"]


def test_staircase_rounding():
    r = intervals.staircase(7, ["in"], {"extend_factor": 1.3, "round_to": 1})
    assert float(r["interval"]) == 9  # 9.1 rounded down


def test_staircase_errors():
    with pytest.raises(InputError, match="history"):
        intervals.staircase(12, ["maybe"])
    with pytest.raises(InputError, match="extend_factor"):
        intervals.staircase(12, ["in"], {"extend_factor": 0.5})
    with pytest.raises(InputError, match="unknown key"):
        intervals.staircase(12, ["in"], {"grow": 2})
    with pytest.raises(InputError, match="current_interval"):
        intervals.staircase(0, ["in"])
