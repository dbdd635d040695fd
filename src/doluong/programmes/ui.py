from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.history import DisplayTable, format_number
from doluong.core.ui import ModelUI, Related, add_related, register
from doluong.orgs.models import Organization, Person
from doluong.programmes import filters
from doluong.programmes.forms import AttendanceAddForm, CaseAdvanceForm, CriteriaAssessmentForm, CriteriaSetForm
from doluong.programmes.models import (
    AssuranceCase,
    Attendance,
    AttendeeRole,
    CapacitySupport,
    CriteriaAssessment,
    CriteriaSet,
    OutreachEvent,
    PrivateProvision,
    SupportDelivery,
    Training,
)
from doluong.programmes.services import next_stages
from doluong.programmes.tables import TrainingTable
from doluong.records.models import ServiceRecord

GROUP = "programmes"


def flow_url(name: str, pk: int) -> str | None:
    """URL of a programmes workflow route, or None while the routes are not installed."""
    try:
        return reverse(f"programmes_flow:{name}", args=[pk])
    except NoReverseMatch:
        return None


def case_detail(request, case) -> dict:
    url = flow_url("case_advance", case.pk)
    if not url or not next_stages(case.stage) or not access.can(request.user, AssuranceCase, "change"):
        return {}
    return {"advance_form": CaseAdvanceForm(stage=case.stage), "advance_url": url}


def training_detail(request, training) -> dict:
    user = request.user
    rows = (access.restrict(Attendance.objects.filter(training=training), user, "view").order_by()
            .values("role").annotate(n=Count("pk")).values_list("role", "n"))
    counts = dict(rows)
    ctx = {"role_counts": [(label, counts[value]) for value, label in AttendeeRole.choices if counts.get(value)],
           "attendance_total": sum(counts.values())}
    url = flow_url("training_attend", training.pk)
    if url and access.can(user, Attendance, "add"):
        ctx["attend_form"] = AttendanceAddForm(user=user, lookup_url=reverse("orgs:person_lookup"))
        ctx["attend_url"] = url
    return ctx


register(ModelUI(
    model=AssuranceCase,
    list_columns=("year", "enterprise", "enterprise__ownership", "stage", "surveyed_on", "selected_on", "closed_on"),
    column_labels={"enterprise__ownership": _("ownership")},
    sortable=("year", "enterprise", "stage", "surveyed_on", "selected_on", "closed_on"),
    form_fields=("enterprise", "plan", "year", "stage", "surveyed_on", "assessment_summary", "selected_on", "outcome",
                 "closed_on", "notes"),
    filterset_class=filters.AssuranceCaseFilterSet,
    select_related=("enterprise",),
    ordering=("-year", "enterprise__name"),
    autocomplete_fields=("enterprise",),
    related=(Related(_("Support delivered"), SupportDelivery, "case",
                     columns=("kind", "delivered_on", "provider", "record", "cost"),
                     select_related=("provider", "record"), order_by=("-delivered_on", "-pk"), limit=50),),
    detail_template="programmes/assurancecase_detail.html",
    extra_detail=case_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=SupportDelivery,
    list_columns=("delivered_on", "kind", "case", "provider", "cost"),
    form_fields=("case", "kind", "delivered_on", "provider", "record", "description", "cost"),
    filterset_class=filters.SupportDeliveryFilterSet,
    select_related=("case", "case__enterprise", "provider"),
    ordering=("-delivered_on", "-pk"),
    autocomplete_fields=("case", "provider", "record"),
    menu_group=GROUP,
))

register(ModelUI(
    model=Training,
    list_columns=("title", "starts_on", "ends_on", "organizer", "unit", "on_enterprise_demand"),
    form_fields=("title", "plan", "task", "starts_on", "ends_on", "location", "unit", "organizer", "topic",
                 "on_enterprise_demand", "notes"),
    table_class=TrainingTable,
    filterset_class=filters.TrainingFilterSet,
    select_related=("organizer", "unit", "unit__province"),
    ordering=("-starts_on", "-pk"),
    autocomplete_fields=("unit", "organizer"),
    related=(Related(_("Attendees"), Attendance, "training", columns=("person", "role", "organization"),
                     select_related=("person", "organization"), order_by=("person__full_name",), limit=200),),
    detail_template="programmes/training_detail.html",
    extra_detail=training_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=Attendance,
    list_columns=("pk", "person", "role", "organization", "training"),
    column_labels={"pk": "#"},
    form_fields=("training", "person", "organization", "role"),
    filterset_class=filters.AttendanceFilterSet,
    select_related=("training", "person", "organization"),
    ordering=("-training__starts_on", "person__full_name"),
    autocomplete_fields=("training", "person", "organization"),
    menu_group=GROUP,
))

register(ModelUI(
    model=PrivateProvision,
    list_columns=("available_from", "item_type", "field", "kind", "description", "provider"),
    form_fields=("provider", "field", "kind", "standard", "item_type", "description", "available_from", "evidence",
                 "evidence_file"),
    filterset_class=filters.PrivateProvisionFilterSet,
    select_related=("provider", "field", "kind"),
    ordering=("-available_from", "-pk"),
    autocomplete_fields=("provider", "kind", "standard"),
    menu_group=GROUP,
))

