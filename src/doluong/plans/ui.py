from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doluong.core.templatetags.doluong import money
from doluong.core.ui import ModelUI, Related, add_related, register
from doluong.orgs.models import Organization
from doluong.plans import views
from doluong.plans.filters import ProgressReportFilterSet
from doluong.plans.forms import PlanChangeForm, ProgressReportForm
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    Plan,
    PlanChange,
    PlanPhase,
    PlanTask,
    ProgressReport,
    WorkplanItem,
)


def task_label(task: PlanTask) -> str:
    """A task in autocomplete results with its plan's number, "210/KH-UBND · NV3 …" (codes repeat across plans)."""
    return f"{task.plan.number} · {task}"


def budget_line_warnings(line: BudgetLine) -> list[str]:
    """Shown after a budget line is saved: spending above the approved amount (saved all the same)."""
    if not line.overspent:
        return []
    return [gettext("Spending of %(spent)s exceeds the approved amount of %(approved)s by %(over)s. The line was "
                    "saved; check the figures or the approval.") % {
        "spent": money(line.spent), "approved": money(line.approved), "over": money(line.overspent_by)}]


register(ModelUI(
    model=Plan,
    list_columns=("number", "title", "issued_on", "issuer_name", "start_year", "end_year", "is_active"),
    form_fields=("number", "title", "issued_on", "issuer", "issuer_name", "signed_by", "legal_basis", "province",
                 "start_year", "end_year", "summary", "is_active"),
    filter_fields=("is_active",),
    ordering=("-issued_on", "number"),
    autocomplete_fields=("issuer", "province"),
    related=(
        Related(_("Phases"), PlanPhase, "plan", columns=("number", "start_year", "end_year"), order_by=("number",)),
        Related(_("Tasks"), PlanTask, "plan", columns=("code", "title", "timeframe"), order_by=("order", "code"),
                limit=60),
        Related(_("Annual workplans"), AnnualWorkplan, "plan", columns=("year", "status", "approved_on"),
                order_by=("-year",)),
        Related(_("Budget lines"), BudgetLine, "plan", columns=("year", "source", "task", "approved", "spent"),
                select_related=("task",), order_by=("-year", "source")),
        Related(_("Change requests"), PlanChange, "plan", columns=("reported_on", "reported_by", "status"),
                select_related=("reported_by",), order_by=("-reported_on",)),
    ),
    detail_template="plans/plan_detail.html",
    extra_detail=views.plan_extra,
    menu_group="plan",
))

register(ModelUI(
    model=PlanPhase,
    list_columns=("number", "plan", "start_year", "end_year"),
    form_fields=("plan", "number", "start_year", "end_year"),
    select_related=("plan",),
    ordering=("plan", "number"),
))

register(ModelUI(
    model=PlanTask,
    list_columns=("code", "title", "plan", "solution_group", "lead_agency", "timeframe", "due_year"),
    form_fields=("plan", "code", "order", "title", "description", "solution_group", "lead_agency",
                 "coordinating_agencies", "coordinating_text", "timeframe", "due_year"),
    filter_fields=("plan", "solution_group", "timeframe"),
    select_related=("plan", "lead_agency"),
    ordering=("plan", "order", "code"),
    sortable=("code", "plan", "solution_group", "lead_agency", "timeframe", "due_year"),
    autocomplete_fields=("lead_agency",),
    lookup_label=task_label,
    related=(
        Related(_("Progress reports"), ProgressReport, "task", columns=("label", "agency", "status", "share_done"),
                select_related=("task", "agency"), order_by=("-year", "period")),
        Related(_("Workplan items"), WorkplanItem, "task", columns=("planned_output", "workplan", "deadline",
                                                                    "budget"),
                select_related=("workplan", "workplan__plan"), order_by=("-workplan__year",)),
        Related(_("Budget lines"), BudgetLine, "task", columns=("year", "source", "approved", "spent"),
                order_by=("-year", "source")),
    ),
    menu_group="plan",
))

