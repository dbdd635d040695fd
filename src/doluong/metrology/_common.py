"""Shared boundary checks and number handling for :mod:`doluong.metrology`.

Every public function checks its input here and raises :class:`InputError` with a message that names
the offending field. Comparisons against limits (tolerable deficiency, MPE, acceptance limits) are made
in :class:`decimal.Decimal` built from the shortest ``repr`` of each float, so that a value that is
exactly on a limit *as written* (e.g. ``10.2`` against ``10.3 - 0.1``) is treated as on the limit and
not as a binary floating-point artefact.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

INF = math.inf


class InputError(ValueError):
    """Raised when an input is missing or invalid. The message names the field and the reason."""


def to_decimal(x: Any, field: str) -> Decimal:
    """Convert an int, float or numeric string to a finite Decimal (floats via their shortest repr)."""
    if isinstance(x, bool) or x is None:
        raise InputError(f"{field}: expected a number, got {x!r}")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, float):
        d = Decimal(repr(x)) if math.isfinite(x) else Decimal("NaN")
    elif isinstance(x, str):
        try:
            d = Decimal(x.strip())
        except InvalidOperation:
            raise InputError(f"{field}: expected a number, got {x!r}") from None
    else:
        raise InputError(f"{field}: expected a number, got {type(x).__name__} {x!r}")
    if not d.is_finite():
        raise InputError(f"{field}: must be a finite number, got {x!r}")
    return d


def to_float(x: Any, field: str) -> float:
    """Convert to a finite float; reject booleans, None, NaN and infinities."""
    return float(to_decimal(x, field))


def positive(x: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    d = to_decimal(x, field)
    if d < 0 or (d == 0 and not allow_zero):
        raise InputError(f"{field}: must be {'non-negative' if allow_zero else 'positive'}, got {x!r}")
    return d


def to_dof(x: Any, field: str) -> float:
    """Degrees of freedom: a positive number, or ``"inf"`` / ``None`` for infinity."""
    if x is None:
        return INF
    if isinstance(x, str) and x.strip().lower() in ("inf", "infinity", "∞"):
        return INF
    if isinstance(x, float) and math.isinf(x) and x > 0:
        return INF
    d = to_decimal(x, field)
    if d <= 0:
        raise InputError(f'{field}: degrees of freedom must be positive (or "inf"), got {x!r}')
    return float(d)


def to_probability(x: Any, field: str) -> float:
    """A coverage probability as a fraction in (0, 1); values in [50, 100) are read as percent."""
    p = to_float(x, field)
    if 50 <= p < 100:
        p = p / 100
    if not 0 < p < 1:
        raise InputError(f"{field}: must be a probability between 0 and 1 (e.g. 0.95), got {x!r}")
    return p


def number_list(x: Any, field: str, *, min_len: int = 1) -> list[Decimal]:
    if isinstance(x, (str, bytes, Mapping)) or not isinstance(x, Sequence):
        raise InputError(f"{field}: expected a list of numbers, got {type(x).__name__}")
    if len(x) < min_len:
        raise InputError(f"{field}: needs at least {min_len} value(s), got {len(x)}")
    return [to_decimal(v, f"{field}[{i}]") for i, v in enumerate(x)]


def require(payload: Mapping[str, Any], key: str, where: str = "") -> Any:
    if not isinstance(payload, Mapping):
        raise InputError(f"{where or 'input'}: expected a JSON object")
    if key not in payload or payload[key] is None:
        raise InputError(f"{where + '.' if where else ''}{key}: is required")
    return payload[key]


def jsonable(x: Any) -> Any:
    """Make a result JSON-safe: Decimal → float, ±inf → "inf"/"-inf", NaN → None, tuples → lists."""
    if isinstance(x, bool) or x is None or isinstance(x, (int, str)):
        return x
    if isinstance(x, Decimal):
        x = float(x)
    if isinstance(x, float):
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x + 0.0  # -0.0 -> 0.0
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if hasattr(x, "item"):  # numpy scalar
        return jsonable(x.item())
    return x
