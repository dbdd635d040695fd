"""Notifications, reminders and the service-request workflow.

* :func:`notify` writes notifications for many (recipient, event) pairs at once: the unique key
  (recipient, kind, event) makes it idempotent, so the reminders may run as often as one likes; the
  e-mails of what was new go after the commit (:func:`send_emails`, one message per recipient).
* :func:`remind` computes the reminders of one day: instruments due within N days or overdue (to their
  owner's users), and for each provider its verification officers' certificates, its measurement standards'
  calibrations and its designations expiring within 60 days. ``doluong remind`` runs it (daily: docs/notices.md).
* :func:`send_request` and :func:`answer` are the service-request workflow; the follow-up
  :func:`_requests_tell_the_other_side` notifies the provider of a request and the enterprise of an answer,
  whatever face wrote it (form, service, import).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from doluong.core import writes
from doluong.core.roles import Role, role_of
from doluong.notices.models import (
    NoticeKind,
    Notification,
    RequestStatus,
    ServiceRequest,
    check_request,
    event_key,
    render,
)

log = logging.getLogger(__name__)

REMINDER_KINDS = (NoticeKind.INSTRUMENT_DUE, NoticeKind.INSTRUMENT_OVERDUE, NoticeKind.OFFICER_EXPIRING,
                  NoticeKind.STANDARD_DUE, NoticeKind.DESIGNATION_EXPIRING)
PROVIDER_WINDOW_DAYS = 60  # officers' certificates, standards, designations (as the home page's waiting panel)


def remind_days() -> int:
    return int(getattr(settings, "DOLUONG_REMIND_DAYS", 30))


def email_enabled() -> bool:
    """DOLUONG_EMAIL_ENABLED, which is on by default when a mail host is configured (DOLUONG_EMAIL_HOST)."""
    return bool(getattr(settings, "DOLUONG_EMAIL_ENABLED", False))


def _day(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


@dataclass(frozen=True)
class Notice:
    """One notification to write: the event (``obj`` and ``suffix``: its due date or status) and its words."""

    recipient_id: int
    kind: str
    obj: object
    suffix: str
    params: dict
    url: str = ""
    due_on: dt.date | None = None


def notify(notices: list[Notice], *, dry_run: bool = False, email: bool = True) -> list[Notification]:
    """Write the notifications not written before (by recipient, kind and event); return the new ones.

    The stored title and text are in the site's language (the e-mail's); pages show them in the reader's.
    ``email``: mail the new notifications once the surrounding transaction commits (the reminders mail all of
    a run's at its end instead).
    """
    if not notices:
        return []
    cts = {}
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for n in notices:
            model = type(n.obj)
            ct = cts.get(model) or cts.setdefault(model, ContentType.objects.get_for_model(model))
            title, body = render(n.kind, n.params)
            rows.append(Notification(recipient_id=n.recipient_id, kind=n.kind, title=title[:300], body=body,
                                     url=n.url, params=n.params, content_type=ct, object_id=n.obj.pk,
                                     due_on=n.due_on, key=event_key(n.obj, n.suffix)))
    fresh = []
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind, group in by_kind.items():
        for start in range(0, len(group), 1000):
            chunk = group[start:start + 1000]
            known = set(Notification.objects.filter(
                kind=kind, recipient_id__in={r.recipient_id for r in chunk}, key__in={r.key for r in chunk},
            ).values_list("recipient_id", "key"))
            seen = set()
            for r in chunk:
                if (r.recipient_id, r.key) not in known and (r.recipient_id, r.key) not in seen:
                    seen.add((r.recipient_id, r.key))
                    fresh.append(r)
    if dry_run or not fresh:
        return fresh
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)  # a concurrent run may have written some
    if email and email_enabled():
        wanted = defaultdict(set)
        for r in fresh:
            wanted[(r.recipient_id, r.kind)].add(r.key)
        q = Q(pk__in=[])
        for (recipient, kind), group in wanted.items():
            q |= Q(recipient_id=recipient, kind=kind, key__in=group)
        transaction.on_commit(lambda: send_emails(q))
    return fresh


def send_emails(which: Q) -> int:
    """E-mail the not yet e-mailed notifications ``which`` selects, one message per recipient with an address;
    a failure is logged and never stops the caller. Returns the number of messages sent."""
    from django.contrib.auth import get_user_model

    found = list(Notification.objects.filter(which, emailed_at__isnull=True).order_by("recipient_id", "due_on", "pk"))
    if not found:
        return 0
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={n.recipient_id for n in found}, is_active=True)
             .exclude(email="")}
    base = getattr(settings, "DOLUONG_SITE_URL", "").rstrip("/")
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in found:
        if n.recipient_id in users:
            by_user[n.recipient_id].append(n)
    messages, sent_ids = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, items in by_user.items():
            lines = []
            for n in items:
                lines.append(f"• {n.title}\n  {n.body}" + (f"\n  {base}{n.url}" if n.url else ""))
            subject = items[0].title if len(items) == 1 else _("doluong: %(count)d new notifications") % {
                "count": len(items)}
            footer = _("All your notifications: %(url)s") % {"url": base + reverse("notices_flow:inbox")}
            messages.append((subject[:200], "\n\n".join(lines) + "\n\n" + footer, settings.DEFAULT_FROM_EMAIL,
                             [users[user_id].email]))
            sent_ids.extend(n.pk for n in items)
    try:
        send_mass_mail(messages, fail_silently=False)
    except Exception:  # mail is a courtesy: the notifications are in the application
        log.exception("sending %d notification e-mails failed", len(messages))
        return 0
    Notification.objects.filter(pk__in=sent_ids).update(emailed_at=timezone.now())
    return len(messages)


# --- who is told --------------------------------------------------------------------------------------

def users_of(org_ids, roles=None) -> dict[int, list[int]]:
    """{organisation id: [active user ids]}, one query; ``roles``: the roles to prefer (the other users of an
    organisation are told only when it has none of those roles)."""
    from django.contrib.auth import get_user_model

    preferred: dict[int, list[int]] = defaultdict(list)
    others: dict[int, list[int]] = defaultdict(list)
    rows = get_user_model().objects.filter(organization_id__in=set(org_ids), is_active=True).values_list(
        "organization_id", "pk", "role")
    for org, pk, role in rows:
        (preferred if roles is None or role in roles else others)[org].append(pk)
    return {org: preferred.get(org) or others.get(org, []) for org in set(preferred) | set(others)}


# --- reminders ------------------------------------------------------------------------------------------

@dataclass
class Reminded:
    """What one run of the reminders wrote (or, in a dry run, would write)."""

    counts: Counter = field(default_factory=Counter)

    def add(self, kind: str, n: int) -> None:
        if n:
            self.counts[kind] += n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def remind(*, days: int | None = None, today: dt.date | None = None, dry_run: bool = False) -> Reminded:
    """Compute and write today's reminders (idempotent: what was sent before is not sent again)."""
    from doluong.instruments.models import Instrument, MeasurementStandard
    from doluong.orgs.models import OrganizationKind
    from doluong.providers.models import Designation, VerificationOfficer

    days = remind_days() if days is None else days
    today = today or timezone.localdate()
    started = timezone.now()
    soon = today + dt.timedelta(days=PROVIDER_WINDOW_DAYS)
    done = Reminded()

    def run(kind, objects, org_of, params_of, due_of, roles):
        objects = list(objects)
        recipients = users_of({org_of(o) for o in objects}, roles)
        notices = [Notice(user, kind, o, due_of(o).isoformat(), params_of(o), url=o.get_absolute_url(),
                          due_on=due_of(o))
                   for o in objects for user in recipients.get(org_of(o), ())]
        with transaction.atomic():
            done.add(kind, len(notify(notices, dry_run=dry_run, email=False)))

    instruments = Instrument.objects.select_related("kind").only(
        "id", "owner_id", "kind__name", "serial_number", "verification_due_on")
    owner_roles = {Role.ENTERPRISE}

    def instrument_params(i):
        return {"instrument": str(i), "due": _day(i.verification_due_on)}

    for kind, qs in ((NoticeKind.INSTRUMENT_DUE, instruments.due_within(days, today)),
                     (NoticeKind.INSTRUMENT_OVERDUE, instruments.overdue(today))):
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            run(kind, instruments.filter(pk__in=ids[start:start + 2000]).order_by("pk"), lambda i: i.owner_id,
                instrument_params, lambda i: i.verification_due_on, owner_roles)

    providers = {Role.PROVIDER}
    run(NoticeKind.OFFICER_EXPIRING,
        VerificationOfficer.objects.filter(is_active=True, expires_on__isnull=False, expires_on__lte=soon),
        lambda o: o.provider_id,
        lambda o: {"officer": o.full_name, "number": o.certificate_number, "due": _day(o.expires_on)},
        lambda o: o.expires_on, providers)
    run(NoticeKind.STANDARD_DUE,
        MeasurementStandard.objects.filter(calibration_due_on__isnull=False, calibration_due_on__lte=soon,
                                           owner__kind=OrganizationKind.PROVIDER),
        lambda s: s.owner_id, lambda s: {"standard": str(s), "due": _day(s.calibration_due_on)},
        lambda s: s.calibration_due_on, providers)
    run(NoticeKind.DESIGNATION_EXPIRING,
        Designation.objects.filter(revoked_on__isnull=True, expires_on__gte=today, expires_on__lte=soon),
        lambda d: d.provider_id, lambda d: {"number": d.decision_number, "due": _day(d.expires_on)},
        lambda d: d.expires_on, providers)
    if done.total and not dry_run and email_enabled():  # one message per person for the whole run
        which = Q(created__gte=started, kind__in=REMINDER_KINDS)
        transaction.on_commit(lambda: send_emails(which))
    return done


# --- service requests -----------------------------------------------------------------------------------

def send_request(*, user, provider, instruments, activity: str, message: str = "",
                 preferred_date: dt.date | None = None, enterprise=None) -> ServiceRequest:
    """An enterprise (``user``'s organisation, or ``enterprise`` for an officer) asks ``provider``; refused with
    the scope rule's message when the provider's designations do not cover an instrument's kind."""
    enterprise_id = enterprise.pk if enterprise is not None else user.organization_id
    instruments = list(instruments)
    if not instruments:
        raise ValidationError(_("Choose at least one instrument."))
    obj = ServiceRequest(enterprise_id=enterprise_id, provider=provider, activity=activity, message=message,
                         preferred_date=preferred_date)
    check_request(obj, instruments)
    return writes.save(obj, user=user, via=writes.Via.SERVICE, m2m=lambda: obj.instruments.set(instruments))


# from → the statuses a provider may move a request to
TRANSITIONS = {
    RequestStatus.SENT: (RequestStatus.ACCEPTED, RequestStatus.DECLINED),
    RequestStatus.ACCEPTED: (RequestStatus.DONE,),
}


def may_answer(user, obj: ServiceRequest) -> bool:
    return (role_of(user) == Role.PROVIDER and user.organization_id == obj.provider_id
            and obj.status in TRANSITIONS)


@transaction.atomic
def answer(*, request_obj: ServiceRequest, user, status: str, text: str = "") -> ServiceRequest:
    """The addressed provider accepts or declines a sent request (a refusal needs a reason), or marks an
    accepted one done; the enterprise is told (the follow-up below)."""
    if role_of(user) != Role.PROVIDER or user.organization_id != request_obj.provider_id:
        raise PermissionDenied(_("Only the provider the request is addressed to may answer it."))
    locked = writes.locked(ServiceRequest, request_obj.pk, None)  # who may was checked above
    allowed = TRANSITIONS.get(locked.status, ())
    if status not in allowed:
        raise ValidationError(_("A request that is %(status)s cannot be marked %(new)s.") % {
            "status": RequestStatus(locked.status).label, "new": RequestStatus(status).label
            if status in RequestStatus.values else status})
    text = text.strip()
    if status == RequestStatus.DECLINED and not text:
        raise ValidationError(_("Say why the request is declined."))
    values = {"status": status, "answered_on": timezone.localdate()}
    if text or status != RequestStatus.DONE:
        values["answer"] = text
    return writes.change(locked, user=user, **values)


def _instrument_list(obj: ServiceRequest) -> str:
    names = [str(i) for i in obj.instruments.select_related("kind")[:6]]
    return ", ".join(names[:5]) + ("…" if len(names) > 5 else "")


@writes.follow_up(ServiceRequest, fields=("id",))
def _requests_tell_the_other_side(values) -> None:
    """After every write of a request: a sent one is announced to the provider's users, an answer to the
    enterprise's (once per request and status)."""
    requests = ServiceRequest.objects.filter(pk__in=values["id"]).select_related("enterprise", "provider")
    requests = list(requests)
    if not requests:
        return
    orgs = users_of({r.provider_id for r in requests} | {r.enterprise_id for r in requests})
    notices = []
    for r in requests:
        params = {"enterprise": r.enterprise.name, "provider": r.provider.name, "activity": r.activity,
                  "instruments": _instrument_list(r), "status": r.status, "answer": r.answer}
        if r.status == RequestStatus.SENT:
            notices += [Notice(u, NoticeKind.REQUEST_RECEIVED, r, r.status, params, url=r.get_absolute_url())
                        for u in orgs.get(r.provider_id, ())]
        else:
            notices += [Notice(u, NoticeKind.REQUEST_ANSWERED, r, r.status, params, url=r.get_absolute_url())
                        for u in orgs.get(r.enterprise_id, ())]
    notify(notices)