register(ModelUI(
    model=AnnualWorkplan,
    list_columns=("year", "plan", "status", "approved_on", "decision_ref"),
    form_fields=("plan", "year", "status", "approved_on", "decision_ref", "notes"),
    filter_fields=("plan", "year", "status"),
    select_related=("plan",),
    ordering=("-year", "plan"),
    related=(
        Related(_("Items"), WorkplanItem, "workplan", columns=("planned_output", "task", "responsible", "deadline",
                                                               "budget"),
                select_related=("task", "responsible"), order_by=("task__order", "pk"), limit=60),
    ),
    detail_template="plans/annualworkplan_detail.html",
    extra_detail=views.workplan_extra,
    menu_group="plan",
))

register(ModelUI(
    model=WorkplanItem,
    list_columns=("planned_output", "workplan", "task", "responsible", "deadline", "budget"),
    form_fields=("workplan", "task", "planned_output", "responsible", "deadline", "budget", "notes"),
    filter_fields=("workplan__plan", "workplan__year", "task"),
    select_related=("workplan", "workplan__plan", "task", "responsible"),
    ordering=("-workplan__year", "task__order"),
    autocomplete_fields=("task", "responsible"),
    column_labels={"planned_output": _("planned output")},
))

register(ModelUI(
    model=ProgressReport,
    list_columns=("label", "task", "agency", "year", "period", "due_on", "status", "share_done"),
    form_fields=("task", "agency", "year", "period", "due_on", "done_text", "share_done"),
    detail_fields=("task", "agency", "year", "period", "due_on", "status", "done_text", "share_done",
                   "submitted_at", "submitted_by", "reviewed_at", "reviewed_by", "review_comment"),
    select_related=("task", "task__plan", "agency"),
    ordering=("-year", "task__order", "period"),
    sortable=("task", "agency", "year", "period", "due_on", "status", "share_done"),
    column_labels={"label": _("report")},
    autocomplete_fields=("task", "agency"),
    filterset_class=ProgressReportFilterSet,
    form_class=ProgressReportForm,
    detail_template="plans/progressreport_detail.html",
    extra_detail=views.report_extra,
    menu_group="plan",
))

register(ModelUI(
    model=PlanChange,
    list_columns=("reported_on", "plan", "task", "reported_by", "status", "decided_on"),
    form_fields=("plan", "task", "reported_by", "reported_on", "difficulty", "proposed_adjustment"),
    detail_fields=("plan", "task", "reported_by", "reported_on", "difficulty", "proposed_adjustment", "status",
                   "decided_on", "decision_ref", "decision_text"),
    filter_fields=("plan", "status"),
    select_related=("plan", "task", "reported_by"),
    ordering=("-reported_on", "-pk"),
    autocomplete_fields=("task", "reported_by"),
    form_class=PlanChangeForm,
    detail_template="plans/planchange_detail.html",
    extra_detail=views.change_extra,
    menu_group="plan",
))

register(ModelUI(
    model=BudgetLine,
    list_columns=("year", "plan", "task", "source", "estimate", "approved", "spent"),
    form_fields=("plan", "year", "task", "source", "estimate", "approved", "spent", "notes"),
    filter_fields=("plan", "year", "source"),
    select_related=("plan", "task"),
    ordering=("-year", "source"),
    autocomplete_fields=("task",),
    menu_group="plan",
    save_warnings=budget_line_warnings,
))

add_related(Organization, Related(_("Plan tasks led"), PlanTask, "lead_agency", columns=("code", "title", "plan"),
                                  select_related=("plan",), order_by=("plan", "order")))
add_related(Organization, Related(_("Progress reports"), ProgressReport, "agency",
                                  columns=("label", "status", "due_on"), select_related=("task",),
                                  order_by=("-year", "-due_on")))
