"""Writes of the plans app: the report and change-request workflows, evidence, the Plan 210 loader.

Each transition locks its row, checks the state it finds there (no check-then-act), and saves
through the model so that the change log records who did what.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doluong.core import writes
from doluong.core.roles import Role, role_of
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.orgs.models import Organization, OrganizationKind
from doluong.plans.data import plan_210
from doluong.plans.models import (
    AWAITED_STATUSES,
    AnnualWorkplan,
    ChangeStatus,
    Plan,
    PlanChange,
    PlanPhase,
    PlanTask,
    ProgressReport,
    ReportEvidence,
    ReportStatus,
    WorkplanItem,
    WorkplanStatus,
)

REVIEWER_ROLES = (Role.OFFICER, Role.LEADER)


def _next_year(day):
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def workplan_copy(*, workplan: AnnualWorkplan, user, year: int | None = None) -> AnnualWorkplan:
    """Start the next year's workplan from this one: a draft with the same items, deadlines one year on.

    Refused when the plan already has a workplan for that year or the year is outside the plan (the model's
    own rules say so). Items keep their task, output, responsible agency and budget for the officer to edit."""
    year = year or workplan.year + 1
    if AnnualWorkplan.objects.filter(plan_id=workplan.plan_id, year=year).exists():
        raise ValidationError(_("The plan already has a workplan for %(year)s.") % {"year": year})
    copy = AnnualWorkplan(plan_id=workplan.plan_id, year=year, status=WorkplanStatus.DRAFT,
                          notes=_("Copied from the %(year)s workplan.") % {"year": workplan.year})
    writes.save(copy, user=user, via=writes.Via.SERVICE)
    items = [WorkplanItem(workplan=copy, task_id=i.task_id, planned_output=i.planned_output,
                          responsible_id=i.responsible_id, deadline=_next_year(i.deadline), budget=i.budget,
                          notes=i.notes)
             for i in workplan.items.order_by("task__order", "pk")]
    writes.save_many(items, user=user, via=writes.Via.SERVICE)
    return copy


def _copy_back(target, source, fields) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))
    target._loaded_snapshot = getattr(source, "_loaded_snapshot", None)


def _status_label(status: str) -> str:
    return str(ReportStatus(status).label).lower()


# --- progress reports ---------------------------------------------------------------------------

_SUBMIT_FIELDS = ("status", "submitted_at", "submitted_by", "last_updated")
_REVIEW_FIELDS = ("status", "reviewed_at", "reviewed_by", "review_comment", "last_updated")


@transaction.atomic
def report_submit(*, report: ProgressReport, user) -> ProgressReport:
    """The reporting agency (or an officer) sends a draft or returned report to DOST."""
    if not writes.may(user, report, "change"):
        raise PermissionDenied(_("Only the reporting agency may submit this report."))
    locked = writes.locked(ProgressReport, report.pk, None)  # who may was checked above
    if locked.status not in AWAITED_STATUSES:
        raise ValidationError(_("Only a draft or returned report can be submitted; this one is %(status)s.")
                              % {"status": _status_label(locked.status)})
    if not locked.done_text.strip():
        raise ValidationError(_("Describe the work done before submitting the report."))
    writes.change(locked, user=user, status=ReportStatus.SUBMITTED, submitted_at=timezone.now(), submitted_by=user)
    _copy_back(report, locked, _SUBMIT_FIELDS)
    return locked


def _review(*, report: ProgressReport, user, status: str, comment: str) -> ProgressReport:
    if role_of(user) not in REVIEWER_ROLES:
        raise PermissionDenied(_("Only a programme officer or a leader may review reports."))
    locked = writes.locked(ProgressReport, report.pk, None)  # who may was checked above
    if locked.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed; this one is %(status)s.")
                              % {"status": _status_label(locked.status)})
    writes.change(locked, user=user, status=status, reviewed_at=timezone.now(), reviewed_by=user,
                  review_comment=comment.strip())
    _copy_back(report, locked, _REVIEW_FIELDS)
    return locked


@transaction.atomic
def report_accept(*, report: ProgressReport, user, comment: str = "") -> ProgressReport:
    return _review(report=report, user=user, status=ReportStatus.ACCEPTED, comment=comment)


@transaction.atomic
def report_return(*, report: ProgressReport, user, comment: str) -> ProgressReport:
    """Send a submitted report back to its agency; the comment says what to change."""
    if not (comment or "").strip():
        raise ValidationError(_("Say why the report is returned: a comment is required."))
    return _review(report=report, user=user, status=ReportStatus.RETURNED, comment=comment)


# --- evidence -----------------------------------------------------------------------------------

def _check_evidence_editable(*, report: ProgressReport, user) -> None:
    if not writes.may(user, report, "change"):
        raise PermissionDenied(_("Only the reporting agency may change this report's evidence."))
    if role_of(user) != Role.OFFICER and report.status not in AWAITED_STATUSES:
        raise ValidationError(_("Evidence can be changed only while the report is a draft or returned; "
                                "this one is %(status)s.") % {"status": _status_label(report.status)})


@transaction.atomic
def evidence_add(*, report: ProgressReport, user, file: UploadedFile, description: str = "") -> ReportEvidence:
    """Attach a file to a report; the file's type and size are checked by the model's validators."""
    _check_evidence_editable(report=report, user=user)
    evidence = ReportEvidence(report=report, file=file, description=description.strip())
    return writes.save(evidence, user=user, via=writes.Via.SERVICE)


@transaction.atomic
def evidence_delete(*, evidence: ReportEvidence, user) -> None:
    _check_evidence_editable(report=evidence.report, user=user)
    stored = evidence.file
    writes.delete(evidence, user=user, via=writes.Via.SERVICE)
    name = stored.name
    storage = stored.storage
    writes.after_commit(lambda: storage.delete(name))


# --- plan change requests ------------------------------------------------------------------------

_DECIDE_FIELDS = ("status", "decided_on", "decision_ref", "decision_text", "last_updated")


@transaction.atomic
def plan_change_decide(*, change: PlanChange, user, approve: bool, decision_ref: str = "",
                       decision_text: str = "") -> PlanChange:
    """Record the People's Committee's answer to a request to adjust the plan."""
    if role_of(user) not in REVIEWER_ROLES:
        raise PermissionDenied(_("Only a programme officer or a leader may decide on a change request."))
    locked = writes.locked(PlanChange, change.pk, None)  # who may was checked above
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This change request was already decided (%(status)s).")
                              % {"status": str(ChangeStatus(locked.status).label).lower()})
    if not approve and not (decision_text or "").strip():
        raise ValidationError(_("Say why the change is rejected: the decision text is required."))
    writes.change(locked, user=user, status=ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED,
                  decided_on=timezone.localdate(), decision_ref=(decision_ref or "").strip(),
                  decision_text=(decision_text or "").strip())
    _copy_back(change, locked, _DECIDE_FIELDS)
    return locked


# --- Plan 210 -----------------------------------------------------------------------------------

def yen_bai_dost() -> Organization:
    dost, _created = Organization.objects.get_or_create(
        name=plan_210.LEAD_AGENCY_NAME,
        defaults={"short_name": plan_210.LEAD_AGENCY_SHORT_NAME, "kind": OrganizationKind.DEPARTMENT,
                  "ownership": "state"},
    )
    return dost


def legacy_yen_bai() -> AdministrativeUnit | None:
    """Yên Bái province on the map before 1 July 2025 (edition VN-3L, code 15), when geo is loaded."""
    return AdministrativeUnit.objects.filter(
        edition__code=plan_210.PROVINCE_EDITION, level=UnitLevel.PROVINCE, code=plan_210.PROVINCE_CODE).first()


@transaction.atomic
def load_plan_210(*, lead_agency: Organization | None = None) -> Plan:
    """Create or bring up to date Plan 210/KH-UBND of Yên Bái, its phases and its 13 tasks.

    Idempotent: rows are matched on their natural keys and only changed fields are written, so a
    second run changes nothing (and logs nothing). ``lead_agency`` defaults to the Yên Bái DOST,
    created by name if missing.
    """
    # A loader of reference data: rows are matched with get_or_create (created as the plan says) and changes go
    # through the write path (_update).
    lead = lead_agency or yen_bai_dost()
    data = plan_210.PLAN
    plan, _created = Plan.objects.get_or_create(
        number=data["number"], issued_on=data["issued_on"],
        defaults={"title": data["title"], "start_year": data["start_year"], "end_year": data["end_year"]},
    )
    _update(plan, {**{k: v for k, v in data.items() if k not in ("number", "issued_on")},
                   "province": legacy_yen_bai() or plan.province})
    for number, start, end in plan_210.PHASES:
        phase, _created = PlanPhase.objects.get_or_create(
            plan=plan, number=number, defaults={"start_year": start, "end_year": end})
        _update(phase, {"start_year": start, "end_year": end})
    for order, row in enumerate(plan_210.TASKS, start=1):
        task, _created = PlanTask.objects.get_or_create(
            plan=plan, code=row["code"],
            defaults={"title": row["title"], "lead_agency": lead, "order": order},
        )
        _update(task, {
            "order": order, "title": row["title"], "description": row["description"],
            "solution_group": row["solution_group"], "coordinating_text": row["coordinating"],
            "timeframe": row["timeframe"], "due_year": row["due_year"], "lead_agency": lead,
        })
    return plan


def _update(obj, values: dict) -> None:
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if not changed:
        return
    for k in changed:
        setattr(obj, k, values[k])
    writes.save(obj, user=None, via=writes.Via.SYSTEM, transition=True)
