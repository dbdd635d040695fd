"""Decision rules for statements of conformity — ILAC G8:09/2019 (and JCGM 106:2012).

``w = r·U`` is the guard band (U the expanded uncertainty, r >= 0, default 1). For an upper tolerance
limit TL_U the acceptance limit is AL_U = TL_U − w; for a lower limit AL_L = TL_L + w (ILAC G8).

Rules (ILAC G8:09/2019 section 4):

* ``"simple"`` — binary, w = 0 (U ignored): ``pass`` if TL_L <= value <= TL_U, else ``fail``.
* ``"guard-band"`` — binary: ``pass`` if AL_L <= value <= AL_U, else ``fail``.
* ``"non-binary"`` — per limit, e.g. upper: ``pass`` if value <= AL_U; ``conditional-pass`` if
  AL_U < value <= TL_U; ``conditional-fail`` if TL_U < value <= TL_U + w; ``fail`` if value > TL_U + w.

Boundaries are *inclusive on the accepting side*: a value exactly on an acceptance limit passes, exactly
on a tolerance limit (w > 0) is a conditional pass, exactly at TL + w a conditional fail. With w = 0 the
non-binary rule reduces to the simple rule. A limit may be one-sided (only ``lower`` or only
``upper``). For two limits the worse of the two one-sided results is returned; when 2w exceeds the
tolerance interval the acceptance zone is empty (AL_L > AL_U): guard-band then always fails and the
non-binary rule never gives a plain pass. Arithmetic is done in Decimal on the numbers as written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ._common import InputError, positive, to_decimal

RULES = ("simple", "guard-band", "non-binary")
_ORDER = ["pass", "conditional-pass", "conditional-fail", "fail"]
DECISIONS_VI = {
    "pass": "đạt",
    "conditional-pass": "đạt có điều kiện",
    "conditional-fail": "không đạt có điều kiện",
    "fail": "không đạt",
}


def _side(excess_over_tl: Decimal, w: Decimal) -> str:
    """Classify by ``excess_over_tl`` = distance beyond the tolerance limit (negative = inside)."""
    if excess_over_tl <= -w:
        return "pass"
    if excess_over_tl <= 0:
        return "conditional-pass"
    if excess_over_tl <= w:
        return "conditional-fail"
    return "fail"


def decide(
    value: Any,
    U: Any = 0,
    *,
    lower: Any = None,
    upper: Any = None,
    rule: str = "simple",
    r: Any = 1,
) -> dict:
    """Decide conformity of a measured ``value`` with expanded uncertainty ``U`` (same unit).

    Returns ``{"decision", "decision_vi", "acceptance_limits": [AL_L | None, AL_U | None],
    "tolerance_limits", "guard_band", "rule", "acceptance_zone_empty"}``. See the module docstring for
    the exact boundary behaviour.
    """
    if rule not in RULES:
        raise InputError(f"rule: must be one of {', '.join(RULES)}, got {rule!r}")
    v = to_decimal(value, "value")
    u = positive(U if U is not None else 0, "U", allow_zero=True)
    rr = positive(r if r is not None else 1, "r", allow_zero=True)
    lo = to_decimal(lower, "lower") if lower is not None else None
    hi = to_decimal(upper, "upper") if upper is not None else None
    if lo is None and hi is None:
        raise InputError("lower/upper: give at least one tolerance limit")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"lower/upper: lower limit {lo} is above upper limit {hi}")
    w = Decimal(0) if rule == "simple" else rr * u
    al_lo = lo + w if lo is not None else None
    al_hi = hi - w if hi is not None else None
    empty = al_lo is not None and al_hi is not None and al_lo > al_hi

    sides = []
    if hi is not None:
        sides.append(_side(v - hi, w))
    if lo is not None:
        sides.append(_side(lo - v, w))
    worst = max(sides, key=_ORDER.index)
    decision = worst if rule == "non-binary" else "pass" if worst == "pass" else "fail"
    return {
        "decision": decision,
        "decision_vi": DECISIONS_VI[decision],
        "acceptance_limits": [al_lo, al_hi],
        "tolerance_limits": [lo, hi],
        "guard_band": w,
        "rule": rule,
        "acceptance_zone_empty": empty,
        "source": "ILAC G8:09/2019, section 4 (binary simple acceptance, binary with guard band, non-binary)",
    }
