"""Summary tables behind the dashboards: facts counted per month × unit × metrology field × ownership.

A dashboard figure over the records is a count of facts in a period, a place, a field and an ownership. On a
national data set (10–15 million records a year) counting them row by row on every page is too slow, so the
counts are kept per month in :class:`~doluong.indicators.models.FactSummary` and a figure is

    the sum of the summary rows of the **whole months** of its period that are **not dirty**
  + the facts themselves for the rest: the partial months at either end (today's month, a date mid-month) and
    any month a write has touched since its rows were computed.

So a figure is always exact, whatever the state of the summary: a stale row is never read. The write path marks
the months a write touches (:func:`mark_dirty`, in the writing transaction, from the follow-ups below) and
queues :func:`refresh` for after the commit; ``doluong summaries`` rebuilds, refreshes and checks them (a check
compares every summary row with a direct count of the facts). Until a computation's summary has been built once
(:class:`~doluong.indicators.models.SummaryState`) its figures are counted from the facts.

Only counts of rows are summed (``Computation.summary``): a count of distinct values (instruments verified,
labs) or a share (overdue instruments) is not additive across months and is computed from the facts.
"""

import datetime as dt
import time
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.indicators.computations import REGISTRY, Computation, Scope, placed_within, scoped
from doluong.indicators.models import FactSummary, SummaryDirty, SummaryState

# Beyond this many dirty months in a period the figure is counted from the facts (the refresh is behind).
MAX_DIRTY = 24
FAR_PAST = dt.date(1900, 1, 1)


def summarised() -> list[Computation]:
    return [c for c in REGISTRY.values() if c.summary]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


# --- the write path: marking months dirty ---------------------------------------------------------------

def mark_dirty(key: str, days: Iterable[dt.date | str | None]) -> int:
    """Mark the months of ``days`` dirty for computation ``key``; returns how many months. Call inside the write's
    transaction: the mark commits (or rolls back) with the write, and the refresh is queued for after it."""
    # a value from the state before the write is its history snapshot's ISO text
    months = sorted({month_start(dt.date.fromisoformat(d[:10]) if isinstance(d, str) else d)
                     for d in days if d is not None})
    if not months:
        return 0
    SummaryDirty.objects.bulk_create([SummaryDirty(computation=key, month=m) for m in months], ignore_conflicts=True)
    SummaryDirty.objects.filter(computation=key, month__in=months).update(generation=F("generation") + 1)
    _queue_refresh()
    return len(months)


def mark_months_of(key: str, facts: QuerySet) -> int:
    """Mark dirty every month in which one of ``facts`` (a queryset of the computation's model) happened."""
    comp = REGISTRY[key]
    months = facts.annotate(m=TruncMonth(comp.date_field)).values_list("m", flat=True).distinct()
    return mark_dirty(key, [m.date() if isinstance(m, dt.datetime) else m for m in months])


def _queue_refresh() -> None:
    conn = transaction.get_connection()
    if getattr(conn, "_doluong_summary_refresh_queued", False):
        return
    conn._doluong_summary_refresh_queued = True

    def enqueue():
        conn._doluong_summary_refresh_queued = False
        from doluong.indicators.tasks import refresh_summaries

        refresh_summaries.enqueue()

    transaction.on_commit(enqueue)


# --- building and refreshing ----------------------------------------------------------------------------

def _grouped(comp: Computation, facts: QuerySet) -> list[FactSummary]:
    """The summary rows of ``facts``: by unit, then the same counts added up by province."""
    names = {"m": TruncMonth(comp.date_field), "u": F(comp.unit_field) if comp.unit_field else None,
             "f": F(comp.field_field) if comp.field_field else None,
             "o": F(comp.ownership_field) if comp.ownership_field else None}
    used = {k: v for k, v in names.items() if v is not None}
    rows = list(facts.annotate(**used).values(*used).annotate(n=Count("pk")).order_by())
    units = {r.get("u") for r in rows} - {None}
    province_of = {pk: (pk if level == UnitLevel.PROVINCE else prov) for pk, level, prov in
                   AdministrativeUnit.objects.filter(pk__in=units).values_list("pk", "level", "province_id")}
    out, by_province = [], {}
    for r in rows:
        month = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
        unit, field, own = r.get("u"), r.get("f"), r.get("o") or ""
        province = province_of.get(unit)
        out.append(FactSummary(computation=comp.key, grain="unit", month=month, unit_id=unit, province_id=province,
                               field_id=field, ownership=own, n=r["n"]))
        key = (month, province, field, own)
        by_province[key] = by_province.get(key, 0) + r["n"]
    out += [FactSummary(computation=comp.key, grain="province", month=month, province_id=province, field_id=field,
                        ownership=own, n=n) for (month, province, field, own), n in by_province.items()]
    return out


