"""What is waiting for a user, by role: the first thing the home page says.

Each :class:`Waiting` is a count of the objects that ask for this user's action, with the page that lists
them. Counts go through the same access rules as the lists, so a user is never told of something he cannot
open. Windows: 30 days for reports and workplan items, 60 days for designations, officers' certificates and
standards (``WINDOW_DAYS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from doluong.core import access
from doluong.core.roles import Role, role_of

WINDOW_DAYS = {"reports": 30, "expiry": 60}


@dataclass(frozen=True)
class Waiting:
    key: str
    label: str
    count: int
    url: str
    tone: str = "warning"  # warning | danger | info


def _url(name: str, query: str = "") -> str:
    return reverse(name) + (f"?{query}" if query else "")


def waiting_for(user, today: dt.date) -> list[Waiting]:
    """The user's waiting items with a count above zero, most urgent first."""
    from doluong.instruments.models import Instrument, MeasurementStandard
    from doluong.notices.models import RequestStatus, ServiceRequest
    from doluong.plans.models import PlanChange, ProgressReport, ReportStatus, WorkplanItem
    from doluong.providers.models import Designation, VerificationOfficer

    role = role_of(user)
    soon = today + dt.timedelta(days=WINDOW_DAYS["expiry"])
    due_soon = today + dt.timedelta(days=WINDOW_DAYS["reports"])

    def seen(model):
        return access.restrict(model.objects.all(), user, "view")

    items: list[Waiting] = []
    reports = seen(ProgressReport) if access.can(user, ProgressReport, "view") else None
    if role in (Role.OFFICER, Role.LEADER) and reports is not None:
        items.append(Waiting("reports_to_review", _("Progress reports to review"),
                             reports.filter(status=ReportStatus.SUBMITTED).count(),
                             _url("plans:progressreport_list", "status=submitted"), "info"))
        items.append(Waiting("changes_to_decide", _("Plan change requests to decide"),
                             seen(PlanChange).filter(status="pending").count(), _url("plans:planchange_list"), "info"))
    if role in (Role.OFFICER, Role.AGENCY) and reports is not None:
        mine = reports if role == Role.OFFICER else reports.filter(agency_id=user.organization_id)
        items.append(Waiting("reports_late", _("Progress reports late"), mine.late(today).count(),
                             _url("plans:progressreport_list", "status=draft"), "danger"))
    if role == Role.AGENCY and reports is not None:
        mine = reports.filter(agency_id=user.organization_id)
        items.append(Waiting("reports_returned", _("Progress reports returned for rework"),
                             mine.filter(status=ReportStatus.RETURNED).count(),
                             _url("plans:progressreport_list", "status=returned"), "danger"))
        items.append(Waiting("reports_due", _("Progress reports due within 30 days"),
                             mine.awaited().filter(due_on__gte=today, due_on__lte=due_soon).count(),
                             _url("plans:progressreport_list"), "warning"))
    if role in (Role.OFFICER, Role.AGENCY) and access.can(user, WorkplanItem, "view"):
        workitems = seen(WorkplanItem).filter(deadline__gte=today, deadline__lte=due_soon)
        if role == Role.AGENCY:
            workitems = workitems.filter(responsible_id=user.organization_id)
        items.append(Waiting("tasks_due", _("Workplan items due within 30 days"), workitems.count(),
                             _url("plans:workplanitem_list"), "warning"))
    if role in (Role.OFFICER, Role.PROVIDER):
        designations = seen(Designation).filter(revoked_on__isnull=True, expires_on__gte=today,
                                                expires_on__lte=soon)
        if role == Role.PROVIDER:  # the register is public; a provider is told of its own
            designations = designations.filter(provider_id=user.organization_id)
        items.append(Waiting("designations_expiring", _("Designations expiring within 60 days"),
                             designations.count(), _url("providers:designation_list"), "warning"))
    if role == Role.PROVIDER:
        requests = seen(ServiceRequest).filter(provider_id=user.organization_id, status=RequestStatus.SENT)
        items.append(Waiting("requests_to_answer", _("Service requests awaiting your answer"), requests.count(),
                             _url("notices:servicerequest_list", "status=sent"), "info"))
        officers = seen(VerificationOfficer).filter(provider_id=user.organization_id, is_active=True).filter(
            Q(expires_on__lt=soon) & Q(expires_on__isnull=False))
        items.append(Waiting("officers_expiring", _("Verification officers' certificates expired or expiring"),
                             officers.count(), _url("providers:verificationofficer_list"), "warning"))
        standards = seen(MeasurementStandard).filter(owner_id=user.organization_id, calibration_due_on__lt=soon)
        items.append(Waiting("standards_due", _("Measurement standards due for calibration within 60 days"),
                             standards.count(), _url("instruments:measurementstandard_list"), "warning"))
        from doluong.records.flags import flagged_q
        from doluong.records.models import ServiceRecord

        flagged = seen(ServiceRecord).filter(flagged_q(), provider_id=user.organization_id)
        items.append(Waiting("records_flagged", _("Records that need review (they would now be refused)"),
                             flagged.count(), _url("records:servicerecord_list", "review=flagged"), "danger"))
    if role in (Role.OFFICER, Role.ENTERPRISE):
        instruments = seen(Instrument)
        items.append(Waiting("instruments_overdue", _("Instruments overdue for verification"),
                             instruments.overdue(today).count(), _url("instruments:instrument_list", "due=overdue"),
                             "danger"))
        if role == Role.ENTERPRISE:
            items.append(Waiting("instruments_due", _("Instruments due within 30 days"),
                                 instruments.due_within(30, today).count(),
                                 _url("instruments:instrument_list", "due=30"), "warning"))
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted((i for i in items if i.count), key=lambda i: order[i.tone])
