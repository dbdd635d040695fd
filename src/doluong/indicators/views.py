"""The dashboard an officer or leader opens every morning, and the records behind every figure."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from doluong.core import access
from doluong.core import ui as registry
from doluong.core.roles import PROVINCE_READERS, role_of
from doluong.core.views import configure_table
from doluong.geo.models import AdministrativeUnit
from doluong.indicators.computations import REGISTRY, Scope, breakdown, scoped, yearly
from doluong.indicators.models import Indicator
from doluong.indicators.selectors import indicator_value, plan_progress, plan_start, trend
from doluong.instruments.models import MetrologyField
from doluong.orgs.models import Ownership


def _date(text: str | None, default: dt.date) -> dt.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime((text or "").strip(), fmt).date()
        except ValueError:
            continue
    return default


def _int(text):
    return int(text) if text and str(text).isdigit() else None


def within_own_province(user, unit):
    """A province-bound reader (officer, leader, agency of a placed organisation) sees its own province: no
    place chosen, or a place of another province, means the whole of its province (docs/multi-province.md)."""
    from doluong.core.roles import PROVINCE_BOUND
    from doluong.geo.tenancy import province_ids_of, province_of_unit

    if role_of(user) not in PROVINCE_BOUND:
        return unit
    ids = province_ids_of(user)
    if ids is None:
        return unit
    if unit is not None and (unit.pk in ids or unit.province_id in ids):
        return unit
    return province_of_unit(user.organization.unit)


def scope_from(request) -> tuple[Scope, dict]:
    """The scope a page was asked for (?as_of=dd/mm/yyyy&year=&unit=&field=&ownership=&map=record)."""
    g = request.GET
    today = timezone.localdate()
    as_of = _date(g.get("as_of"), today)
    unit = AdministrativeUnit.objects.select_related("province", "edition").filter(pk=_int(g.get("unit"))).first()
    unit = within_own_province(request.user, unit)
    field_id = _int(g.get("field"))
    ownership = g.get("ownership") if g.get("ownership") in Ownership.values else None
    scope = Scope(as_of=as_of, year=_int(g.get("year")), unit=unit, current_map=g.get("map") != "record",
                  field_id=field_id, ownership=ownership)
    return scope, {"as_of": as_of, "unit": unit, "field_id": field_id, "ownership": ownership,
                   "year": scope.year, "current_map": scope.current_map}


def _plans(user):
    from doluong.plans.models import Plan

    return access.restrict(Plan.objects.filter(targets__isnull=False).distinct(), user).order_by("-is_active",
                                                                                                   "-start_year")


@login_required
def dashboard(request):
    if role_of(request.user) not in PROVINCE_READERS:
        raise Http404
    from doluong.plans.models import BudgetLine, ProgressReport, WorkplanItem
    from doluong.plans.selectors import budget_summary

    plans = list(_plans(request.user))
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan")), plans[0] if plans else None)
    scope, chosen = scope_from(request)
    progress, trends, operational = [], [], []
    # A year filter never compares one year with a cumulative target: the targets show the cumulative figure
    # at the end of that year (their status is judged on that date) and, beside it, that year's increment.
    target_scope = scope
    year_end = None
    if scope.year:
        year_end = min(scope.as_of, dt.date(scope.year, 12, 31))
        target_scope = scope.replace(year=None, as_of=year_end)
    if plan is not None:
        progress = plan_progress(plan, target_scope)
        if scope.year:
            increment_scope = scope.replace(year=None, as_of=year_end,
                                            since=max(dt.date(scope.year, 1, 1), plan_start(plan)))
            increments = {}
            for p in progress:
                ind = p.target.indicator
                if ind.pk not in increments:
                    increments[ind.pk] = indicator_value(ind, increment_scope)[0]
                p.increment = increments[ind.pk]
        seen = set()
        for p in progress:
            ind = p.target.indicator
            if ind.pk in seen:
                continue
            seen.add(ind.pk)
            targets = [q.target for q in progress if q.target.indicator_id == ind.pk]
            trends.append({"indicator": ind, "series": trend(ind, scope.replace(since=plan_start(plan), year=None),
                                                             cumulative=True),
                           "target": max(t.value for t in targets)})
    since = dt.date(scope.as_of.year - 7, 1, 1)
    op_year = scope.year or scope.as_of.year
    for ind in Indicator.objects.filter(is_operational=True).order_by("order"):
        comp = REGISTRY[ind.computation]
        item = {"indicator": ind, "year": None if comp.ratio else op_year}
        if comp.ratio is not None:  # a share: its state on the date
            item["value"], _manual = indicator_value(ind, scope.replace(year=None))
        elif not comp.distinct_by:  # a count: the yearly series, the chosen year's bar as the figure
            item["series"] = trend(ind, scope.replace(since=since, year=None), cumulative=False)
            item["value"] = item["series"].get(op_year, 0)
        else:  # distinct per year: the chosen year only (a series would recount every year)
            item["value"], _manual = indicator_value(ind, scope.replace(year=op_year))
        operational.append(item)
    records = REGISTRY["records"]
    by_field = breakdown(records, scope.replace(year=scope.year or scope.as_of.year), "field")
    field_names = dict(MetrologyField.objects.values_list("pk", "name"))
    reports = access.restrict(ProgressReport.objects.all(), request.user)
    if plan is not None:
        reports = reports.filter(task__plan=plan)
    late = list(reports.late(scope.as_of).select_related("task", "agency").order_by("due_on")[:10])
    awaited = reports.awaited().count()
    due_items = access.restrict(WorkplanItem.objects.all(), request.user)
    if plan is not None:
        due_items = due_items.filter(workplan__plan=plan)
    due_items = list(due_items.filter(deadline__gte=scope.as_of, deadline__lte=scope.as_of + dt.timedelta(days=30))
                     .select_related("task", "responsible").order_by("deadline")[:8])
    budget_year = scope.year or scope.as_of.year
    budget = []
    if plan is not None:
        lines = access.restrict(BudgetLine.objects.filter(plan=plan, year=budget_year), request.user)
        budget = budget_summary(plan=plan, lines=lines)
    return render(request, "indicators/dashboard.html", {
        "plans": plans, "plan": plan, "scope": scope, "chosen": chosen, "progress": progress, "trends": trends,
        "operational": operational, "by_field": [(field_names.get(k, "—"), v) for k, v in by_field],
        "late_reports": late, "awaited_count": awaited, "due_items": due_items, "budget": budget,
        "budget_year": budget_year,
        "fields": MetrologyField.objects.order_by("order"), "ownerships": Ownership.choices,
        "years": list(range(scope.as_of.year, (plan.start_year if plan else scope.as_of.year - 7) - 1, -1)),
        "as_of_text": date_format(scope.as_of, "d/m/Y"),
        "year_end": year_end, "target_as_of_text": date_format(target_scope.as_of, "d/m/Y"),
    })


@login_required
def national(request):
    """Every province's progress side by side (docs/multi-province.md §3): on today's map or the one before."""
    from django.shortcuts import redirect

    from doluong.indicators.selectors import DECISION_996, national_rollup

    if role_of(request.user) not in PROVINCE_READERS:
        raise Http404
    if not access.nationwide_reader(request.user):
        return redirect("indicators_flow:dashboard")
    today = timezone.localdate()
    as_of = _date(request.GET.get("as_of"), today)
    current_map = request.GET.get("map") != "record"
    plans = _plans(request.user)
    indicators, rows, idle = national_rollup(plans, as_of=as_of, current_map=current_map)
    return render(request, "indicators/national.html", {
        "indicators": indicators, "rows": rows, "idle": idle, "current_map": current_map,
        "as_of_text": date_format(as_of, "d/m/Y"), "decision_996": DECISION_996,
        "map_param": "" if current_map else "&map=record",
    })


@login_required
def facts(request, code):
    """The records behind a figure: the same scope as the figure, restricted to what the user may see."""
    indicator = get_object_or_404(Indicator.objects.all(), code=code)
    if indicator.is_manual:
        raise Http404
    comp = REGISTRY[indicator.computation]
    scope, chosen = scope_from(request)
    plan_id = _int(request.GET.get("plan"))
    if plan_id:
        from doluong.plans.models import Plan

        plan = get_object_or_404(access.restrict(Plan.objects.all(), request.user), pk=plan_id)
        scope = scope.replace(since=plan_start(plan))
    elif request.GET.get("since"):
        scope = scope.replace(since=_date(request.GET.get("since"), scope.as_of))
    qs = scoped(comp, scope)
    if comp.numerator is not None:
        qs = comp.numerator(qs, scope)
    qs = access.restrict(qs, request.user)
    if comp.select_related:
        qs = qs.select_related(*comp.select_related)
    value, _manual = indicator_value(indicator, scope)
    breakdowns = []
    if comp.ratio is None:
        labels = {"ownership": dict(Ownership.choices),
                  "field": dict(MetrologyField.objects.values_list("pk", "name"))}
        by_year = yearly(comp, scope.replace(year=None), cumulative=False)
        breakdowns.append((_("By year"), [(str(y), v) for y, v in by_year.items()]))
        for key, title in (("ownership", _("By ownership")), ("field", _("By metrology field"))):
            rows = breakdown(comp, scope, key)
            if rows:
                breakdowns.append((title, [(labels[key].get(k, "—") if k is not None else "—", v) for k, v in rows]))
    ui = registry.get(qs.model)
    table = None
    if ui is not None:
        table = ui.table(qs.order_by(f"{'' if comp.ratio else '-'}{comp.date_field}", "-pk"))
        configure_table(request, table, per_page=50)
    return render(request, "indicators/facts.html", {
        "indicator": indicator, "comp": comp, "scope": scope, "chosen": chosen, "value": value, "table": table,
        "visible_count": qs.count() if table is None else None, "breakdowns": breakdowns,
    })