def _facts(comp: Computation) -> QuerySet:
    return comp.facts(timezone.localdate())


def rebuild(key: str) -> SummaryState:
    """Compute a computation's whole summary again from its facts (in one transaction)."""
    comp = REGISTRY[key]
    started = time.perf_counter()
    with transaction.atomic():
        seen = dict(SummaryDirty.objects.filter(computation=key).values_list("month", "generation"))
        FactSummary.objects.filter(computation=key).delete()
        rows = FactSummary.objects.bulk_create(_grouped(comp, _facts(comp)), batch_size=2000)
        _clear(key, seen)
        state, _created = SummaryState.objects.update_or_create(computation=key, defaults={
            "built_at": timezone.now(), "rows": len(rows), "seconds": time.perf_counter() - started})
    return state


def _clear(key: str, seen: dict) -> None:
    """Clear the dirty marks read at the start, unless a write raised their generation since."""
    for month, generation in seen.items():
        SummaryDirty.objects.filter(computation=key, month=month, generation=generation).delete()


def refresh(key: str | None = None) -> dict[str, int]:
    """Recompute the dirty months (of one computation, or all); returns {computation: months refreshed, or -1 when
    it was built whole}.

    A computation whose summary was never built (a database from before the summaries) is built whole."""
    done = {}
    for comp in summarised():
        if key and comp.key != key:
            continue
        if not SummaryState.objects.filter(computation=comp.key).exists():
            rebuild(comp.key)
            done[comp.key] = -1
            continue
        with transaction.atomic():
            seen = dict(SummaryDirty.objects.filter(computation=comp.key).values_list("month", "generation"))
            for month in seen:
                FactSummary.objects.filter(computation=comp.key, month=month).delete()
                facts = _facts(comp).filter(**{f"{comp.date_field}__gte": month,
                                               f"{comp.date_field}__lte": month_end(month)})
                FactSummary.objects.bulk_create(_grouped(comp, facts), batch_size=2000)
            _clear(comp.key, seen)
        done[comp.key] = len(seen)
    return done


def rebuild_all() -> dict[str, SummaryState]:
    return {comp.key: rebuild(comp.key) for comp in summarised()}


def check(key: str) -> list[str]:
    """Every summary row of a clean month, at both grains, against a direct count of its facts; returns the
    differences (none when the summary is right)."""
    comp = REGISTRY[key]
    dirty = set(SummaryDirty.objects.filter(computation=key).values_list("month", flat=True))

    def keyed(rows):
        out = {}
        for grain, month, unit, province, field, own, n in rows:
            if month not in dirty:
                k = (grain, month, unit, province, field, own)
                out[k] = out.get(k, 0) + n
        return out

    want = keyed((r.grain, r.month, r.unit_id, r.province_id, r.field_id, r.ownership, r.n)
                 for r in _grouped(comp, _facts(comp)))
    have = keyed(FactSummary.objects.filter(computation=key).values_list(
        "grain", "month", "unit_id", "province_id", "field_id", "ownership", "n"))
    out = []
    for k in sorted(set(want) | set(have), key=str):
        if want.get(k, 0) != have.get(k, 0):
            grain, month, unit, province, field, own = k
            out.append(f"{key} {month:%m/%Y} {grain} {unit or province} field {field} ownership {own or '—'}: "
                       f"summary {have.get(k, 0)}, facts {want.get(k, 0)}")
    return out


# --- the read path ----------------------------------------------------------------------------------

def _bounds(scope: Scope) -> tuple[dt.date | None, dt.date]:
    lo, hi = scope.since, scope.as_of
    if scope.year:
        lo = max(lo or FAR_PAST, dt.date(scope.year, 1, 1))
        hi = min(hi, dt.date(scope.year, 12, 31))
    return lo, hi


