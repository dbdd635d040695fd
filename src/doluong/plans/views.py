"""Workflow endpoints (submit, accept, return, decide), evidence files, and detail-page context.

Thin views: each finds its object through :func:`doluong.core.access.restrict` (a forbidden object
is a 404), calls one service, and reports the outcome as a message on the object's page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doluong.core import access, writes
from doluong.core.roles import Role, role_of
from doluong.plans import services
from doluong.plans.forms import DecisionForm, EvidenceForm, ReviewForm
from doluong.plans.models import (
    AWAITED_STATUSES,
    AnnualWorkplan,
    BudgetLine,
    ChangeStatus,
    PlanChange,
    ProgressReport,
    ReportEvidence,
    ReportStatus,
)
from doluong.plans.selectors import budget_summary


def _visible(model, request, pk, *related):
    qs = access.restrict(model.objects.all(), request.user, "view")
    return get_object_or_404(qs.select_related(*related) if related else qs, pk=pk)


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _run(request, obj, action, success: str):
    """Run a service call; a refusal becomes an error message on the object's page."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text or _("You may not do this."))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(obj.get_absolute_url())


# --- progress reports ---------------------------------------------------------------------------

@login_required
@require_POST
def report_submit(request, pk):
    report = _visible(ProgressReport, request, pk, "task", "agency")
    return _run(request, report, lambda: services.report_submit(report=report, user=request.user),
                _("The report was submitted to the Department of Science and Technology."))


@login_required
@require_POST
def report_accept(request, pk):
    report = _visible(ProgressReport, request, pk, "task", "agency")
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(request, report, lambda: services.report_accept(report=report, user=request.user, comment=comment),
                _("The report was accepted."))


@login_required
@require_POST
def report_return(request, pk):
    report = _visible(ProgressReport, request, pk, "task", "agency")
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    return _run(request, report, lambda: services.report_return(report=report, user=request.user, comment=comment),
                _("The report was returned to the agency."))


@login_required
@require_POST
def evidence_upload(request, pk):
    report = _visible(ProgressReport, request, pk, "task", "agency")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [str(m) for errors in form.errors.values() for m in errors]
        messages.error(request, _("The file was not attached: %(why)s") % {"why": " ".join(problems)})
        return HttpResponseRedirect(report.get_absolute_url())
    return _run(request, report, lambda: services.evidence_add(
        report=report, user=request.user, file=form.cleaned_data["file"],
        description=form.cleaned_data["description"]), _("The file was attached."))


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = _visible(ReportEvidence, request, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.filename)


@login_required
@require_POST
def evidence_delete(request, pk):
    evidence = _visible(ReportEvidence, request, pk, "report", "report__task", "report__agency")
    report = evidence.report
    return _run(request, report, lambda: services.evidence_delete(evidence=evidence, user=request.user),
                _("The file was removed."))


# --- plan change requests ------------------------------------------------------------------------

@login_required
@require_POST
def change_decide(request, pk):
    change = _visible(PlanChange, request, pk, "plan")
    form = DecisionForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    approve = request.POST.get("decision") == "approve"
    return _run(request, change, lambda: services.plan_change_decide(
        change=change, user=request.user, approve=approve, decision_ref=data.get("decision_ref", ""),
        decision_text=data.get("decision_text", "")),
        _("The change request was approved.") if approve else _("The change request was rejected."))


@login_required
@require_POST
def workplan_copy(request, pk):
    workplan = _visible(AnnualWorkplan, request, pk, "plan")
    if not access.can(request.user, AnnualWorkplan, "add"):
        raise Http404
    try:
        copy = services.workplan_copy(workplan=workplan, user=request.user)
    except (ValidationError, writes.WriteRefused) as exc:
        messages.error(request, _error_text(exc) if isinstance(exc, ValidationError) else str(exc))
        return HttpResponseRedirect(workplan.get_absolute_url())
    messages.success(request, _("The %(year)s workplan was started from this one with %(n)s items; edit it and "
                                "approve it when ready.") % {"year": copy.year, "n": copy.items.count()})
    return HttpResponseRedirect(copy.get_absolute_url())


def workplan_extra(request, workplan: AnnualWorkplan) -> dict:
    next_year = workplan.year + 1
    return {"can_copy": access.can(request.user, AnnualWorkplan, "add")
            and next_year <= workplan.plan.end_year
            and not AnnualWorkplan.objects.filter(plan_id=workplan.plan_id, year=next_year).exists(),
            "next_year": next_year}


# --- context for the detail pages (ModelUI.extra_detail) ---------------------------------------

def report_extra(request, report: ProgressReport) -> dict:
    user = request.user
    role = role_of(user)
    may_change = writes.may(user, report, "change")
    evidence_editable = may_change and (role == Role.OFFICER or report.status in AWAITED_STATUSES)
    return {
        "can_submit": may_change and report.status in AWAITED_STATUSES,
        "can_review": role in services.REVIEWER_ROLES and report.status == ReportStatus.SUBMITTED,
        "is_late": report.is_late(),
        "evidence": list(access.restrict(report.evidence.all(), user, "view")),
        "evidence_editable": evidence_editable,
        "evidence_form": EvidenceForm() if evidence_editable else None,
        "review_form": ReviewForm(),
    }


def change_extra(request, change: PlanChange) -> dict:
    return {
        "can_decide": role_of(request.user) in services.REVIEWER_ROLES and change.status == ChangeStatus.PENDING,
        "decision_form": DecisionForm(),
    }


def plan_extra(request, plan) -> dict:
    if not access.can(request.user, BudgetLine, "view"):
        return {"budget_rows": [], "overspent_lines": []}
    lines = access.restrict(BudgetLine.objects.all(), request.user, "view")
    overspent = (lines.filter(plan=plan, spent__gt=F("approved")).select_related("plan", "task")
                 .order_by("-year", "source", "task__order"))
    return {"budget_rows": budget_summary(plan=plan, lines=lines), "overspent_lines": list(overspent[:50])}
