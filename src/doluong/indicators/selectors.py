"""Progress of a plan's targets: value, expected value on a straight path, status, what is missing."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doluong.indicators.computations import REGISTRY, Computation, Scope, figure, scoped, yearly
from doluong.indicators.models import Indicator, ManualValue, Target


class Status:
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    MISSED = "missed"


STATUS_LABELS = {
    Status.ACHIEVED: gettext_lazy("Achieved"), Status.ON_TRACK: gettext_lazy("On track"),
    Status.AT_RISK: gettext_lazy("At risk"), Status.OFF_TRACK: gettext_lazy("Off track"),
    Status.MISSED: gettext_lazy("Not achieved by the milestone"),
}
# A value at or above this share of the expected value is "at risk" rather than "off track".
AT_RISK_SHARE = Decimal("0.75")


def plan_start(plan) -> dt.date:
    return dt.date(plan.start_year, 1, 1)


@dataclass
class Progress:
    target: Target
    value: Decimal
    expected: Decimal
    status: str
    missing: list[str] = field(default_factory=list)
    manual: bool = False
    value_at_milestone: Decimal | None = None
    increment: Decimal | None = None  # set by a page filtered to one year: that year's own figure

    @property
    def percent(self) -> Decimal:
        return min(Decimal(100), self.value * 100 / self.target.value) if self.target.value else Decimal(100)

    @property
    def expected_percent(self) -> Decimal:
        return min(Decimal(100), self.expected * 100 / self.target.value) if self.target.value else Decimal(100)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def computation_of(indicator: Indicator) -> Computation:
    return REGISTRY[indicator.computation]


def indicator_value(indicator: Indicator, scope: Scope) -> tuple[Decimal, bool]:
    """(value, is_manual) of an indicator within a scope."""
    if indicator.is_manual:
        mv = ManualValue.objects.filter(indicator=indicator, as_of__lte=scope.as_of)
        if scope.unit is not None:
            mv = mv.filter(unit=scope.unit)
        latest = mv.order_by("-as_of").first()
        return (latest.value if latest else Decimal(0)), True
    comp = computation_of(indicator)
    return figure(comp, scope), False


def expected_value(target: Target, start: dt.date, as_of: dt.date) -> Decimal:
    """Where a straight path from 0 at ``start`` to the target at its milestone stands on ``as_of``."""
    total = (target.milestone - start).days
    if total <= 0 or as_of >= target.milestone:
        return target.value
    done = max(0, (as_of - start).days)
    return (target.value * done / total).quantize(Decimal("0.1"))


def missing_conditions(target: Target, scope: Scope) -> list[str]:
    """What the target's conditions still lack among the facts counted (e.g. no state-capital enterprise)."""
    from doluong.orgs.models import Ownership

    wanted = target.conditions.get("requires_ownership") or []
    comp = computation_of(target.indicator)
    if not wanted or not comp.ownership_field:
        return []
    present = set(scoped(comp, scope).values_list(comp.ownership_field, flat=True).distinct())
    phrases = {
        Ownership.STATE: _("%(code)s counts no state-capital enterprise yet."),
        Ownership.PRIVATE: _("%(code)s counts no private enterprise yet."),
        Ownership.FOREIGN: _("%(code)s counts no foreign-invested enterprise yet."),
        Ownership.OTHER: _("%(code)s counts no enterprise of other ownership yet."),
    }
    return [phrases[w] % {"code": target.indicator.code} for w in wanted if w not in present]


def target_progress(target: Target, scope: Scope) -> Progress:
    start = plan_start(target.plan)
    scope = scope.replace(since=start)
    value, manual = indicator_value(target.indicator, scope)
    missing = missing_conditions(target, scope)
    passed = scope.as_of > target.milestone
    at_milestone = None
    if passed:
        at_milestone, _m = indicator_value(target.indicator, scope.replace(as_of=target.milestone))
        missing_then = missing_conditions(target, scope.replace(as_of=target.milestone))
        status = Status.ACHIEVED if at_milestone >= target.value and not missing_then else Status.MISSED
        return Progress(target, value, target.value, status, missing_then, manual, at_milestone)
    expected = expected_value(target, start, scope.as_of)
    if value >= target.value:
        status = Status.AT_RISK if missing else Status.ACHIEVED
    elif value >= expected:
        status = Status.AT_RISK if missing else Status.ON_TRACK
    elif value >= expected * AT_RISK_SHARE:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK
    return Progress(target, value, expected, status, missing, manual)


