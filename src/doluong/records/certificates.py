"""Issued certificates: the frozen statement, its state (current, expired, withdrawn, superseded), corrections,
withdrawals, the public lookup and the PDF.

A record with a certificate number is an **issued certificate**. When it is issued (created with a number, or
given one), :func:`freeze` copies into ``ServiceRecord.certificate`` what it certifies: the instrument's identity
(kind, serial, manufacturer, model, range, class), the owner's name, the provider (name, code, address), the
designation in force, the officer's name. Those parts are never taken again from the live objects, so an
enterprise changing its instrument's serial, or a provider renaming itself, changes no issued certificate; the
record's own values (date, result, points, value, U, k, decision, valid-until) are copied on every write of the
record, each write leaving its history row. An issued certificate keeps its instrument, provider and number
(``IssuedCertificateStays``, for forms and imports alike), is never deleted (``delete_lock``), and is changed
in two ways only, both here: :func:`correct` issues a new version (a new number) that supersedes it, and
:func:`withdraw` withdraws it with a reason class, details, the date and who did it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from doluong.core import writes
from doluong.providers.models import Activity, designation_in_force
from doluong.providers.selectors import ScopeMap
from doluong.records.models import Result, ServiceRecord, WithdrawalReason

SNAPSHOT_VERSION = 1
# The parts copied from other objects when the certificate is issued, never refreshed from them.
CONTEXT_KEYS = ("instrument", "owner", "provider", "designation")
# The record's own values an import writes, by the attname they come from (the rest of the statement keeps what
# the record said before).
IMPORTED = {"number": "certificate_number", "stamp": "stamp_number", "activity": "activity",
            "performed_on": "performed_on", "result": "result", "valid_until": "valid_until", "measurand": "measurand"}


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _num(x):
    return None if x is None else float(x)


def own_part(values, *, only: tuple[str, ...] | None = None) -> dict:
    """The statement's parts the record itself holds, from attname → value (an object's or an import row's)."""
    get = values.get
    evaluated = get("points_evaluated") or {}
    detail = get("decision_detail") or {}
    part = {
        "number": get("certificate_number") or "",
        "stamp": get("stamp_number") or "",
        "activity": get("activity") or Activity.VERIFICATION,
        "performed_on": _iso(get("performed_on")),
        "result": get("result") or Result.PASS,
        "valid_until": _iso(get("valid_until")),
        "measurand": get("measurand") or "",
        "unit": get("measurement_unit") or "",
        "stage": get("verification_stage") or "",
        "e": None if get("scale_interval_e") is None else str(get("scale_interval_e")),
        "points": evaluated.get("points") or get("points") or [],
        "points_ok": evaluated.get("ok"),
        "mpe_source": evaluated.get("source", ""),
        "measured_value": _num(get("measured_value")),
        "U": _num(get("expanded_uncertainty")),
        "k": _num(get("coverage_factor")),
        "p": _num(get("coverage_probability")),
        "decision_rule": get("decision_rule") or "",
        "limits": [_num(get("lower_limit")), _num(get("upper_limit"))],
        "decision": get("decision") or "",
        "decision_vi": detail.get("decision_vi", ""),
        "acceptance_limits": detail.get("acceptance_limits"),
        "as_found": get("points_as_found") or [],
        "conditions": {"t": _num(get("ambient_temperature")), "rh": _num(get("ambient_humidity")),
                       "p": _num(get("ambient_pressure"))},
    }
    if only is not None:
        part = {k: part[k] for k in only}
    return part


def field_defaults() -> dict:
    """attname → the model's default, for import rows (a new row's columns the file leaves out get them)."""
    return {f.attname: f.get_default() for f in ServiceRecord._meta.concrete_fields if f.has_default()}


def instrument_part(instrument) -> dict:
    kind = instrument.kind
    return {
        "instrument": {"id": instrument.pk, "kind": kind.name, "kind_code": kind.code,
                       "serial": instrument.serial_number, "manufacturer": instrument.manufacturer,
                       "model": instrument.model_name, "range": instrument.measuring_range,
                       "accuracy_class": instrument.accuracy_class,
                       "procedure": getattr(kind, "verification_method", "") or ""},
        "owner": {"name": instrument.owner.name},
    }


