"""Ordinary least-squares calibration line y = a + b·(x − x0) (GUM H.3; ISO/TS 28037 §6 unweighted case).

All observations are given equal weight; the x values are taken as exact and the y scatter is
estimated from the residuals. With n points, x̄ the mean of x, Sxx = Σ(x − x̄)²:

* slope b = Σ(x − x̄)(y − ȳ)/Sxx; intercept at x0: a = ȳ − b(x̄ − x0);
* residual standard deviation s = √(Σ residual² / (n − 2)), dof ν = n − 2;
* u(b) = s/√Sxx; u(a) = s·√(1/n + (x̄ − x0)²/Sxx); cov(a, b) = −s²(x̄ − x0)/Sxx;
  r(a, b) = cov/(u(a)·u(b));
* prediction ŷ(x) = a + b(x − x0) with
  ``u``     = s·√(1/n + (x − x̄)²/Sxx) — uncertainty of the fitted (mean) response only, as in GUM H.3.4
  (this does NOT include the scatter of a single new observation);
  ``u_new`` = √(u² + s²) — uncertainty of a single new observation at x (includes the residual scatter).

Units: a and ŷ in the unit of y, b in unit of y per unit of x.
"""

from __future__ import annotations

import math
from typing import Any

from ._common import InputError, number_list, to_float


def fit_line(x: Any, y: Any, x0: Any = 0.0) -> dict:
    """Fit y = a + b·(x − x0) by ordinary least squares; see the module docstring for the formulas."""
    try:
        out = _fit(x, y, x0)
    except (OverflowError, ZeroDivisionError):
        out = None
    if out is None or not all(math.isfinite(out[k]) for k in ("intercept", "slope", "s", "correlation")):
        raise InputError("x, y, x0: values too large to fit (numerical overflow)")
    return out


def _fit(x: Any, y: Any, x0: Any) -> dict:
    xs = [float(v) for v in number_list(x, "x", min_len=3)]
    ys = [float(v) for v in number_list(y, "y", min_len=3)]
    if len(xs) != len(ys):
        raise InputError(f"x, y: must have the same length, got {len(xs)} and {len(ys)}")
    x0f = to_float(x0 if x0 is not None else 0.0, "x0")
    n = len(xs)
    xbar = math.fsum(xs) / n
    ybar = math.fsum(ys) / n
    sxx = math.fsum((xi - xbar) ** 2 for xi in xs)
    if sxx == 0:
        raise InputError("x: all x values are equal; a line cannot be fitted")
    sxy = math.fsum((xi - xbar) * (yi - ybar) for xi, yi in zip(xs, ys, strict=True))
    b = sxy / sxx
    a = ybar - b * (xbar - x0f)
    residuals = [yi - (a + b * (xi - x0f)) for xi, yi in zip(xs, ys, strict=True)]
    dof = n - 2
    s = math.sqrt(math.fsum(r * r for r in residuals) / dof)
    u_b = s / math.sqrt(sxx)
    u_a = s * math.sqrt(1 / n + (xbar - x0f) ** 2 / sxx)
    cov = -s * s * (xbar - x0f) / sxx
    corr = cov / (u_a * u_b) if u_a > 0 and u_b > 0 else 0.0
    return {
        "intercept": a,
        "slope": b,
        "u_intercept": u_a,
        "u_slope": u_b,
        "covariance": cov,
        "correlation": corr,
        "s": s,
        "dof": dof,
        "n": n,
        "x0": x0f,
        "x_mean": xbar,
        "sxx": sxx,
        "residuals": residuals,
        "source": "ordinary least squares, GUM (JCGM 100:2008) H.3",
    }


def predict(fit: dict, x: Any) -> dict:
    """Predicted ŷ at ``x`` with ``u`` (mean response) and ``u_new`` (single new observation)."""
    xv = to_float(x, "predict_at")
    s, n = fit["s"], fit["n"]
    try:
        y = fit["intercept"] + fit["slope"] * (xv - fit["x0"])
        u = s * math.sqrt(1 / n + (xv - fit["x_mean"]) ** 2 / fit["sxx"])
    except OverflowError:
        raise InputError(f"predict_at: {x!r} is too large (numerical overflow)") from None
    if not (math.isfinite(y) and math.isfinite(u)):
        raise InputError(f"predict_at: {x!r} is too large (numerical overflow)")
    return {"x": xv, "y": y, "u": u, "u_new": math.sqrt(u * u + s * s), "dof": fit["dof"]}


def evaluate(payload: dict) -> dict:
    """``calc linefit``: ``{"x", "y", "x0"?, "predict_at"?}`` → fit with ``predictions``."""
    if not isinstance(payload, dict):
        raise InputError("input: expected a JSON object")
    for key in ("x", "y"):
        if key not in payload:
            raise InputError(f"{key}: is required")
    fit = fit_line(payload["x"], payload["y"], payload.get("x0", 0.0))
    at = payload.get("predict_at", [])
    if at is None:
        at = []
    if not isinstance(at, list):
        at = [at]
    fit["predictions"] = [predict(fit, v) for v in at]
    return fit
