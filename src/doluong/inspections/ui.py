from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.roles import Role
from doluong.core.ui import ModelUI, Related, add_menu_link, add_related, register
from doluong.inspections import filters
from doluong.inspections.forms import CloseForm, InstrumentCheckForm, LotCheckForm
from doluong.inspections.models import (
    Finding,
    Inspection,
    InspectionStatus,
    InstrumentCheck,
    LotCheck,
    ViolationType,
)
from doluong.instruments.models import Instrument
from doluong.metrology.prepackages import get_scheme
from doluong.orgs.models import Organization

GROUP = "inspections"


def flow_url(name: str, *args) -> str | None:
    """URL of an inspections workflow route, or None while the routes are not installed."""
    try:
        return reverse(f"inspections_flow:{name}", args=args)
    except NoReverseMatch:
        return None


def inspection_detail(request, inspection) -> dict:
    user = request.user
    ctx = {"scope_labels": inspection.scope_labels()}
    if not access.can(user, Inspection, "change"):
        return ctx
    adds = []
    for what, model, label in (("instrumentcheck", InstrumentCheck, _("Add an instrument check")),
                               ("lotcheck", LotCheck, _("Add a prepackage lot check")),
                               ("finding", Finding, _("Add a finding"))):
        url = flow_url("child_add", inspection.pk, what)
        if url and access.can(user, model, "add") and inspection.status != InspectionStatus.CLOSED:
            adds.append((label, url))
    ctx["add_links"] = adds
    close_url = flow_url("inspection_close", inspection.pk)
    if close_url and inspection.status != InspectionStatus.CLOSED:
        ctx.update(close_form=CloseForm(), close_url=close_url,
                   open_findings=list(inspection.open_findings().order_by("pk")[:20]))
    return ctx


def lot_detail(request, lot) -> dict:
    verdict = lot.verdict or {}
    try:
        scheme = get_scheme(lot.scheme)
    except Exception:  # a scheme no longer registered: show the stored verdict as it is
        scheme = {}
    ctx = {"verdict": verdict, "scheme_title": scheme.get("title", lot.scheme),
           "scheme_unverified": scheme.get("verified") is False,
           "t1_packages": [i + 1 for i in verdict.get("t1_packages", [])],
           "t2_packages": [i + 1 for i in verdict.get("t2_packages", [])]}
    url = flow_url("lotcheck_edit", lot.pk)
    if url and access.can(request.user, LotCheck, "change"):
        ctx["sample_url"] = url
    return ctx


def check_detail(request, check) -> dict:
    return {"evaluation": check.evaluation or {}}


