"""Notifications (in the application and by e-mail) and service requests from enterprises to providers.

A :class:`Notification` is bookkeeping addressed to one user, like an import batch: it is written by
:mod:`doluong.notices.services` (reminders, a request sent or answered), never through a form, and keeps no
change history. Its ``key`` names the event (the object and its due date, or the request and its status):
one notification per recipient, kind and event, so a reminder is never sent twice.

A :class:`ServiceRequest` is a registry object written through :mod:`doluong.core.writes`: the enterprise
creates and edits it while it is *sent*; its status and answer are workflow fields that only the addressed
provider moves (``services.answer``).
"""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from doluong.core.access import ALL
from doluong.core.models import BaseModel
from doluong.core.roles import Role
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization, OrganizationKind
from doluong.providers.models import Activity


class NoticeKind(models.TextChoices):
    INSTRUMENT_DUE = "instrument_due", _("Instrument due for verification")
    INSTRUMENT_OVERDUE = "instrument_overdue", _("Instrument overdue for verification")
    OFFICER_EXPIRING = "officer_expiring", _("Verification officer's certificate expiring")
    STANDARD_DUE = "standard_due", _("Measurement standard due for calibration")
    DESIGNATION_EXPIRING = "designation_expiring", _("Designation expiring")
    REQUEST_RECEIVED = "request_received", _("Service request received")
    REQUEST_ANSWERED = "request_answered", _("Service request answered")


# The words of each kind, marked for translation: stored in the site's language (for the e-mail) and shown
# in the reader's (``Notification.shown_title``), from the same parameters.
TEXTS = {
    NoticeKind.INSTRUMENT_DUE: (
        gettext_noop("Verification due on %(due)s: %(instrument)s"),
        gettext_noop("The verification of %(instrument)s is valid until %(due)s. Ask a designated provider to "
                     "verify it in time.")),
    NoticeKind.INSTRUMENT_OVERDUE: (
        gettext_noop("Verification overdue since %(due)s: %(instrument)s"),
        gettext_noop("The verification of %(instrument)s expired on %(due)s. The instrument may not be used for "
                     "legal purposes until it is verified again.")),
    NoticeKind.OFFICER_EXPIRING: (
        gettext_noop("Verification officer's certificate expires on %(due)s: %(officer)s"),
        gettext_noop("The certificate %(number)s of verification officer %(officer)s expires on %(due)s.")),
    NoticeKind.STANDARD_DUE: (
        gettext_noop("Calibration of a standard due on %(due)s: %(standard)s"),
        gettext_noop("The measurement standard %(standard)s is due for calibration on %(due)s.")),
    NoticeKind.DESIGNATION_EXPIRING: (
        gettext_noop("Designation %(number)s expires on %(due)s"),
        gettext_noop("Designation %(number)s expires on %(due)s. Apply for its renewal in time.")),
    NoticeKind.REQUEST_RECEIVED: (
        gettext_noop("Service request from %(enterprise)s"),
        gettext_noop("%(enterprise)s asks for %(activity)s of %(instruments)s.")),
    NoticeKind.REQUEST_ANSWERED: (
        gettext_noop("%(provider)s: request %(status)s"),
        gettext_noop("%(provider)s has marked your request for %(activity)s as %(status)s. %(answer)s")),
}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True, editable=False)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField(null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    key = models.CharField(max_length=120, editable=False,
                           help_text="The event: <app.model>:<id>:<due date or status>; one notice per event.")
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ("-created", "-pk")
        constraints = [models.UniqueConstraint(fields=("recipient", "kind", "key"), name="notification_once")]
        indexes = [models.Index(fields=("recipient", "read_at"), name="notification_unread")]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        return _render(self.kind, 0, self.params) or self.title

    @property
    def shown_body(self) -> str:
        return _render(self.kind, 1, self.params) or self.body


def _render(kind: str, which: int, params: dict) -> str | None:
    text = TEXTS.get(kind)
    if text is None or not params:
        return None
    try:
        return gettext(text[which]) % localized(params)
    except (KeyError, TypeError, ValueError):
        return None


def localized(params: dict) -> dict:
    """The parameters with the codes (``activity``, ``status``) as words of the current language."""
    out = dict(params)
    if out.get("activity") in Activity.values:
        out["activity"] = str(Activity(out["activity"]).label).lower()
    if out.get("status") in RequestStatus.values:
        out["status"] = str(RequestStatus(out["status"]).label).lower()
    return out


def render(kind: str, params: dict) -> tuple[str, str]:
    """(title, text) of a notification of ``kind`` in the current language."""
    title, body = TEXTS[kind]
    params = localized(params)
    return gettext(title) % params, (gettext(body) % params).strip()


def event_key(obj, suffix) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}:{suffix}"