register(ModelUI(
    model=CriteriaSet,
    list_columns=("code", "name", "version", "issued_by", "issued_on", "is_active"),
    form_fields=("code", "name", "version", "issued_by", "issued_on", "criteria", "is_active"),
    form_class=CriteriaSetForm,
    extra_detail=lambda request, cs: {"field_values": {"criteria": criteria_table(cs)}},
    filter_fields=("is_active",),
    ordering=("-is_active", "code", "-version"),
    related=(Related(_("Assessments"), CriteriaAssessment, "criteria_set",
                     columns=("assessed_on", "organization", "total", "result"), select_related=("organization",),
                     order_by=("-assessed_on",)),),
    menu_group=GROUP,
))


def criteria_table(criteria_set) -> DisplayTable:
    """A criteria set's criteria with headers a person reads (not the JSON keys), and the maximum total."""
    criteria = [c for c in (criteria_set.criteria if isinstance(criteria_set.criteria, list) else ())
                if isinstance(c, dict)]
    return DisplayTable(headers=[_("Criterion"), _("Content"), _("Maximum")], numeric=[False, False, True],
                        rows=[[str(c.get("code", "")), str(c.get("text", "")), format_number(c.get("max_score"))]
                              for c in criteria],
                        footer=[str(_("Total")), "", format_number(criteria_set.max_total)])


def scores_table(assessment) -> DisplayTable | None:
    """The scores of an assessment as a small table: criterion, score, maximum, and the totals."""
    scores = assessment.scores if isinstance(assessment.scores, dict) else {}
    criteria = assessment.criteria_set.criteria if isinstance(assessment.criteria_set.criteria, list) else []
    known = [c for c in criteria if isinstance(c, dict) and isinstance(c.get("code"), str)]
    if not known and not scores:
        return None
    limits = assessment.criteria_set.max_scores()
    rows = []
    for c in known:
        score = scores.get(c["code"])
        rows.append([c["code"], c.get("text") or "", format_number(score) if score is not None else "—",
                     format_number(limits[c["code"]]) if c["code"] in limits else "—"])
    codes = {c["code"] for c in known}
    rows += [[code, "", format_number(score) if isinstance(score, int | float) else str(score), "—"]
             for code, score in scores.items() if code not in codes]
    return DisplayTable(headers=[_("Criterion"), _("Content"), _("Score"), _("Maximum")],
                        numeric=[False, False, True, True], rows=rows,
                        footer=[str(_("Total")), "", format_number(assessment.compute_total()),
                                format_number(assessment.criteria_set.max_total)])


def assessment_detail(request, assessment) -> dict:
    table = scores_table(assessment)
    return {"field_values": {"scores": table}} if table is not None else {}


register(ModelUI(
    model=CriteriaAssessment,
    list_columns=("assessed_on", "organization", "criteria_set", "total", "result"),
    form_fields=("organization", "criteria_set", "assessed_on", "result", "notes"),
    form_class=CriteriaAssessmentForm,
    detail_fields=("organization", "criteria_set", "assessed_on", "scores", "total", "result", "notes"),
    filterset_class=filters.CriteriaAssessmentFilterSet,
    select_related=("organization", "criteria_set"),
    ordering=("-assessed_on", "-pk"),
    autocomplete_fields=("organization",),
    extra_detail=assessment_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=CapacitySupport,
    list_columns=("started_on", "kind", "provider", "completed_on", "accreditation", "cost"),
    form_fields=("provider", "kind", "started_on", "completed_on", "outcome", "accreditation", "cost"),
    filterset_class=filters.CapacitySupportFilterSet,
    select_related=("provider", "accreditation"),
    ordering=("-started_on", "-pk"),
    autocomplete_fields=("provider", "accreditation"),
    menu_group=GROUP,
))

register(ModelUI(
    model=OutreachEvent,
    list_columns=("held_on", "kind", "title", "organizer", "participants", "unit"),
    form_fields=("kind", "title", "held_on", "organizer", "task", "participants", "unit", "description", "link"),
    filterset_class=filters.OutreachEventFilterSet,
    select_related=("organizer", "unit", "unit__province"),
    ordering=("-held_on", "-pk"),
    autocomplete_fields=("organizer", "unit"),
    menu_group=GROUP,
))

add_related(Organization, Related(_("Assurance cases"), AssuranceCase, "enterprise",
                                  columns=("year", "stage", "selected_on", "closed_on"), order_by=("-year",)))
add_related(Organization, Related(_("Private provision"), PrivateProvision, "provider",
                                  columns=("available_from", "item_type", "kind", "description"),
                                  select_related=("kind",), order_by=("-available_from",)))
add_related(Organization, Related(_("Capacity support"), CapacitySupport, "provider",
                                  columns=("started_on", "kind", "completed_on"), order_by=("-started_on",)))
add_related(Organization, Related(_("Criteria assessments"), CriteriaAssessment, "organization",
                                  columns=("assessed_on", "total", "result"), order_by=("-assessed_on",)))
add_related(Person, Related(_("Trainings attended"), Attendance, "person", columns=("training", "role"),
                            select_related=("training",), order_by=("-training__starts_on",)))
add_related(ServiceRecord, Related(_("Assurance programme support"), SupportDelivery, "record",
                                   columns=("delivered_on", "kind", "case"),
                                   select_related=("case", "case__enterprise")))
