"""Evaluations and writes of inspections.

``lot_check_evaluate`` and ``instrument_check_evaluate`` compute a check's verdict from the metrology
engine (and, for instruments, the verification records) and set it on the object without saving;
the models' ``clean()`` calls them, so a verdict is never typed and is recomputed on every save.
``inspection_close`` and ``finding_record`` are transactional writes, keyword-only, checking the
user's rights through :mod:`doluong.core.access`.
"""

import datetime as dt
import re
from contextlib import nullcontext
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doluong.core import access, changelog
from doluong.inspections.models import (
    CheckResult,
    Finding,
    FindingStatus,
    Inspection,
    InspectionStatus,
    InstrumentCheck,
    LotCheck,
    LotOutcome,
)
from doluong.metrology import mpe as mpe_engine
from doluong.metrology import prepackages
from doluong.metrology._common import InputError
from doluong.providers.models import Activity
from doluong.records.models import Result, ServiceRecord

IN_SERVICE = "in-service"


def _jsonable(value):
    """Decimals as exact strings; everything else JSON-safe (the verdict is stored as JSON)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _acting_as(user):
    ctx = changelog.current()
    if user is None or ctx.user_id == getattr(user, "pk", None):
        return nullcontext()
    return changelog.change_context(user, enabled=ctx.enabled)


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


def lot_check_evaluate(*, lot: LotCheck) -> dict:
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
    """The latest passing verification performed on or before ``day`` whose validity covers ``day``."""
    return (ServiceRecord.objects.filter(instrument_id=instrument_id, activity=Activity.VERIFICATION,
                                         result=Result.PASS, performed_on__lte=day, valid_until__gte=day)
            .order_by("-performed_on", "-pk").first())


def instrument_check_evaluate(*, check: InstrumentCheck) -> dict:
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
            stage = IN_SERVICE if IN_SERVICE in rule.get("stages", {}) else "initial"
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


# ---------------------------------------------------------------------------------------------------
# inspections and findings


def inspection_close(*, inspection: Inspection, user, on: dt.date) -> Inspection:
    """Close ``inspection`` on ``on``; refused (ValidationError listing them) while a finding is open."""
    with transaction.atomic(), _acting_as(user):
        qs = Inspection.objects.filter(pk=inspection.pk)
        if user is not None:
            qs = access.restrict(qs, user, "change")
        locked = qs.select_for_update().first()
        if locked is None:
            raise PermissionDenied(_("You may not change this inspection."))
        open_ones = list(locked.open_findings().order_by("pk"))
        if open_ones:
            raise ValidationError(_("The inspection cannot be closed while findings are open: %(list)s.") % {
                "list": "; ".join(str(f) for f in open_ones)})
        locked.status = InspectionStatus.CLOSED
        locked.closed_on = on
        locked.full_clean()
        locked.save()
        return locked


def after_finding_saved(finding: Finding) -> None:
    """A finding moves its open inspection to "findings recorded" (inside the saving transaction)."""
    Inspection.objects.filter(pk=finding.inspection_id, status=InspectionStatus.OPEN).update(
        status=InspectionStatus.FINDINGS)


def finding_close(*, finding: Finding, user, on: dt.date) -> Finding:
    """Mark the follow-up of ``finding`` done on ``on`` and close it."""
    with transaction.atomic(), _acting_as(user):
        qs = Finding.objects.filter(pk=finding.pk)
        if user is not None:
            qs = access.restrict(qs, user, "change")
        locked = qs.select_for_update().first()
        if locked is None:
            raise PermissionDenied(_("You may not change this finding."))
        locked.status = FindingStatus.CLOSED
        if locked.follow_up_deadline and not locked.follow_up_done_on:
            locked.follow_up_done_on = on
        locked.full_clean()
        locked.save()
        return locked


def checks_reevaluate(*, inspection: Inspection) -> int:
    """Recompute every check of ``inspection`` (after a scheme or a record was corrected); returns the count."""
    n = 0
    with transaction.atomic():
        for check in inspection.instrument_checks.select_related("instrument", "instrument__kind", "inspection"):
            check.full_clean()
            check.save()
            n += 1
        for lot in inspection.lot_checks.select_related("inspection"):
            lot.full_clean()
            lot.save()
            n += 1
    return n
