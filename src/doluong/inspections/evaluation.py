"""Verdicts of inspection checks, computed from the metrology engine and the verification records.

``lot_check_evaluate`` and ``instrument_check_evaluate`` set a check's verdict on the object without
saving; the models' ``clean()`` calls them, so a verdict is never typed and is recomputed on every
save. This module imports only models and :mod:`doluong.metrology`, never
:mod:`doluong.inspections.services` (which re-exports these functions for its callers).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from doluong.inspections.choices import CheckResult, LotOutcome
from doluong.metrology import mpe as mpe_engine
from doluong.metrology import prepackages
from doluong.metrology._common import InputError
from doluong.providers.models import Activity
from doluong.records.models import Result, ServiceRecord, Stage

IN_SERVICE = Stage.IN_SERVICE.value
INITIAL = Stage.INITIAL.value


def _jsonable(value):
    """Decimals as exact strings; everything else JSON-safe (the verdict is stored as JSON)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------------
# lot checks


def lot_outcome(verdict: dict) -> str:
    """accepted / rejected / inconclusive from :func:`~doluong.metrology.prepackages.evaluate_lot`'s output.

    The engine rejects a lot whose sample is smaller than the plan requires. An inspector needs to
    know whether the lot failed: when the smaller sample already breaks T1 (more defectives than the
    plan accepts) or T2 (a package below Qn − 2T), more packages cannot undo it and the lot is rejected;
    otherwise there is no conclusion until the missing packages are weighed.
    """
    if verdict.get("accepted"):
        return LotOutcome.ACCEPTED
    if verdict.get("decision") == "second-sample-required":
        return LotOutcome.INCONCLUSIVE
    if not verdict.get("sample_size_ok") and verdict.get("t1_ok") and verdict.get("t2_ok"):
        return LotOutcome.INCONCLUSIVE
    return LotOutcome.REJECTED


def lot_check_evaluate(*, lot) -> dict:  # lot: an inspections.models.LotCheck (which calls this)
    """Evaluate ``lot`` with :func:`doluong.metrology.prepackages.evaluate_lot`; set ``verdict`` and ``outcome``.

    Does not save. Raises ValidationError (on the field concerned) when the engine refuses the input,
    e.g. a nominal quantity outside the scheme's table.
    """
    try:
        verdict = prepackages.evaluate_lot(nominal=lot.nominal, unit=lot.unit, lot_size=int(lot.lot_size),
                                           actual=list(lot.actual), scheme=lot.scheme,
                                           destructive=bool(lot.destructive))
    except InputError as exc:
        message = str(exc)
        field = message.split(":", 1)[0].split(".")[0].split("[")[0]
        field = {"nominal": "nominal", "lot_size": "lot_size", "actual": "actual", "scheme": "scheme",
                 "unit": "unit"}.get(field, "__all__")
        raise ValidationError({field: _("The lot could not be evaluated: %(error)s") % {"error": message}}) from None
    scheme = prepackages.get_scheme(lot.scheme)
    verdict["scheme_verified"] = scheme.get("verified", True)
    lot.verdict = _jsonable(verdict)
    lot.outcome = lot_outcome(verdict)
    return lot.verdict


# ---------------------------------------------------------------------------------------------------
# instrument checks


def normalise_class(text: str) -> str:
    """"Cấp III", "class III", "cấp chính xác 0,5" → "III", "0.5" (the rule's class names)."""
    text = (text or "").strip()
    text = re.sub(r"(?i)^(cấp chính xác|cấp|class|cl\.)\s*", "", text).strip()
    return text.replace(",", ".").upper() if text else ""


def valid_verification_on(instrument_id: int, day: dt.date) -> ServiceRecord | None:
    """The latest passing verification performed on or before ``day`` whose validity covers ``day`` and whose
    certificate stood on ``day``: a certificate withdrawn on or before ``day`` does not count, and a superseded
    version gives way to its correction (which carries the same validity)."""
    return (ServiceRecord.objects.filter(instrument_id=instrument_id, activity=Activity.VERIFICATION,
                                         result=Result.PASS, performed_on__lte=day, valid_until__gte=day,
                                         superseded_by__isnull=True)
            .exclude(withdrawn_on__lte=day)
            .order_by("-performed_on", "-pk").first())


def instrument_check_evaluate(*, check) -> dict:  # check: an inspections.models.InstrumentCheck
    """Find the valid verification as of ``check.checked_on`` and check the points against the in-service MPE.

    Sets ``has_valid_verification``, ``verification_record``, ``error_ok``, ``evaluation`` and
    ``result`` (fail when the verification is missing or expired, the stamp is broken, or a point's
    error exceeds the MPE); does not save. The MPE comes from the instrument kind's ``mpe_rule`` via
    :func:`doluong.metrology.mpe.check_points` at the ``in-service`` stage (OIML R 76-1 3.5.2: twice
    the initial MPE); a rule without that stage uses its initial MPE and says so in ``evaluation``.
    """
    instrument = check.instrument
    record = valid_verification_on(instrument.pk, check.checked_on)
    check.verification_record = record
    check.has_valid_verification = record is not None
    evaluation: dict = {"notes": []}
    check.error_ok = None
    if check.points:
        rule_id = instrument.kind.mpe_rule
        if not rule_id:
            raise ValidationError({"points": _("The kind “%(kind)s” has no MPE rule, so the points cannot be "
                                              "checked; leave them out or ask an administrator to set the rule.")
                                   % {"kind": instrument.kind}})
        cls = normalise_class(check.accuracy_class or instrument.accuracy_class)
        try:
            rule = mpe_engine.get_rule(rule_id)
            stage = IN_SERVICE if IN_SERVICE in rule.get("stages", {}) else INITIAL
            if stage != IN_SERVICE:
                evaluation["notes"].append(
                    _("Rule %(rule)s defines no in-service MPE; the initial MPE was used.") % {"rule": rule_id})
            if rule.get("requires_e") and check.e is None:
                raise ValidationError({"e": _("Rule %(rule)s needs the verification scale interval e (in %(unit)s)."
                                              ) % {"rule": rule_id, "unit": check.points_unit}})
            if not cls:
                raise ValidationError({"accuracy_class": _("Enter the accuracy class (the instrument has none).")})
            out = mpe_engine.check_points(rule_id, cls, list(check.points), unit=check.points_unit,
                                          e=check.e, stage=stage)
        except InputError as exc:
            raise ValidationError({"points": _("The points could not be checked: %(error)s") % {"error": exc}}
                                  ) from None
        evaluation.update(out)
        check.error_ok = bool(out["ok"])
    failed = (check.has_valid_verification is False or check.stamp_intact is False or check.error_ok is False)
    check.result = CheckResult.FAIL if failed else CheckResult.PASS
    evaluation["verification_record"] = record.pk if record else None
    check.evaluation = _jsonable(evaluation)
    return check.evaluation


__all__ = ["instrument_check_evaluate", "lot_check_evaluate", "lot_outcome", "normalise_class",
           "valid_verification_on"]
