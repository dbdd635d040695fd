from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.ui import ModelUI, Related, add_actions, add_related, register
from doluong.plans.models import AnnualWorkplan, Plan
from doluong.reports import views
from doluong.reports.models import DocumentKind, PlanDocument

register(ModelUI(
    model=PlanDocument,
    list_columns=("kind", "plan", "year", "number", "dated", "figures_as_of"),
    form_fields=("plan", "kind", "year", "phase", "number", "authority", "issuing_body", "place", "dated",
                 "figures_as_of", "addressee", "assessment", "difficulties", "proposals", "recipients",
                 "signer_title", "signer_name"),
    filter_fields=("plan", "kind", "year"),
    select_related=("plan", "phase"),
    ordering=("-dated", "-pk"),
    detail_template="reports/plandocument_detail.html",
    extra_detail=views.document_extra,
    menu_group="plan",
    column_labels={"kind": _("document")},
))

add_related(Plan, Related(_("Documents"), PlanDocument, "plan", columns=("kind", "year", "number", "dated"),
                          order_by=("-dated", "-pk")))


def plan_actions(request, plan):
    """The plan's documents, one click each: a new document with defaults, then its form, then Generate."""
    workbook = [(gettext("The plan as a workbook (XLSX)"), reverse("reports_flow:plan_export", args=[plan.pk]))]
    if access.can(request.user, Plan, "add"):
        workbook.append((gettext("Load a plan from a workbook…"), reverse("reports_flow:plan_import")))
    if not access.can(request.user, PlanDocument, "add"):
        return workbook
    today = timezone.localdate()
    year = min(max(today.year, plan.start_year), plan.end_year)

    def new(kind, label, y=None):
        url = reverse("reports_flow:new", args=[plan.pk, kind])
        return label, f"{url}?year={y}" if y else url

    out = [new(DocumentKind.ANNUAL, gettext("Yearly report %(y)s") % {"y": year}, year)]
    if plan.phases.exists():
        out.append(new(DocumentKind.PHASE_REVIEW, gettext("Phase review (sơ kết)")))
    out.append(new(DocumentKind.FINAL_REVIEW, gettext("Final review (tổng kết)")))
    out.append(new(DocumentKind.BUDGET, gettext("Budget estimate %(y)s") % {"y": year + 1}, year + 1))
    out.append(new(DocumentKind.WORKPLAN, gettext("Workplan %(y)s (Word, XLSX)") % {"y": year}, year))
    return out + workbook


def workplan_actions(request, workplan):
    if not access.can(request.user, PlanDocument, "add"):
        return []
    url = reverse("reports_flow:new", args=[workplan.plan_id, DocumentKind.WORKPLAN])
    return [(gettext("Export in the appendix's columns (Word, XLSX)"), f"{url}?year={workplan.year}")]


add_actions(Plan, plan_actions)
add_actions(AnnualWorkplan, workplan_actions)
