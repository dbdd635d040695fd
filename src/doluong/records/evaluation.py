"""A record's numbers, evaluated by the metrology engine when the record is cleaned.

* Verification points against the MPE of the instrument kind's ``mpe_rule`` (``calc mpe``): stage from
  ``verification_stage`` (initial unless the user chose in service), class from the instrument's
  ``accuracy_class``, ``e`` (OIML R 76) from the record's ``scale_interval_e``. The per-point error,
  MPE and verdict are stored in ``points_evaluated``; a verification whose points exceed the MPE
  cannot be saved as passed, and the message names the failing points.
* An uncertainty budget (``calc uncertainty``): the result is stored in ``uncertainty_result`` and
  fills the measured value, U, k and the coverage probability.
* A decision rule (``calc decide``, ILAC G8): the statement of conformity is stored in ``decision``.

Nothing here does arithmetic of its own; :func:`evaluate_record` returns ``{field: message}``.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from doluong.providers.models import Activity
from doluong.records.engine import CalcFailure, compute

PASS = "pass"  # noqa: S105 (a result, not a password)


def fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        x = Decimal(repr(x))
    if isinstance(x, Decimal):
        return number_format(x.normalize() if x == x.to_integral() else x, use_l10n=True)
    return str(x)


def evaluate_record(record) -> dict:
    errors: dict = {}
    if record.verification_stage in (None, ""):
        record.verification_stage = "initial"
    if record.guard_band_factor is None:
        record.guard_band_factor = 1
    _points(record, errors)
    _uncertainty(record, errors)
    _decision(record, errors)
    return errors


def _points(record, errors: dict) -> None:
    record.points_evaluated = {}
    points = record.points or []
    if not points or record.activity != Activity.VERIFICATION or not record.instrument_id:
        return
    instrument = record.instrument
    rule = instrument.kind.mpe_rule
    if not rule:
        record.points_evaluated = {"skipped": "no-rule"}
        return
    if not instrument.accuracy_class:
        errors["points"] = _("The instrument has no accuracy class, so its MPE is not known: record the class on "
                             "the instrument first.")
        return
    if not record.measurement_unit:
        errors["measurement_unit"] = _("Give the unit of the measured points (e.g. kg).")
        return
    payload = {"rule": rule, "class": instrument.accuracy_class, "unit": record.measurement_unit,
               "stage": record.verification_stage or "initial", "points": points}
    if record.scale_interval_e is not None:
        payload["e"] = str(Decimal(record.scale_interval_e).normalize())
    try:
        result = compute("mpe", payload)
    except CalcFailure as f:
        which = f.inner if f.field == "points" and f.inner in ("class", "e", "unit", "stage") else f.field
        field = {"e": "scale_interval_e", "unit": "measurement_unit", "stage": "verification_stage"}.get(
            which, "points")
        if which == "class":
            errors["points"] = _("Accuracy class %(cls)s of the instrument is not covered by rule %(rule)s: "
                                 "%(detail)s") % {"cls": instrument.accuracy_class, "rule": rule, "detail": f.message}
        else:
            errors[field] = f.message
        return
    record.points_evaluated = result
    if not result["ok"] and record.result == PASS:
        unit = record.measurement_unit
        failing = [
            _("point %(n)d (reference %(ref)s %(unit)s, indication %(ind)s %(unit)s): error %(err)s %(unit)s, "
              "MPE ±%(mpe)s %(unit)s") % {"n": i, "ref": fmt(p["reference"]), "ind": fmt(p["indication"]),
                                          "err": fmt(p["error"]), "mpe": fmt(p["mpe"]), "unit": unit}
            for i, p in enumerate(result["points"], start=1) if not p["ok"]
        ]
        errors["result"] = _("A verification whose points exceed the maximum permissible error cannot pass: "
                             "%(points)s.") % {"points": "; ".join(failing)}


def _uncertainty(record, errors: dict) -> None:
    record.uncertainty_result = {}
    budget = record.uncertainty_budget or {}
    if not budget:
        return
    try:
        result = compute("uncertainty", budget)
    except CalcFailure as f:
        errors["uncertainty_budget"] = f.message
        return
    record.uncertainty_result = result
    record.measured_value = result["value"]
    record.expanded_uncertainty = result["U"]
    record.coverage_factor = result["k"]
    record.coverage_probability = result["coverage_probability"]


_DECIDE_FIELDS = {"value": "measured_value", "U": "expanded_uncertainty", "r": "guard_band_factor",
                  "lower": "lower_limit", "upper": "upper_limit", "lower/upper": "lower_limit",
                  "rule": "decision_rule"}


def _decision(record, errors: dict) -> None:
    record.decision = ""
    record.decision_detail = {}
    if (record.expanded_uncertainty is not None and record.coverage_factor is None
            and "uncertainty_budget" not in errors):
        errors.setdefault("coverage_factor", _("State the coverage factor k of the expanded uncertainty."))
    if not record.decision_rule:
        return
    if record.measured_value is None:
        if "uncertainty_budget" not in errors:
            errors.setdefault("measured_value", _("A decision rule needs the measured value (or an uncertainty "
                                                  "budget that gives it)."))
        return
    payload = {"value": record.measured_value, "rule": record.decision_rule, "r": record.guard_band_factor}
    for key, name in (("U", "expanded_uncertainty"), ("lower", "lower_limit"), ("upper", "upper_limit")):
        if getattr(record, name) is not None:
            payload[key] = getattr(record, name)
    try:
        result = compute("decide", payload)
    except CalcFailure as f:
        errors.setdefault(_DECIDE_FIELDS.get(f.field, "decision_rule"), f.message)
        return
    record.decision = result["decision"]
    record.decision_detail = result
    if result["decision"] in ("fail", "conditional-fail") and record.result == PASS:
        errors.setdefault("result", _("The statement of conformity is “%(decision)s” under the %(rule)s rule, so "
                                      "the result cannot be pass.") % {"decision": result["decision_vi"],
                                                                        "rule": record.decision_rule})