# --- service requests ------------------------------------------------------------------------------------

class RequestStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class ServiceRequest(BaseModel):
    """An enterprise asks a designated provider to verify, calibrate or test some of its instruments."""

    enterprise = models.ForeignKey(Organization, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="service_requests_sent")
    provider = models.ForeignKey(Organization, verbose_name=_("provider"), on_delete=models.PROTECT,
                                 related_name="service_requests_received",
                                 limit_choices_to={"kind": OrganizationKind.PROVIDER})
    instruments = models.ManyToManyField(Instrument, verbose_name=_("instruments"), related_name="service_requests")
    activity = models.CharField(_("activity"), max_length=20, choices=Activity.choices,
                                default=Activity.VERIFICATION)
    message = models.TextField(_("message"), blank=True)
    preferred_date = models.DateField(_("preferred date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.SENT)
    answer = models.TextField(_("provider's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    search_fields = ("message", "answer")
    search_related = (("enterprise_id", "name"), ("provider_id", "name"))
    workflow_fields = ("status", "answer", "answered_on")
    province_unit = "enterprise__unit"  # core.access: the province it belongs to
    access = {
        "view": {Role.LEADER: ALL, Role.PROVIDER: "provider", Role.ENTERPRISE: "enterprise"},
        "add": {Role.ENTERPRISE: "enterprise"},
        "change": {Role.ENTERPRISE: "enterprise"},
        "delete": {Role.ENTERPRISE: "enterprise"},
    }

    class Meta:
        ordering = ("-created", "-pk")
        indexes = [models.Index(fields=("provider", "status"), name="servicerequest_inbox")]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")

    def __str__(self) -> str:
        day = timezone.localtime(self.created).strftime("%d/%m/%Y") if self.created else ""
        return gettext("Request no. %(number)s of %(day)s") % {"number": self.pk or "—", "day": day}

    def edit_lock(self) -> str | None:
        if self.status != RequestStatus.SENT:
            return gettext("The provider has answered this request; it can no longer be changed.")
        return None


def request_problems(*, enterprise_id, provider_id, activity: str, instruments, on: dt.date) -> list[str]:
    """Why this enterprise may not ask this provider for ``activity`` on these instruments (translated
    messages; none when it may): each instrument must be the enterprise's own, the provider a designated
    provider, and the activity on each instrument's kind (and capacity) within the provider's designations
    in force on ``on`` (:func:`doluong.providers.selectors.scope_problem`, the rule of the records)."""
    from doluong.providers.selectors import ScopeMap

    problems = []
    provider = Organization.objects.filter(pk=provider_id).values_list("kind", flat=True).first()
    if provider != OrganizationKind.PROVIDER:
        problems.append(gettext("Choose a designated service provider."))
        return problems
    scopes = ScopeMap({provider_id})
    for instrument in instruments:
        if instrument.owner_id != enterprise_id:
            problems.append(gettext("%(instrument)s is not an instrument of the enterprise.")
                            % {"instrument": instrument})
            continue
        found = scopes.problem(provider_id=provider_id, kind_id=instrument.kind_id, activity=activity, on=on,
                               range_max=instrument.range_max)
        if found is not None:
            message, params = found
            problems.append(f"{instrument}: {gettext(message) % params}")
    return problems


def check_request(request_obj: ServiceRequest, instruments, on: dt.date | None = None) -> None:
    """Raise ValidationError with :func:`request_problems` (the form and the service use it)."""
    problems = request_problems(enterprise_id=request_obj.enterprise_id, provider_id=request_obj.provider_id,
                                activity=request_obj.activity, instruments=list(instruments),
                                on=on or timezone.localdate())
    if problems:
        raise ValidationError(problems)
