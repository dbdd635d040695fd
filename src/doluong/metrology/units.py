"""Unit conversion with pint (SI Brochure, 9th edition, units and prefixes).

Conversion factors are returned as :class:`~decimal.Decimal` built from pint's float factor, so that
``kg → g`` is exactly 1000 and ``mg → g`` exactly 0.001.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from ._common import InputError

_ALIASES = {"ml": "mL", "l": "L", "cl": "cL", "dl": "dL", "µg": "ug", "μg": "ug", "ℓ": "L"}


@lru_cache(maxsize=1)
def registry():
    """The shared pint ``UnitRegistry`` (created on first use)."""
    import pint

    return pint.UnitRegistry()


def _unit(name: str, field: str):
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{field}: expected a unit name such as 'g', 'kg', 'mL', got {name!r}")
    name = _ALIASES.get(name.strip(), name.strip())
    try:
        return registry().Unit(name)
    except Exception:
        raise InputError(f"{field}: unknown unit {name!r}") from None


@lru_cache(maxsize=256)
def _factor(src: str, dst: str) -> Decimal:
    ureg = registry()
    q = ureg.Quantity(1.0, _unit(src, "unit")).to(_unit(dst, "unit"))
    return Decimal(repr(float(q.magnitude)))


def factor(src: str, dst: str, field: str = "unit") -> Decimal:
    """Multiplicative factor converting a value in unit ``src`` to unit ``dst``.

    Raises :class:`InputError` naming ``field`` if a unit is unknown or the dimensions differ.
    """
    a, b = _unit(src, field), _unit(dst, field)
    if a.dimensionality != b.dimensionality:
        raise InputError(f"{field}: cannot convert {src!r} to {dst!r} (different dimensions)")
    return _factor(str(a), str(b))


def convert(value, src: str, dst: str, field: str = "unit") -> Decimal:
    """Convert ``value`` from unit ``src`` to unit ``dst`` (returns a Decimal)."""
    from ._common import to_decimal

    return to_decimal(value, "value") * factor(src, dst, field)


def is_mass(unit: str) -> bool:
    return _unit(unit, "unit").dimensionality == _unit("g", "unit").dimensionality


def is_volume(unit: str) -> bool:
    return _unit(unit, "unit").dimensionality == _unit("mL", "unit").dimensionality


def prepackage_base_unit(unit: str, field: str = "unit") -> str:
    """The base unit of the prepackage tables (OIML R 87 Table 1): ``"g"`` for mass, ``"mL"`` for volume."""
    if is_mass(unit):
        return "g"
    if is_volume(unit):
        return "mL"
    raise InputError(f"{field}: prepackage quantities must be a mass or a volume unit, got {unit!r}")
