"""How each indicator is computed from records.

A :class:`Computation` says which rows are the *facts* behind a figure (the records an officer sees
when opening the figure), which of their fields give the date, the place, the ownership and the
metrology field used to filter and break down, and how facts become a number: a count of rows
("enterprise-times", "person-times") or a count of distinct values ("kinds", "labs").

Every figure is cumulative from the ``since`` date (a plan's start) to the ``as_of`` date, so a
2025 or 2030 target is compared with everything achieved since the plan began. Places are filtered
either on the map of each fact's own date (a unit of any edition and everything inside it) or on
today's map (a unit of the newest edition and every older unit that became part of it, through
:class:`~doluong.geo.models.UnitSuccession`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.inspections.models import CheckResult, LotOutcome
from doluong.instruments.models import InstrumentStatus
from doluong.programmes.models import AssessmentResult
from doluong.providers.models import AccreditationStandard, Activity
from doluong.records.models import Result


@dataclass(frozen=True)
class Scope:
    """Which facts count: up to ``as_of``, from ``since``, optionally one year, place, field, ownership."""

    as_of: dt.date
    since: dt.date | None = None
    year: int | None = None
    unit: AdministrativeUnit | None = None
    current_map: bool = True
    field_id: int | None = None
    ownership: str | None = None

    def replace(self, **kw) -> "Scope":
        return Scope(**{**self.__dict__, **kw})


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    facts: Callable[[dt.date], QuerySet]  # the candidate facts as of a date, unrestricted
    date_field: str
    unit_field: str | None = None
    ownership_field: str | None = None
    field_field: str | None = None
    distinct_by: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    ratio: Callable | None = None  # custom value for share indicators: (facts, scope) -> Decimal
    numerator: Callable | None = None  # for shares: the facts shown when the figure is opened
    extra: dict = field(default_factory=dict)
    # Counted from the summary tables where they can serve (indicators.summaries): counts of rows only.
    summary: bool = False


def _lazy(path: str):
    from django.apps import apps

    return apps.get_model(path)


def units_within(unit: AdministrativeUnit, *, current_map: bool) -> QuerySet:
    """The ids of every unit whose facts count for ``unit``.

    On the record's map: the unit and all units inside it on its own edition. On today's map
    (``unit`` of the newest edition): also every older unit that became part of it.
    """
    inside = Q(pk=unit.pk) | Q(parent=unit) | Q(province=unit)
    if current_map:
        older = UnitSuccession.objects.filter(successor=unit, is_primary=True).values("predecessor")
        inside |= Q(pk__in=older) | Q(province__in=older) | Q(parent__in=older)
    return AdministrativeUnit.objects.filter(inside).values("pk")


def placed_within(comp: Computation, scope: Scope, *, unit_field: str | None = None,
                  date_field: str | None = None) -> Q:
    """The facts of ``comp`` that happened within ``scope.unit``.

    A fact is placed by its own unit (a record's unit on the map of its date) or by its organisation's unit,
    which is where the organisation is today: after the 2025 reform, a commune of the new map. On an older map
    (``current_map=False`` and a unit of an edition that has ended) such a fact, dated while that map was in
    force, counts in the older unit its commune came from (the succession table): an enterprise supported in
    2023, now in Phường Yên Bái of Lào Cai, counts for the old Tỉnh Yên Bái where it was then.

    ``unit_field``/``date_field`` name the columns to test when they are not the computation's own (the summary
    rows of :mod:`doluong.indicators.summaries`: ``unit_id`` and ``month``)."""
    unit_field = unit_field or comp.unit_field
    date_field = date_field or comp.date_field
    inside = units_within(scope.unit, current_map=scope.current_map)
    placed = Q(**{f"{unit_field}__in": inside})
    edition = scope.unit.edition
    if not scope.current_map and comp.ratio is None and edition.valid_to is not None:
        later = (UnitSuccession.objects.filter(predecessor__in=inside).exclude(successor__level=UnitLevel.PROVINCE)
                 .values("successor"))
        placed |= Q(**{f"{unit_field}__in": later, f"{date_field}__gte": edition.valid_from,
                       f"{date_field}__lte": edition.valid_to})
    return placed


def scoped(comp: Computation, scope: Scope) -> QuerySet:
    """The facts of ``comp`` within ``scope``."""
    qs = comp.facts(scope.as_of)
    if comp.ratio is None:  # a share is a state on as_of (facts() applies it), not a count of dated events
        qs = qs.filter(**{f"{comp.date_field}__lte": scope.as_of})
        if scope.since:
            qs = qs.filter(**{f"{comp.date_field}__gte": scope.since})
        if scope.year:
            qs = qs.filter(**{f"{comp.date_field}__year": scope.year})
    if scope.unit is not None and comp.unit_field:
        qs = qs.filter(placed_within(comp, scope))
    if scope.field_id and comp.field_field:
        qs = qs.filter(**{comp.field_field: scope.field_id})
    if scope.ownership and comp.ownership_field:
        qs = qs.filter(**{comp.ownership_field: scope.ownership})
    return qs


def figure(comp: Computation, scope: Scope, *, use_summary: bool = True) -> Decimal:
    """The value of ``comp`` within ``scope``: from the summary tables where they serve, else from the facts."""
    if use_summary and comp.summary:
        from doluong.indicators import summaries

        got = summaries.value(comp, scope)
        if got is not None:
            return got
    return value_of(comp, scoped(comp, scope), scope)


def value_of(comp: Computation, qs: QuerySet, scope: Scope) -> Decimal:
    if comp.ratio is not None:
        return comp.ratio(qs, scope)
    if not comp.distinct_by:
        return Decimal(qs.count())
    if len(comp.distinct_by) == 1:
        return Decimal(qs.aggregate(n=Count(comp.distinct_by[0], distinct=True))["n"])
    return Decimal(len(set(qs.values_list(*comp.distinct_by))))


def yearly(comp: Computation, scope: Scope, *, cumulative: bool, use_summary: bool = True) -> dict[int, Decimal]:
    """{year: value} for every year from ``since`` (or the first fact) to ``as_of``.

    ``cumulative``: the value counted from ``since`` to the end of each year (what a target is
    compared with); otherwise what happened within each year.
    """
    summed = None
    if use_summary and comp.summary:
        from doluong.indicators import summaries

        summed = summaries.per_year(comp, scope)
    qs = scoped(comp, scope)
    if comp.ratio is not None:
        years = range((scope.since or scope.as_of).year, scope.as_of.year + 1)
        return {y: figure(comp, scope.replace(as_of=min(dt.date(y, 12, 31), scope.as_of)), use_summary=use_summary)
                for y in years}
    year_expr = ExtractYear(comp.date_field)
    if summed is not None:
        per_year = {y: Decimal(n) for y, n in summed.items()}
        first_seen = None
    elif not comp.distinct_by or (len(comp.distinct_by) == 1 and not cumulative):
        agg = Count(comp.distinct_by[0], distinct=True) if comp.distinct_by else Count("pk")
        rows = qs.annotate(y=year_expr).values("y").annotate(n=agg).values_list("y", "n")
        per_year = {y: Decimal(n) for y, n in rows}
        first_seen = None
    else:
        first_seen: dict[tuple, int] = {}
        per_year_sets: dict[int, set] = {}
        for y, *key in qs.annotate(y=year_expr).values_list("y", *comp.distinct_by).order_by("y"):
            first_seen.setdefault(tuple(key), y)
            per_year_sets.setdefault(y, set()).add(tuple(key))
        per_year = {y: Decimal(len(s)) for y, s in per_year_sets.items()}
    start = (scope.since.year if scope.since else min(per_year, default=scope.as_of.year))
    years = list(range(start, scope.as_of.year + 1))
    if not cumulative:
        return {y: per_year.get(y, Decimal(0)) for y in years}
    out, running = {}, Decimal(0)
    for y in years:
        if first_seen is None:
            running += per_year.get(y, Decimal(0))
        else:
            running = Decimal(sum(1 for first in first_seen.values() if first <= y))
        out[y] = running
    return out


def breakdown(comp: Computation, scope: Scope, by: str, *, use_summary: bool = True) -> list[tuple[object, Decimal]]:
    """Value per ownership (``by="ownership"``) or metrology field (``by="field"``)."""
    path = {"ownership": comp.ownership_field, "field": comp.field_field}.get(by)
    if not path:
        return []
    if use_summary and comp.summary:
        from doluong.indicators import summaries

        summed = summaries.per_group(comp, scope, by)
        if summed is not None:
            order = sorted(summed, key=lambda k: (k is None, k if k is not None else 0))
            return [(k, Decimal(summed[k])) for k in order]
    qs = scoped(comp, scope)
    single = comp.distinct_by and len(comp.distinct_by) == 1
    agg = Count(comp.distinct_by[0], distinct=True) if single else Count("pk")
    return [(k, Decimal(n)) for k, n in qs.values_list(path).annotate(n=agg).values_list(path, "n").order_by(path)]


# --- the computations ----------------------------------------------------------------------------

def _private_provisions(as_of):
    return _lazy("programmes.PrivateProvision").objects.all()


def _labs_applying_criteria(as_of):
    accreditation = _lazy("providers.Accreditation").objects.filter(
        organization=OuterRef("organization"), standard=AccreditationStandard.ISO17025, issued_on__lte=as_of)
    return _lazy("programmes.CriteriaAssessment").objects.filter(
        result__in=(AssessmentResult.APPLIED_MEETS, AssessmentResult.APPLIED_PARTLY)).filter(Exists(accreditation))


def _support_deliveries(as_of):
    return _lazy("programmes.SupportDelivery").objects.all()


def _attendances(as_of):
    return _lazy("programmes.Attendance").objects.all()


def _capacity_raised(as_of):
    return _lazy("programmes.CapacitySupport").objects.filter(completed_on__isnull=False)


def _records(as_of):
    # A corrected certificate is a new version of the same work: only the version not superseded counts.
    return _lazy("records.ServiceRecord").objects.filter(superseded_by__isnull=True)


def _verifications(as_of):
    return _lazy("records.ServiceRecord").objects.filter(activity=Activity.VERIFICATION, superseded_by__isnull=True)


def _instruments_with_due(as_of):
    """Instruments in service on ``as_of``, with the validity of their last passing verification before it.

    For today (or later) the instrument's own ``verification_due_on`` is that value already; for a past
    date it is recomputed from the records made by then.
    """
    from django.db.models import F
    from django.utils import timezone

    if as_of >= timezone.localdate():
        return (_lazy("instruments.Instrument").objects.filter(status=InstrumentStatus.IN_USE)
                .annotate(due_as_of=F("verification_due_on")).filter(due_as_of__isnull=False))
    # One join and GROUP BY over the records made by then (not a subquery per instrument, evaluated twice: 1.4 s
    # at 10× demo on PostgreSQL against a few hundred ms): the conditions in one filter() apply to the same record.
    return (_lazy("instruments.Instrument").objects.filter(status=InstrumentStatus.IN_USE)
            .filter(Q(records__withdrawn_on__isnull=True) | Q(records__withdrawn_on__gt=as_of),
                    records__activity=Activity.VERIFICATION, records__result=Result.PASS,
                    records__performed_on__lte=as_of, records__superseded_by__isnull=True)
            .annotate(due_as_of=Max("records__valid_until")).filter(due_as_of__isnull=False))


def share(part: int, total: int) -> Decimal:
    """A percentage to one decimal (0 of nothing is 0)."""
    if not total:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(total)).quantize(Decimal("0.1"))


def _overdue_share(qs, scope) -> Decimal:
    counts = qs.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_as_of__lt=scope.as_of)))
    return share(counts["overdue"], counts["total"])


REGISTRY: dict[str, Computation] = {c.key: c for c in [
    Computation("private_provision_kinds", _("kinds of standards and instruments provided privately"),
                _private_provisions, "available_from", unit_field="provider__unit",
                ownership_field="provider__ownership", field_field="field",
                distinct_by=("field_id", "kind_id", "description"), select_related=("provider", "field", "kind")),
    Computation("labs_applying_criteria", _("accredited labs applying the national criteria"),
                _labs_applying_criteria, "assessed_on", unit_field="organization__unit",
                ownership_field="organization__ownership", distinct_by=("organization_id",),
                select_related=("organization", "criteria_set")),
    Computation("assurance_enterprise_times", _("enterprise-times of the measurement assurance programme"),
                _support_deliveries, "delivered_on", unit_field="case__enterprise__unit",
                ownership_field="case__enterprise__ownership", field_field="record__instrument__kind__field",
                select_related=("case", "case__enterprise", "provider")),
    Computation("training_person_times", _("person-times trained"), _attendances, "training__starts_on",
                unit_field="training__unit", ownership_field="organization__ownership",
                select_related=("training", "person", "organization")),
    Computation("providers_capacity_raised", _("providers whose capacity was raised"), _capacity_raised,
                "completed_on", unit_field="provider__unit", ownership_field="provider__ownership",
                distinct_by=("provider_id",), select_related=("provider",)),
    Computation("records", _("verification, calibration and test records"), _records, "performed_on",
                unit_field="unit", ownership_field="instrument__owner__ownership",
                field_field="instrument__kind__field", select_related=("instrument", "instrument__kind", "provider"),
                summary=True),
    Computation("instruments_verified", _("instruments verified"), _verifications, "performed_on",
                unit_field="unit", ownership_field="instrument__owner__ownership",
                field_field="instrument__kind__field", distinct_by=("instrument_id",),
                select_related=("instrument", "instrument__kind", "provider")),
    Computation("overdue_share", _("share of instruments overdue for verification (%)"), _instruments_with_due,
                "due_as_of", unit_field="unit", ownership_field="owner__ownership", field_field="kind__field",
                select_related=("kind", "owner"), ratio=_overdue_share, summary=True,
                numerator=lambda qs, scope: qs.filter(due_as_of__lt=scope.as_of)),
    Computation("inspections", _("inspections and checks"),
                lambda as_of: _lazy("inspections.Inspection").objects.all(), "started_on", unit_field="unit",
                ownership_field="organization__ownership", select_related=("organization", "unit")),
    Computation("instrument_checks_failed", _("instrument checks failed during inspections"),
                lambda as_of: _lazy("inspections.InstrumentCheck").objects.filter(result=CheckResult.FAIL),
                "inspection__started_on", unit_field="inspection__unit",
                ownership_field="inspection__organization__ownership", field_field="instrument__kind__field",
                select_related=("inspection", "instrument", "instrument__kind")),
    Computation("lots_rejected", _("prepackage lots rejected"),
                lambda as_of: _lazy("inspections.LotCheck").objects.filter(outcome=LotOutcome.REJECTED),
                "inspection__started_on", unit_field="inspection__unit",
                ownership_field="inspection__organization__ownership", select_related=("inspection",)),
    Computation("manual", _("manual value with evidence"), lambda as_of: _lazy("indicators.ManualValue").objects.all(),
                "as_of"),
]}


__all__ = ["REGISTRY", "Computation", "Scope", "UnitLevel", "breakdown", "figure", "scoped", "units_within", "value_of",
           "yearly"]