def provider_part(provider) -> dict:
    return {"provider": {"id": provider.pk, "name": provider.name, "code": provider.provider_code or "",
                         "address": provider.address}}


def officer_part(officer) -> dict:
    if officer is None:
        return {"officer": None}
    return {"officer": {"id": officer.pk, "name": officer.full_name, "certificate": officer.certificate_number}}


def designation_in(scopes: ScopeMap, *, provider_id, kind_id, activity, on) -> dict | None:
    """The designation in force on ``on`` under which the provider did this (number and date), if any."""
    if not on:
        return None
    held = scopes.scopes.get((provider_id, kind_id, activity), ())
    hits = sorted((s for s in held if designation_in_force(s[0], s[1], s[2], on)), key=lambda s: s[0], reverse=True)
    return {"number": hits[0][4], "date": hits[0][0].isoformat()} if hits else None


def freeze(record: ServiceRecord, *, preview: bool = False) -> dict:
    """The statement of an issued record (see the module docstring); a record without a number states nothing
    (``preview``: what it would state if issued now, for the printable page of a draft)."""
    if not record.certificate_number and not preview:
        return {}
    old = record.certificate or {}
    same = (old.get("instrument") or {}).get("id") == record.instrument_id and \
        (old.get("provider") or {}).get("id") == record.provider_id
    if same:
        context = {k: old[k] for k in CONTEXT_KEYS if k in old}
        if old.get("performed_on") != _iso(record.performed_on) or old.get("activity") != record.activity:
            context["designation"] = _designation_of(record)
    else:
        context = {**instrument_part(record.instrument), **provider_part(record.provider),
                   "designation": _designation_of(record)}
    if (old.get("officer") or {}).get("id") == record.officer_id and "officer" in old:
        officer = {"officer": old["officer"]}
    else:
        officer = officer_part(record.officer if record.officer_id else None)
    values = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
    return {"v": SNAPSHOT_VERSION, **context, **officer, **own_part(values),
            "issued_at": old.get("issued_at") or timezone.now().isoformat(timespec="seconds")}


def _designation_of(record) -> dict | None:
    instrument = record.instrument
    return designation_in(ScopeMap({record.provider_id}), provider_id=record.provider_id, kind_id=instrument.kind_id,
                          activity=record.activity, on=record.performed_on)


# --- state -----------------------------------------------------------------------------------------

CURRENT, EXPIRED, WITHDRAWN, SUPERSEDED, FAILED, ISSUED, NO_VALIDITY = (
    "current", "expired", "withdrawn", "superseded", "failed", "issued", "no-validity")


@dataclass(frozen=True)
class State:
    code: str
    text: str        # the sentence the public check and the PDF print
    tone: str        # a Bootstrap colour: success, warning, danger, secondary
    valid: bool      # whether the certificate vouches for the instrument today


def _d(day) -> str:
    return day.strftime("%d/%m/%Y")


def state_of(record: ServiceRecord, today: dt.date | None = None) -> State:
    """What the certificate is worth today, in words."""
    today = today or timezone.localdate()
    if record.withdrawn_on:
        return State(WITHDRAWN, _("Withdrawn on %(date)s (%(reason)s).") % {
            "date": _d(record.withdrawn_on), "reason": record.get_withdrawal_reason_display() or _("no reason given")},
            "danger", False)
    if record.superseded_by_id:
        newer = record.superseded_by
        return State(SUPERSEDED, _("Superseded by number %(number)s: check that certificate instead.") % {
            "number": newer.certificate_number}, "warning", False)
    if record.activity != Activity.VERIFICATION:
        what = _("calibration certificate") if record.activity == Activity.CALIBRATION else _("test report")
        return State(ISSUED, _("Genuine %(what)s issued for the work of %(date)s. It states measured values and has "
                               "no validity date.") % {"what": what, "date": _d(record.performed_on)},
                     "secondary", True)
    if record.result != Result.PASS:
        return State(FAILED, _("Genuine: the instrument failed this verification on %(date)s; it is not certified "
                               "for use.") % {"date": _d(record.performed_on)}, "danger", False)
    if record.valid_until is None:
        return State(NO_VALIDITY, _("Genuine: verified on %(date)s; no validity period is set for this kind of "
                                    "instrument.") % {"date": _d(record.performed_on)}, "secondary", True)
    if record.valid_until >= today:
        return State(CURRENT, _("Genuine and current (valid until %(date)s).") % {"date": _d(record.valid_until)},
                     "success", True)
    return State(EXPIRED, _("Genuine but expired on %(date)s (it was valid until %(until)s).") % {
        "date": _d(record.valid_until + dt.timedelta(days=1)), "until": _d(record.valid_until)}, "warning", False)