def split(comp: Computation, scope: Scope) -> tuple[QuerySet, QuerySet | None] | None:
    """(summary rows, remaining facts or ``None``) that together make the facts of ``comp`` within ``scope``;
    ``None`` when the summary cannot serve it (not summarised, not built, too far behind, a map whose dates split a
    month)."""
    if not comp.summary or not SummaryState.objects.filter(computation=comp.key).exists():
        return None
    lo, hi = _bounds(scope)
    first = None if lo is None else (lo if lo.day == 1 else next_month(lo))
    last = month_start(hi) if hi == month_end(hi) else month_start(month_start(hi) - dt.timedelta(days=1))
    if first is not None and first > last:
        return None
    if scope.unit is not None and not scope.current_map:
        edition = scope.unit.edition
        if edition.valid_to is not None and (edition.valid_from.day != 1 or edition.valid_to != month_end(
                edition.valid_to)):
            return None
    months = Q(month__lte=last) & (Q(month__gte=first) if first else Q())
    dirty = list(SummaryDirty.objects.filter(Q(computation=comp.key) & months).values_list("month", flat=True))
    if len(dirty) > MAX_DIRTY:
        return None
    rows = FactSummary.objects.filter(Q(computation=comp.key) & months).exclude(month__in=dirty)
    unit = scope.unit if comp.unit_field else None
    if unit is None:
        rows = rows.filter(grain="province")
    elif unit.level == UnitLevel.PROVINCE and (scope.current_map or unit.edition.valid_to is None):
        # a province: its facts are those of units whose province is it or (today's map) an older one that became it
        provinces = [unit.pk]
        if scope.current_map:
            provinces += list(UnitSuccession.objects.filter(successor=unit, is_primary=True)
                              .values_list("predecessor", flat=True))
        rows = rows.filter(grain="province", province_id__in=provinces)
    else:
        rows = rows.filter(Q(grain="unit") & placed_within(comp, scope, unit_field="unit_id", date_field="month"))
    if scope.field_id and comp.field_field:
        rows = rows.filter(field_id=scope.field_id)
    if scope.ownership and comp.ownership_field:
        rows = rows.filter(ownership=scope.ownership)
    # the facts outside the summarised months: the partial months at either end, and the dirty months
    date = comp.date_field
    ranges = [(m, month_end(m)) for m in dirty]
    if hi > month_end(last):
        ranges.append((next_month(last), hi))
    if first is not None and lo < first:
        ranges.append((lo, first - dt.timedelta(days=1)))
    if not ranges:
        return rows, None
    rest = Q()
    for start, end in ranges:
        rest |= Q(**{f"{date}__gte": start, f"{date}__lte": end})
    return rows, scoped(comp, scope).filter(rest)


def count(comp: Computation, scope: Scope) -> int | None:
    parts = split(comp, scope)
    if parts is None:
        return None
    rows, rest = parts
    return (rows.aggregate(n=Sum("n"))["n"] or 0) + (rest.count() if rest is not None else 0)


def per_year(comp: Computation, scope: Scope) -> dict[int, int] | None:
    parts = split(comp, scope)
    if parts is None:
        return None
    rows, rest = parts
    out: dict[int, int] = {}
    for y, n in rows.annotate(y=ExtractYear("month")).values("y").annotate(n=Sum("n")).values_list("y", "n"):
        out[y] = out.get(y, 0) + n
    for y, n in (() if rest is None else rest.annotate(y=ExtractYear(comp.date_field)).values("y")
                 .annotate(n=Count("pk")).values_list("y", "n")):
        out[y] = out.get(y, 0) + n
    return out


def per_group(comp: Computation, scope: Scope, by: str) -> dict | None:
    """{field id or ownership: count}; ``by`` is "field" or "ownership"."""
    path = {"ownership": comp.ownership_field, "field": comp.field_field}[by]
    parts = split(comp, scope)
    if parts is None or not path:
        return None
    rows, rest = parts
    column = "field_id" if by == "field" else "ownership"
    out: dict = {}
    for k, n in rows.values(column).annotate(n=Sum("n")).values_list(column, "n"):
        k = k if k != "" else None
        out[k] = out.get(k, 0) + n
    for k, n in (() if rest is None else rest.values(path).annotate(n=Count("pk")).values_list(path, "n")):
        out[k] = out.get(k, 0) + n
    return out


__all__ = ["FactSummary", "check", "count", "mark_dirty", "mark_months_of", "per_group",
           "per_year", "rebuild", "rebuild_all", "refresh", "split"]


# --- the write path's follow-ups: which writes change which months ------------------------------------------

def _register() -> None:
    """Called once by the app's ``ready()``: the follow-ups of the models whose writes change a summarised count
    (the record itself; the instrument, owner and kind that give its field and ownership)."""
    from doluong.core import writes
    from doluong.instruments.models import Instrument, InstrumentKind
    from doluong.orgs.models import Organization
    from doluong.records.models import ServiceRecord

    @writes.follow_up(ServiceRecord, fields=("performed_on",))
    def _records_written(values):
        mark_dirty("records", values["performed_on"])

    def of_records(path):
        def run(values):
            if values["id"]:
                mark_months_of("records", ServiceRecord.objects.filter(**{f"{path}__in": values["id"]}))
        return run

    writes.follow_up(Instrument, fields=("id",))(of_records("instrument_id"))
    writes.follow_up(Organization, fields=("id",))(of_records("instrument__owner_id"))
    writes.follow_up(InstrumentKind, fields=("id",))(of_records("instrument__kind_id"))
