"""Recalibration intervals — ILAC G24:2022 / OIML D 10:2022, method 1 "automatic adjustment or staircase".

G24 prescribes no numbers: the factors are the laboratory's policy and are passed as settings. Rule:

* ``history`` holds the results (oldest first) of the calibrations made *since the interval was last
  changed*; each is ``true``/``"in"``/``"pass"`` (found within tolerance) or ``false``/``"out"``/``"fail"``.
* latest result out of tolerance → new interval = current × ``shorten_factor``;
* otherwise, if the number of consecutive in-tolerance results at the end of the history is at least
  ``consecutive_in_to_extend`` → new interval = current × ``extend_factor``;
* otherwise the interval is kept. The result is clamped to [``min_interval``, ``max_interval``] and, if
  ``round_to`` is set, rounded down to a multiple of it (never below ``min_interval``).

Intervals are in months (any consistent time unit works). After a change, the caller starts a new
history.
"""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR
from typing import Any

from ._common import InputError, positive, to_decimal

DEFAULT_POLICY = {
    "extend_factor": 1.5,
    "shorten_factor": 0.5,
    "min_interval": 1,
    "max_interval": 60,
    "consecutive_in_to_extend": 1,
    "round_to": None,
}
_IN = {"in", "pass", "ok", "in-tolerance", "dat", "đạt"}
_OUT = {"out", "fail", "nok", "out-of-tolerance", "khong dat", "không đạt"}


def _result(v: Any, i: int) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.strip().lower() in _IN:
        return True
    if isinstance(v, str) and v.strip().lower() in _OUT:
        return False
    raise InputError(f"history[{i}]: expected true/false or 'in'/'out', got {v!r}")


def staircase(current_interval: Any, history: list, policy: dict | None = None) -> dict:
    """New calibration interval by the staircase method (ILAC G24 method 1); see the module docstring.

    Returns ``{"interval", "previous_interval", "action": "extend"|"shorten"|"keep", "consecutive_in",
    "explanation", "explanation_vi", "policy"}``.
    """
    cur = positive(current_interval, "current_interval")
    if not isinstance(history, list):
        raise InputError("history: expected a list of results (true/false or 'in'/'out'), oldest first")
    results = [_result(v, i) for i, v in enumerate(history)]
    pol = dict(DEFAULT_POLICY)
    if policy is not None:
        if not isinstance(policy, dict):
            raise InputError("policy: expected an object")
        unknown = set(policy) - set(DEFAULT_POLICY)
        if unknown:
            raise InputError(f"policy: unknown key(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_POLICY)}")
        pol.update({k: v for k, v in policy.items() if v is not None or k == "round_to"})
    ext = positive(pol["extend_factor"], "policy.extend_factor")
    shr = positive(pol["shorten_factor"], "policy.shorten_factor")
    if ext < 1:
        raise InputError(f"policy.extend_factor: must be >= 1, got {pol['extend_factor']!r}")
    if shr > 1:
        raise InputError(f"policy.shorten_factor: must be <= 1, got {pol['shorten_factor']!r}")
    lo = positive(pol["min_interval"], "policy.min_interval")
    hi = positive(pol["max_interval"], "policy.max_interval")
    if lo > hi:
        raise InputError("policy: min_interval is greater than max_interval")
    need = pol["consecutive_in_to_extend"]
    if isinstance(need, bool) or not isinstance(need, int) or need < 1:
        raise InputError(f"policy.consecutive_in_to_extend: expected a whole number >= 1, got {need!r}")
    step = positive(pol["round_to"], "policy.round_to") if pol["round_to"] is not None else None

    streak = 0
    for r in reversed(results):
        if not r:
            break
        streak += 1
    if not results:
        action, new = "keep", cur
        why = "no calibration results yet: interval kept"
        why_vi = "chưa có kết quả hiệu chuẩn: giữ nguyên chu kỳ"
    elif not results[-1]:
        action, new = "shorten", cur * shr
        why = f"latest calibration found out of tolerance: interval × {shr}"
        why_vi = f"lần hiệu chuẩn gần nhất phát hiện ngoài dung sai: chu kỳ × {shr}"
    elif streak >= need:
        action, new = "extend", cur * ext
        why = f"{streak} consecutive in-tolerance result(s) (>= {need} needed): interval × {ext}"
        why_vi = f"{streak} lần liên tiếp trong dung sai (cần ≥ {need}): chu kỳ × {ext}"
    else:
        action, new = "keep", cur
        why = f"{streak} consecutive in-tolerance result(s), {need} needed to extend: interval kept"
        why_vi = f"{streak} lần liên tiếp trong dung sai, cần {need} lần để kéo dài: giữ nguyên chu kỳ"
    if step is not None:
        new = (new / step).to_integral_value(rounding=ROUND_FLOOR) * step
    clamped = min(max(new, lo), hi)
    if clamped != new:
        why += f"; limited to the policy range [{lo}, {hi}]"
        why_vi += f"; giới hạn trong khoảng [{lo}, {hi}] theo chính sách"
    new = clamped
    if new == cur and action != "keep":
        why += " (no change after limits)"
    return {
        "interval": new.normalize() if new == new.to_integral_value() else new,
        "previous_interval": cur,
        "action": action if new != cur else "keep",
        "consecutive_in": streak,
        "explanation": why,
        "explanation_vi": why_vi,
        "policy": {
            k: (to_decimal(v, k) if v is not None and not isinstance(v, int) else v) for k, v in pol.items()
        },
        "method": "ILAC G24:2022 / OIML D 10:2022 method 1 (automatic adjustment, staircase)",
    }


def evaluate(payload: dict) -> dict:
    """``calc interval``: ``{"current_interval", "history", "policy"?}``."""
    if not isinstance(payload, dict):
        raise InputError("input: expected a JSON object")
    for key in ("current_interval", "history"):
        if key not in payload:
            raise InputError(f"{key}: is required")
    out = staircase(payload["current_interval"], payload["history"], payload.get("policy"))
    if not math.isfinite(float(out["interval"])):  # pragma: no cover
        raise InputError("current_interval: result is not finite")
    return out