FORGED = gettext_noop("Not issued by any provider here: no certificate or stamp with this number is registered. "
                      "A certificate bearing it is not genuine; report it to the Department of Science and "
                      "Technology.")


def lookup(number: str):
    """Records whose certificate or stamp number is ``number``, case-insensitively, through the UPPER(…) indexes."""
    wanted = number.strip().upper()
    return (ServiceRecord.objects.alias(cn=Upper("certificate_number"), sn=Upper("stamp_number"))
            .filter(Q(cn=wanted) | Q(sn=wanted)))


# --- corrections and withdrawals -------------------------------------------------------------------

# The fields a correction copies from the version it corrects (the form may change any of them).
COPIED = ("provider_id", "instrument_id", "officer_id", "activity", "performed_on", "result", "stamp_number",
          "unit_id", "points", "measurand", "measurement_unit", "verification_stage", "scale_interval_e",
          "uncertainty_budget", "measured_value", "expanded_uncertainty", "coverage_factor", "coverage_probability",
          "decision_rule", "guard_band_factor", "lower_limit", "upper_limit", "notes")


def correction_draft(old: ServiceRecord) -> ServiceRecord:
    """An unsaved record with the values of ``old`` and no number: the start of its corrected version."""
    new = ServiceRecord(**{name: getattr(old, name) for name in COPIED})
    new.source = old.source if old.source != "demo" else "form"
    return new


def why_not_correctable(old: ServiceRecord) -> str | None:
    if not old.certificate_number:
        return _("This record has no certificate number: edit it instead.")
    return old.edit_lock()


@transaction.atomic
def correct(old: ServiceRecord, new: ServiceRecord, *, user, m2m=None, exclude=()) -> ServiceRecord:
    """Issue ``new`` (an unsaved record, its own number) as the corrected version of ``old``, which it supersedes.

    Both writes go through the write path (rules, history, due dates); who may correct is who may change ``old``
    (and add ``new``)."""
    old = writes.locked(ServiceRecord, old.pk, user, "change")
    reason = why_not_correctable(old)
    if reason:
        raise ValidationError(reason)
    if not new.certificate_number or new.certificate_number == old.certificate_number:
        raise ValidationError({"certificate_number": _("A corrected version needs a new certificate number.")})
    if new.instrument_id != old.instrument_id:
        raise ValidationError({"instrument": _("A corrected version certifies the same instrument; for another "
                                               "instrument, withdraw this certificate and record a new one.")})
    new.certificate = {}
    writes.save(new, user=user, via=writes.Via.FORM, m2m=m2m, exclude=exclude)
    writes.change(old, user=user, superseded_by=new)
    return new