def plan_progress(plan, scope: Scope) -> list[Progress]:
    targets = Target.objects.filter(plan=plan).select_related("indicator", "plan").order_by(
        "indicator__order", "milestone")
    return [target_progress(t, scope) for t in targets]


def trend(indicator: Indicator, scope: Scope, *, cumulative: bool) -> dict[int, Decimal]:
    if indicator.is_manual:
        return {}
    return yearly(computation_of(indicator), scope, cumulative=cumulative)


# --- the national roll-up ---------------------------------------------------------------------------------

DECISION_996 = dt.date(2018, 8, 10)  # a province without a plan here counts from the Decision itself


@dataclass
class Cell:
    """One province's figure for one indicator: cumulative since its plan began (or since Decision 996), and,
    where its plan sets a target on the indicator, the target now in view (the next milestone, else the last)."""

    indicator: Indicator
    value: Decimal
    since: dt.date
    progress: Progress | None = None


@dataclass
class ProvinceRow:
    province: object  # AdministrativeUnit
    plan: object | None  # Plan
    cells: list[Cell]


def _target_in_view(progress: list[Progress], indicator: Indicator, as_of: dt.date) -> Progress | None:
    mine = [p for p in progress if p.target.indicator_id == indicator.pk]
    ahead = [p for p in mine if p.target.milestone >= as_of]
    return (ahead or mine[-1:] or [None])[0]


def national_rollup(plans, *, as_of: dt.date, current_map: bool = True):
    """Every province with a plan or with organisations, on today's map or on the one before it, side by side on
    the indicators the plans set targets on. Each figure is the one the province's own dashboard shows (the same
    ``plan_progress`` and ``indicator_value``), so a drill-down never disagrees with the table.

    Returns (indicators, rows, idle): ``idle`` are the map's provinces with neither (no figures computed)."""
    from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel, UnitSuccession
    from doluong.geo.tenancy import province_of_unit
    from doluong.orgs.models import Organization

    plans = list(plans)
    indicators = list(Indicator.objects.filter(targets__plan__in=plans).distinct().order_by("order", "code"))
    editions = MapEdition.objects.order_by("-valid_from")
    today_edition = editions.filter(valid_to__isnull=True).first()
    edition = today_edition if current_map else editions.filter(valid_to__isnull=False).first()
    if edition is None:
        return indicators, [], []
    provinces = list(AdministrativeUnit.objects.filter(edition=edition, level=UnitLevel.PROVINCE).order_by("name"))
    by_pk = {p.pk: p for p in provinces}

    def today_of(unit_pk):  # today's province of a unit's province, once per distinct unit
        unit = AdministrativeUnit.objects.select_related("province", "edition").get(pk=unit_pk)
        found = province_of_unit(unit)
        return found.pk if found else None

    placed_units = set(Organization.objects.filter(unit__isnull=False).values_list("unit__province", flat=True)
                       .distinct())
    placed_units |= {p.province_id for p in plans if p.province_id}
    placed_units.discard(None)
    today_ids = {today_of(pk) for pk in placed_units} - {None}
    if current_map:
        row_ids = today_ids
    else:  # the older provinces that became a province with data, and a plan's own old province
        row_ids = set(UnitSuccession.objects.filter(successor_id__in=today_ids, predecessor__edition=edition,
                                                    predecessor__level=UnitLevel.PROVINCE)
                      .values_list("predecessor_id", flat=True))
        row_ids |= {p.province_id for p in plans if p.province_id in by_pk}
    plan_of = {}
    for plan in sorted(plans, key=lambda p: (not p.is_active, -p.start_year)):
        if not plan.province_id:
            continue
        key = plan.province_id if not current_map else today_of(plan.province_id)
        plan_of.setdefault(key, plan)
    rows = []
    for province in (by_pk[pk] for pk in sorted(row_ids, key=lambda pk: by_pk[pk].name) if pk in by_pk):
        plan = plan_of.get(province.pk)
        scope = Scope(as_of=as_of, unit=province, current_map=current_map)
        progress = plan_progress(plan, scope) if plan is not None else []
        cells = []
        for indicator in indicators:
            shown = _target_in_view(progress, indicator, as_of)
            if shown is not None:
                cells.append(Cell(indicator, shown.value, plan_start(plan), shown))
                continue
            since = plan_start(plan) if plan is not None else DECISION_996
            value, _manual = indicator_value(indicator, scope.replace(since=since))
            cells.append(Cell(indicator, value, since))
        rows.append(ProvinceRow(province, plan, cells))
    idle = [p for p in provinces if p.pk not in row_ids]
    return indicators, rows, idle
