"""Maximum permissible errors (MPE) from data-driven, dated rules.

Built-in rules (``rules/mpe_rules.py``): ``OIML-R76`` (non-automatic weighing instruments, OIML R 76-1
Table 6, load in multiples of the verification scale interval e, in service = 2 × initial),
``OIML-R111`` (weights E1…M3, OIML R 111-1 Table 1, in mg, with the U ≤ MPE/3 check of R 111-1 5.2),
``OIML-R49:2013`` (water meters, by flow-rate zone) and ``OIML-R117:2007`` (fuel dispensers, class 0.5).
New kinds of instrument are added as data with :func:`register_rule` / :func:`rule_from_dict`.

The error of indication is ``error = indication − reference`` (both in ``unit``); a point is within
MPE when ``|error| <= MPE`` (a value exactly on the MPE passes). Comparisons are made in Decimal.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import units
from ._common import InputError, positive, require, to_decimal
from .rules import MPE_RULES

_REGISTRY: dict[str, dict] = {}
_SPEC_KEYS = ("e", "absolute", "percent", "relative", "greater_of", "lesser_of")


def _check_spec(spec: Any, where: str) -> None:
    if not isinstance(spec, Mapping) or len(spec) != 1 or next(iter(spec)) not in _SPEC_KEYS:
        raise InputError(f"{where}: an MPE spec must be one of {{{', '.join(_SPEC_KEYS)}}}, got {spec!r}")
    key, val = next(iter(spec.items()))
    if key in ("greater_of", "lesser_of"):
        if not isinstance(val, list) or not val:
            raise InputError(f"{where}.{key}: expected a non-empty list of MPE specs")
        for i, sub in enumerate(val):
            _check_spec(sub, f"{where}.{key}[{i}]")
    else:
        positive(val, f"{where}.{key}", allow_zero=True)


def rule_from_dict(data: Mapping[str, Any]) -> dict:
    """Validate an MPE rule given as a JSON-able dict and return a normalised copy.

    Required keys: ``id``, ``source``, ``valid_from``, ``kind`` (``"bands"`` or ``"table"``) and, for
    ``bands``, ``classes``; for ``table``, ``table`` and ``unit``. See the module docs for the format.
    """
    if not isinstance(data, Mapping):
        raise InputError("rule: expected a JSON object")
    rule = copy.deepcopy(dict(data))
    for key in ("id", "source", "valid_from", "kind"):
        require(rule, key, "rule")
    rid = rule["id"]
    kind = rule["kind"]
    rule.setdefault("stages", {"initial": 1})
    for stage, f in rule["stages"].items():
        positive(f, f"rule {rid}.stages.{stage}")
    if kind == "bands":
        basis = rule.setdefault("basis", "reference")
        if basis not in ("e_multiple", "reference", "at", "zone"):
            raise InputError(f"rule {rid}.basis: must be e_multiple, reference, at or zone, got {basis!r}")
        classes = require(rule, "classes", f"rule {rid}")
        if not isinstance(classes, Mapping) or not classes:
            raise InputError(f"rule {rid}.classes: expected a non-empty object of class -> bands")
        for cls, bands in classes.items():
            if not isinstance(bands, list) or not bands:
                raise InputError(f"rule {rid}.classes.{cls}: expected a non-empty list of bands")
            prev = None
            for i, band in enumerate(bands):
                where = f"rule {rid}.classes.{cls}[{i}]"
                if not isinstance(band, Mapping) or "mpe" not in band:
                    raise InputError(f"{where}: a band needs an 'mpe' spec")
                _check_spec(band["mpe"], f"{where}.mpe")
                if "zone" not in band:
                    if "up_to" not in band:
                        raise InputError(f"{where}: a band needs 'up_to' (null for no bound) or 'zone'")
                    if band["up_to"] is not None:
                        up = to_decimal(band["up_to"], f"{where}.up_to")
                        if prev is not None and up <= prev:
                            raise InputError(f"{where}.up_to: bands must be in ascending order")
                        prev = up
    elif kind == "table":
        require(rule, "unit", f"rule {rid}")
        units.factor(rule["unit"], rule["unit"], f"rule {rid}.unit")
        table = require(rule, "table", f"rule {rid}")
        if not isinstance(table, list) or not table:
            raise InputError(f"rule {rid}.table: expected a non-empty list of rows")
        for i, row in enumerate(table):
            _parse_quantity(
                require(row, "nominal", f"rule {rid}.table[{i}]"), f"rule {rid}.table[{i}].nominal"
            )
    else:
        raise InputError(f"rule {rid}.kind: must be 'bands' or 'table', got {kind!r}")
    return rule


def register_rule(data: Mapping[str, Any], *, replace: bool = False) -> dict:
    """Validate ``data`` with :func:`rule_from_dict` and add it to the registry under its ``id``."""
    rule = rule_from_dict(data)
    if rule["id"] in _REGISTRY and not replace:
        raise InputError(f"rule {rule['id']}: already registered (pass replace=True to override)")
    _REGISTRY[rule["id"]] = rule
    return rule


def get_rule(rule_id: str) -> dict:
    """Return the registered rule with this id (a dict); raise :class:`InputError` if unknown."""
    if isinstance(rule_id, Mapping):
        return rule_from_dict(rule_id)
    if not isinstance(rule_id, str) or rule_id not in _REGISTRY:
        raise InputError(f"rule: unknown MPE rule {rule_id!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[rule_id]


def list_rules() -> list[str]:
    return sorted(_REGISTRY)


def _parse_quantity(text: Any, field: str) -> tuple[Decimal, str]:
    if not isinstance(text, str) or len(text.split()) != 2:
        raise InputError(f"{field}: expected '<number> <unit>', e.g. '50 kg', got {text!r}")
    num, unit = text.split()
    units.factor(unit, unit, field)
    return to_decimal(num, field), unit


def _eval_spec(
    spec: Mapping, *, reference: Decimal, e: Decimal | None, abs_factor: Decimal, where: str
) -> Decimal:
    key, val = next(iter(spec.items()))
    if key == "e":
        if e is None:
            raise InputError(f"e: this rule expresses MPE in multiples of e; give 'e' ({where})")
        return to_decimal(val, where) * e
    if key == "absolute":
        return to_decimal(val, where) * abs_factor
    if key == "percent":
        return to_decimal(val, where) / 100 * abs(reference)
    if key == "relative":
        return to_decimal(val, where) * abs(reference)
    values = [_eval_spec(s, reference=reference, e=e, abs_factor=abs_factor, where=where) for s in val]
    return max(values) if key == "greater_of" else min(values)


def mpe(
    rule: str | Mapping,
    cls: str,
    reference: Any,
    *,
    unit: str,
    e: Any = None,
    stage: str = "initial",
    at: Any = None,
    zone: str | None = None,
) -> Decimal:
    """Maximum permissible error (a positive magnitude, in ``unit``) for one measuring point.

    ``reference``: the reference value (load, nominal value of a weight, delivered volume) in ``unit``;
    ``e``: verification scale interval in ``unit`` (R 76); ``stage``: ``"initial"`` or ``"in-service"``
    (R 76-1 3.5.2: in service = 2 × initial); ``at``/``zone``: band selectors for rules whose bands
    depend on something else (e.g. water-meter flow-rate zone ``"lower"``/``"upper"``).
    """
    r = get_rule(rule)
    rid = r["id"]
    if not isinstance(cls, str):
        raise InputError(f"class: expected a class name such as 'III' or 'F1', got {cls!r}")
    ref = to_decimal(reference, "reference")
    stages = r.get("stages", {"initial": 1})
    if not isinstance(stage, str) or stage not in stages:
        raise InputError(f"stage: rule {rid} defines stages {sorted(stages)}, got {stage!r}")
    stage_factor = to_decimal(stages[stage], "stage")
    e_d = positive(e, "e") if e is not None else None
    if r["kind"] == "table":
        return _table_mpe(r, cls, ref, unit) * stage_factor
    classes = r["classes"]
    if not isinstance(cls, str) or cls not in classes:
        raise InputError(f"class: rule {rid} has classes {list(classes)}, got {cls!r}")
    abs_factor = units.factor(r["unit"], unit, "unit") if r.get("unit") else Decimal(1)
    basis = r.get("basis", "reference")
    if basis == "e_multiple":
        if e_d is None:
            raise InputError(f"e: rule {rid} needs the verification scale interval 'e' (in {unit})")
        x = ref / e_d
    elif basis == "reference":
        x = ref
    elif basis == "at":
        if at is None:
            raise InputError(f"at: rule {rid} selects bands by the point's 'at' value; give it")
        x = to_decimal(at, "at")
    else:
        x = None
    band = _pick_band(r, cls, x, zone)
    return (
        _eval_spec(band["mpe"], reference=ref, e=e_d, abs_factor=abs_factor, where=f"rule {rid}")
        * stage_factor
    )


def _pick_band(r: Mapping, cls: str, x: Decimal | None, zone: str | None) -> Mapping:
    rid = r["id"]
    bands = r["classes"][cls]
    zoned = [b for b in bands if "zone" in b]
    if zoned and (zone is not None or x is None):
        for b in zoned:
            if b["zone"] == zone:
                return b
        raise InputError(f"zone: rule {rid} class {cls} has zones {[b['zone'] for b in zoned]}, got {zone!r}")
    if x is None:
        raise InputError(f"zone: rule {rid} class {cls} needs a 'zone' for each point")
    lo = to_decimal(r.get("min", 0), "min")
    if x < lo:
        raise InputError(f"reference: {x} is below the lowest band of rule {rid} class {cls} (from {lo})")
    for b in bands:
        if "zone" in b:
            continue
        if b["up_to"] is None or x <= to_decimal(b["up_to"], "up_to"):
            return b
    top = [b["up_to"] for b in bands if "zone" not in b][-1]
    what = f"{x} e" if r.get("basis") == "e_multiple" else str(x)
    raise InputError(f"reference: {what} is above the highest band of rule {rid} class {cls} (up to {top})")


def _table_mpe(r: Mapping, cls: str, ref: Decimal, unit: str) -> Decimal:
    rid = r["id"]
    for row in r["table"]:
        nom, nom_unit = _parse_quantity(row["nominal"], "nominal")
        if nom * units.factor(nom_unit, unit, "unit") == ref:
            if cls not in row:
                classes = [k for k in row if k != "nominal"]
                raise InputError(f"class: rule {rid} has classes {classes}, got {cls!r}")
            if row[cls] is None:
                raise InputError(
                    f"class: rule {rid} has no class {cls} weight of nominal value {row['nominal']}"
                )
            return to_decimal(row[cls], "mpe") * units.factor(r["unit"], unit, "unit")
    raise InputError(f"reference: {ref} {unit} is not a nominal value listed in rule {rid}")


def check_points(
    rule: str | Mapping,
    cls: str,
    points: list[Mapping[str, Any]],
    *,
    unit: str,
    e: Any = None,
    stage: str = "initial",
    U: Any = None,
) -> dict:
    """Check measured points against the MPE of ``rule``/``cls``.

    Each point is ``{"reference", "indication"}`` in ``unit`` (optionally ``"at"``, ``"zone"``,
    ``"U"``). Returns ``{"points": [{"reference", "indication", "error", "mpe", "ok", ...}], "ok"}``.
    ``ok`` for a point is ``|error| <= mpe``. When an expanded uncertainty ``U`` (k = 2, in ``unit``) is
    given and the rule states ``uncertainty_max_fraction_of_mpe`` (R 111-1 5.2: 1/3), the point also
    reports ``u_ok`` (``U <= MPE/3``) and ``ok`` requires it; ``ok_with_uncertainty`` reports the
    stricter R 111-1 conventional-mass condition ``|error| <= MPE − U``.
    """
    r = get_rule(rule)
    if not isinstance(points, list) or not points:
        raise InputError("points: expected a non-empty list of {reference, indication}")
    U_all = positive(U, "U", allow_zero=True) if U is not None else None
    frac = r.get("uncertainty_max_fraction_of_mpe")
    frac_d = None
    if frac is not None:
        f = Fraction(str(frac))
        frac_d = (Decimal(f.numerator), Decimal(f.denominator))
    out = []
    all_ok = True
    for i, p in enumerate(points):
        if not isinstance(p, Mapping):
            raise InputError(f"points[{i}]: expected an object with reference and indication")
        ref = to_decimal(require(p, "reference", f"points[{i}]"), f"points[{i}].reference")
        ind = to_decimal(require(p, "indication", f"points[{i}]"), f"points[{i}].indication")
        try:
            m = mpe(r, cls, ref, unit=unit, e=e, stage=stage, at=p.get("at"), zone=p.get("zone"))
        except InputError as exc:
            raise InputError(f"points[{i}]: {exc}") from None
        err = ind - ref
        ok = abs(err) <= m
        row: dict[str, Any] = {"reference": ref, "indication": ind, "error": err, "mpe": m, "ok": ok}
        U_p = positive(p["U"], f"points[{i}].U", allow_zero=True) if p.get("U") is not None else U_all
        if U_p is not None:
            row["U"] = U_p
            row["ok_with_uncertainty"] = abs(err) <= m - U_p
            if frac_d is not None:
                row["u_max"] = m * frac_d[0] / frac_d[1]
                row["u_ok"] = U_p * frac_d[1] <= m * frac_d[0]
                row["ok"] = ok and row["u_ok"]
        all_ok = all_ok and row["ok"]
        out.append(row)
    return {
        "rule": r["id"],
        "source": r["source"],
        "class": cls,
        "stage": stage,
        "unit": unit,
        "points": out,
        "ok": all_ok,
    }


for _r in MPE_RULES:
    register_rule(_r)