@transaction.atomic
def withdraw(record: ServiceRecord, *, user, reason: str, note: str = "", on: dt.date | None = None) -> ServiceRecord:
    """Withdraw an issued certificate: it stays, says why, and no longer vouches for the instrument."""
    record = writes.locked(ServiceRecord, record.pk, user, "change")
    on = on or timezone.localdate()
    if not record.certificate_number:
        raise ValidationError(_("This record has no certificate number: there is nothing to withdraw; delete it."))
    locked = record.edit_lock()
    if locked:
        raise ValidationError(locked)
    if reason not in WithdrawalReason.values:
        raise ValidationError({"withdrawal_reason": _("Choose a reason for the withdrawal.")})
    if reason == WithdrawalReason.OTHER and not note.strip():
        raise ValidationError({"withdrawal_note": _("Say why the certificate is withdrawn.")})
    if on > timezone.localdate() or (record.performed_on and on < record.performed_on):
        raise ValidationError({"withdrawn_on": _("The withdrawal date must be between the certificate's date and "
                                                 "today.")})
    return writes.change(record, user=user, withdrawn_on=on, withdrawal_reason=reason, withdrawal_note=note.strip(),
                         withdrawn_by=user if getattr(user, "pk", None) else None)


def versions(record: ServiceRecord) -> list[ServiceRecord]:
    """Every version of this certificate, oldest first (the corrections chain through ``superseded_by``)."""
    chain = [record]
    seen = {record.pk}
    older = ServiceRecord.objects.filter(superseded_by=record).first()
    while older is not None and older.pk not in seen:
        chain.insert(0, older)
        seen.add(older.pk)
        older = ServiceRecord.objects.filter(superseded_by=older).first()
    newer = record.superseded_by
    while newer is not None and newer.pk not in seen:
        chain.append(newer)
        seen.add(newer.pk)
        newer = newer.superseded_by
    return chain


# --- the printed certificate ------------------------------------------------------------------------

def document_context(record: ServiceRecord, check_url: str) -> dict:
    """What the HTML certificate page and the PDF show: the frozen statement, the state, the QR code."""
    if record.certificate_number and not record.certificate:
        freeze_missing(ServiceRecord.objects.filter(pk=record.pk))  # a record made around the write path
        record.certificate = ServiceRecord.objects.values_list("certificate", flat=True).get(pk=record.pk)
    cert = record.certificate or freeze(record, preview=True)
    state = state_of(record)
    return {
        "object": record, "cert": cert, "state": state, "check_url": check_url,
        "performed_on": as_date(cert.get("performed_on")), "valid_until": as_date(cert.get("valid_until")),
        "issued_on": as_date((cert.get("issued_at") or "")[:10]),
        "designation_date": as_date((cert.get("designation") or {}).get("date")),
        "is_calibration": cert.get("activity") == Activity.CALIBRATION,
        "standards_used": list(record.standards.all()) if record.pk else [],
        "conditions": {k: v for k, v in (cert.get("conditions") or {}).items() if v is not None},
    }


def as_date(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def qr_inline_svg(url: str) -> str:
    """The QR code as inline SVG (drawn by WeasyPrint itself: nothing to fetch), 32 mm wide."""
    import segno
    from django.utils.safestring import mark_safe

    svg = segno.make(url, error="m").svg_inline(scale=4, border=4, omitsize=True, svgclass="qr")
    return mark_safe(svg)  # segno's output; the URL is escaped by segno


def render_pdf(record: ServiceRecord, check_url: str) -> bytes:
    from doluong.core.documents import render_pdf as render
    from doluong.records.dcc import rule_statement

    ctx = document_context(record, check_url)
    ctx["qr"] = qr_inline_svg(check_url) if check_url else ""
    ctx["rule_vi"] = rule_statement(record, "vi") if record.decision_rule else ""
    return render("records/certificate_pdf.html", ctx)


def freeze_missing(queryset=None, *, chunk: int = 2000) -> int:
    """Freeze the statement of issued records that have none (records bulk-created around the write path: the
    demo generator). A derived column set by the system, like the instruments' due dates: no history row."""
    qs = (queryset if queryset is not None else ServiceRecord.objects.all()).exclude(certificate_number="").filter(
        certificate={}).select_related("instrument", "instrument__kind", "instrument__owner", "provider", "officer")
    done, last = 0, 0
    while True:
        records = list(qs.filter(pk__gt=last).order_by("pk")[:chunk])
        if not records:
            return done
        last = records[-1].pk
        for r in records:
            r.certificate = freeze(r)
        ServiceRecord.objects.bulk_update(records, ["certificate"])
        done += len(records)
