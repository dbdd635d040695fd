"""The API's own endpoints (indicators, the index, the docs) and the page where people manage their tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from doluong.api.language import LanguageMixin
from doluong.api.models import ApiToken
from doluong.core import access
from doluong.core.roles import PROVINCE_READERS, role_of

# --- indicators ------------------------------------------------------------------------------------


class IndicatorQuery(serializers.Serializer):
    plan = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy(
        "One plan (its id); by default every plan with targets."))
    as_of = serializers.DateField(required=False, input_formats=["iso-8601", "%d/%m/%Y"], help_text=gettext_lazy(
        "The date of the figures (yyyy-mm-dd); by default today."))
    indicator = serializers.CharField(required=False, max_length=20, help_text=gettext_lazy(
        "Only this indicator (its code, e.g. T3)."))
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2100, help_text=gettext_lazy(
        "Only the facts of this year."))
    unit = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy(
        "Only the facts in this administrative unit (its id) and the units inside it."))
    field = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy(
        "Only the facts of this metrology field (its id)."))
    ownership = serializers.ChoiceField(required=False, choices=(), help_text=gettext_lazy(
        "Only enterprises of this ownership."))
    map = serializers.ChoiceField(required=False, default="current", choices=(
        ("current", gettext_lazy("today's map")), ("record", gettext_lazy("the map of each fact's date"))),
        help_text=gettext_lazy("Places counted on today's map, or on the map in force on each fact's date."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from doluong.orgs.models import Ownership

        self.fields["ownership"].choices = Ownership.choices


def _num(value):
    return None if value is None else float(value)


TargetValue = inline_serializer("TargetValue", {
    "target": serializers.IntegerField(), "indicator": serializers.CharField(), "name": serializers.CharField(),
    "unit": serializers.CharField(), "label": serializers.CharField(), "milestone": serializers.DateField(),
    "target_value": serializers.FloatField(), "value": serializers.FloatField(),
    "expected": serializers.FloatField(), "percent": serializers.FloatField(),
    "status": serializers.ChoiceField(choices=("achieved", "on_track", "at_risk", "off_track", "missed")),
    "status_label": serializers.CharField(), "manual": serializers.BooleanField(),
    "missing": serializers.ListField(child=serializers.CharField()),
    "value_at_milestone": serializers.FloatField(allow_null=True),
})
IndicatorValues = inline_serializer("IndicatorValues", {
    "as_of": serializers.DateField(),
    "plans": serializers.ListField(child=inline_serializer("PlanValues", {
        "id": serializers.IntegerField(), "name": serializers.CharField(), "start_year": serializers.IntegerField(),
        "targets": serializers.ListField(child=TargetValue)})),
    "operational": serializers.ListField(child=inline_serializer("OperationalValue", {
        "indicator": serializers.CharField(), "name": serializers.CharField(), "unit": serializers.CharField(),
        "year": serializers.IntegerField(allow_null=True), "value": serializers.FloatField()})),
})


class IndicatorValuesView(LanguageMixin, APIView):
    """The plan's indicators as the dashboard computes them: each target's value on a date (cumulative from the
    plan's start), the expected value on the straight path, the status; and the operational indicators."""

    @extend_schema(parameters=[IndicatorQuery], responses=IndicatorValues, tags=["indicators"])
    def get(self, request):
        from doluong.geo.models import AdministrativeUnit
        from doluong.indicators.computations import REGISTRY, Scope
        from doluong.indicators.models import Indicator
        from doluong.indicators.selectors import indicator_value, plan_progress
        from doluong.plans.models import Plan

        if role_of(request.user) not in PROVINCE_READERS:
            raise PermissionDenied(_("The indicators are read by officers, leaders and agencies."))
        query = IndicatorQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        unit = None
        if q.get("unit"):
            unit = AdministrativeUnit.objects.select_related("province", "edition").filter(pk=q["unit"]).first()
            if unit is None:
                raise ApiValidationError({"unit": [_("No such administrative unit.")]})
        as_of = q.get("as_of") or timezone.localdate()
        scope = Scope(as_of=as_of, year=q.get("year"), unit=unit, current_map=q.get("map") != "record",
                      field_id=q.get("field"), ownership=q.get("ownership"))
        plans = access.restrict(Plan.objects.filter(targets__isnull=False).distinct(), request.user).order_by(
            "-is_active", "-start_year", "pk")
        if q.get("plan"):
            plans = plans.filter(pk=q["plan"])
            if not plans.exists():
                raise ApiValidationError({"plan": [_("No such plan with targets.")]})
        code = q.get("indicator")
        out_plans = []
        for plan in plans:
            targets = []
            for p in plan_progress(plan, scope):
                t = p.target
                if code and t.indicator.code != code:
                    continue
                targets.append({
                    "target": t.pk, "indicator": t.indicator.code, "name": t.indicator.name, "unit": t.indicator.unit,
                    "label": t.label, "milestone": t.milestone, "target_value": _num(t.value), "value": _num(p.value),
                    "expected": _num(p.expected), "percent": _num(p.percent), "status": p.status,
                    "status_label": p.status_label, "manual": p.manual, "missing": [str(m) for m in p.missing],
                    "value_at_milestone": _num(p.value_at_milestone),
                })
            out_plans.append({"id": plan.pk, "name": str(plan), "start_year": plan.start_year, "targets": targets})
        operational = []
        op_year = scope.year or as_of.year
        indicators = Indicator.objects.filter(is_operational=True).order_by("order")
        if code:
            indicators = indicators.filter(code=code)
        for ind in indicators:
            comp = REGISTRY.get(ind.computation)
            if comp is None:
                continue
            year = None if comp.ratio is not None else op_year
            value, _manual = indicator_value(ind, scope.replace(year=year))
            operational.append({"indicator": ind.code, "name": ind.name, "unit": ind.unit, "year": year,
                                "value": _num(value)})
        return Response({"as_of": as_of, "plans": out_plans, "operational": operational})


# --- the index and the docs ------------------------------------------------------------------------

class IndexView(LanguageMixin, APIView):
    """Where everything is: one entry per registry model, the indicators, the schema and the docs."""

    @extend_schema(responses=inline_serializer("ApiIndex", {
        "models": serializers.DictField(child=serializers.CharField()),
        "indicators": serializers.CharField(), "schema": serializers.CharField(), "docs": serializers.CharField(),
    }))
    def get(self, request):
        from doluong.api.registry import all_apis

        models = {}
        for api in all_apis():
            if access.can(request.user, api.ui.model, "view"):
                models[api.ui.model._meta.label_lower] = request.build_absolute_uri(
                    reverse(f"api:{api.basename}-list"))
        return Response({
            "models": models,
            "indicators": request.build_absolute_uri(reverse("api:indicator-values")),
            "schema": request.build_absolute_uri(reverse("api:schema")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
        })


class SchemaView(LanguageMixin, SpectacularAPIView):
    pass


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from the static files (drf-spectacular-sidecar), its script served apart: no inline code."""

    template_name = "api/swagger_ui.html"
    url_name = "api:schema"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    url_name = "api:schema"


# --- tokens ------------------------------------------------------------------------------------------

EXPIRY_CHOICES = (30, 90, 365)


@login_required
def tokens(request):
    """The signed-in person's tokens: create one (its key is shown once), revoke one."""
    mine = ApiToken.objects.filter(user=request.user)
    context = {"tokens": mine, "expiry_choices": EXPIRY_CHOICES, "new_key": None, "errors": {}, "values": {}}
    status = 200
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()
        days_raw = request.POST.get("days") or ""
        context["values"] = {"name": name, "days": days_raw}
        if not name:
            context["errors"]["name"] = _("Give the token a name: which system will use it.")
        elif len(name) > 100:
            context["errors"]["name"] = _("At most 100 characters.")
        days = int(days_raw) if days_raw.isdigit() and int(days_raw) in EXPIRY_CHOICES else None
        if days_raw and days is None:
            context["errors"]["days"] = _("Choose one of the offered durations.")
        if context["errors"]:
            status = 400
        else:
            token, key = ApiToken.issue(request.user, name, days)
            context.update(new_key=key, new_token=token, values={})
            status = 201
    context["tokens"] = list(mine.order_by("-created", "-pk"))
    response = render(request, "api/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may show a key
    return response


@login_required
@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    token.revoke()
    messages.success(request, _("Revoked the token %(name)s.") % {"name": token})
    return HttpResponseRedirect(reverse("api:tokens"))