register(ModelUI(
    model=Inspection,
    list_columns=("started_on", "organization", "kind", "unit", "status", "lead_agency", "closed_on"),
    form_fields=("kind", "organization", "covers_instruments", "covers_prepackages", "covers_providers",
                 "started_on", "ended_on", "unit", "lead_agency", "team", "legal_basis", "decision_ref", "status",
                 "closed_on", "notes"),
    detail_fields=("kind", "organization", "started_on", "ended_on", "unit", "lead_agency", "team", "members",
                   "legal_basis", "decision_ref", "status", "closed_on", "notes"),
    filterset_class=filters.InspectionFilterSet,
    select_related=("organization", "unit", "unit__province", "lead_agency"),
    ordering=("-started_on", "-pk"),
    autocomplete_fields=("organization", "unit", "lead_agency"),
    related=(
        Related(_("Instrument checks"), InstrumentCheck, "inspection",
                columns=("instrument", "has_valid_verification", "stamp_intact", "error_ok", "result"),
                select_related=("instrument", "instrument__kind"), order_by=("pk",), limit=50),
        Related(_("Prepackage lot checks"), LotCheck, "inspection",
                columns=("product", "lot_size", "outcome"), order_by=("pk",), limit=50),
        Related(_("Findings"), Finding, "inspection",
                columns=("description", "violation", "penalty_amount", "follow_up_deadline", "status"),
                select_related=("violation",), order_by=("pk",), limit=50),
    ),
    detail_template="inspections/inspection_detail.html",
    extra_detail=inspection_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=InstrumentCheck,
    list_columns=("instrument", "inspection", "checked_on", "has_valid_verification", "stamp_intact", "error_ok",
                  "result"),
    column_labels={"inspection": _("inspection")},
    form_fields=("inspection", "instrument", "checked_on", "stamp_intact", "accuracy_class", "e", "points_unit",
                 "points_text", "notes"),
    detail_fields=("inspection", "instrument", "checked_on", "has_valid_verification", "verification_record",
                   "stamp_intact", "accuracy_class", "e", "points_unit", "error_ok", "result", "notes"),
    form_class=InstrumentCheckForm,
    filterset_class=filters.InstrumentCheckFilterSet,
    select_related=("instrument", "instrument__kind", "inspection", "inspection__organization"),
    ordering=("-inspection__started_on", "pk"),
    autocomplete_fields=("inspection", "instrument"),
    detail_template="inspections/instrumentcheck_detail.html",
    extra_detail=check_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=LotCheck,
    list_columns=("product", "inspection", "nominal", "unit", "lot_size", "outcome"),
    form_fields=("inspection", "product", "brand", "packer", "lot_ref", "nominal", "unit", "lot_size", "scheme",
                 "destructive", "checked_on", "sample_text", "notes"),
    detail_fields=("inspection", "product", "brand", "packer", "lot_ref", "nominal", "unit", "lot_size", "scheme",
                   "destructive", "checked_on", "outcome", "notes"),
    form_class=LotCheckForm,
    filterset_class=filters.LotCheckFilterSet,
    select_related=("inspection", "inspection__organization", "packer"),
    ordering=("-inspection__started_on", "pk"),
    autocomplete_fields=("inspection", "packer"),
    detail_template="inspections/lotcheck_detail.html",
    extra_detail=lot_detail,
    menu_group=GROUP,
))

register(ModelUI(
    model=ViolationType,
    list_columns=("code", "name", "legal_reference", "fine_min", "fine_max", "valid_from", "is_seed"),
    form_fields=("code", "name", "legal_reference", "fine_min", "fine_max", "organization_factor", "valid_from",
                 "valid_to", "is_seed", "notes"),
    filter_fields=("is_seed",),
    ordering=("code",),
    related=(Related(_("Findings"), Finding, "violation", columns=("description", "inspection", "penalty_amount"),
                     select_related=("inspection", "inspection__organization"),
                     order_by=("-inspection__started_on",)),),
    menu_group=GROUP,
))

register(ModelUI(
    model=Finding,
    list_columns=("description", "inspection", "violation", "penalty_amount", "follow_up_deadline", "status"),
    form_fields=("inspection", "instrument_check", "lot_check", "description", "violation", "offender",
                 "penalty_amount", "penalty_decision_ref", "follow_up_deadline", "follow_up_done_on", "status"),
    filterset_class=filters.FindingFilterSet,
    select_related=("inspection", "inspection__organization", "violation"),
    ordering=("-inspection__started_on", "pk"),
    autocomplete_fields=("inspection", "instrument_check", "lot_check", "violation"),
    menu_group=GROUP,
))

add_related(Organization, Related(_("Inspections"), Inspection, "organization",
                                  columns=("started_on", "kind", "status"), order_by=("-started_on",)))
add_related(Instrument, Related(_("Inspection checks"), InstrumentCheck, "instrument",
                                columns=("checked_on", "inspection", "result"),
                                select_related=("inspection", "inspection__organization"),
                                order_by=("-checked_on",)))

add_menu_link("inspections", _("Inspection statistics"), "inspections_flow:statistics",
              roles=(Role.OFFICER, Role.LEADER, Role.AGENCY))
