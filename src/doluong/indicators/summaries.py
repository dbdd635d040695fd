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

Only counts of rows are summed (``Computation.summary``); a count of distinct values (instruments verified,
labs) is not additive across months and is computed from the facts. The overdue share on a past date has its own
pair of tables (spells and their monthly sums, below), exact in the same way.

A mark is one row per computation and month: concurrent writes into the same month wait for each other's commit
on it (short write transactions; the price of never reading a stale figure).
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
from doluong.indicators.models import DueSpell, DueSummary, FactSummary, SummaryDirty, SummaryState

TABLES = (FactSummary, DueSpell, DueSummary)  # the derived tables (the demo refreshes their statistics)
# Beyond this many dirty months in a period the figure is counted from the facts (the refresh is behind).
MAX_DIRTY = 24
FAR_PAST = dt.date(1900, 1, 1)


def summarised() -> list[Computation]:
    """The counts served by FactSummary (the overdue share has its own tables: DueSpell, DueSummary)."""
    return [c for c in REGISTRY.values() if c.summary and c.ratio is None]


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
    """After the write commits, queue the refresh unless one is already waiting (never for a rolled-back write)."""
    transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    from django.tasks import task_backends
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from doluong.indicators.tasks import refresh_summaries

    if isinstance(task_backends["default"], DatabaseBackend) and DBTaskResult.objects.filter(
            task_path=refresh_summaries.module_path, status=TaskResultStatus.READY).exists():
        return  # the one waiting will see these marks too
    refresh_summaries.enqueue()


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


def _wipe(rows: QuerySet) -> None:
    """Delete derived rows in one statement (no history, no signals: they are computed again at will)."""
    rows._raw_delete(rows.db)


def _facts(comp: Computation) -> QuerySet:
    return comp.facts(timezone.localdate())


def rebuild(key: str) -> SummaryState:
    """Compute a computation's whole summary again from its facts (in one transaction)."""
    comp = REGISTRY[key]
    started = time.perf_counter()
    with transaction.atomic():
        seen = dict(SummaryDirty.objects.filter(computation=key).values_list("month", "generation"))
        _wipe(FactSummary.objects.filter(computation=key))
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
                _wipe(FactSummary.objects.filter(computation=comp.key, month=month))
                facts = _facts(comp).filter(**{f"{comp.date_field}__gte": month,
                                               f"{comp.date_field}__lte": month_end(month)})
                FactSummary.objects.bulk_create(_grouped(comp, facts), batch_size=2000)
            _clear(comp.key, seen)
        done[comp.key] = len(seen)
    if key in (None, OVERDUE):
        if SummaryState.objects.filter(computation=OVERDUE).exists():
            done[OVERDUE] = refresh_due()
        else:
            rebuild_due()
            done[OVERDUE] = -1
    return done


def rebuild_all() -> dict[str, SummaryState]:
    return {**{comp.key: rebuild(comp.key) for comp in summarised()}, OVERDUE: rebuild_due()}


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


def _placed(rows: QuerySet, comp: Computation, scope: Scope) -> QuerySet:
    """The summary rows (FactSummary or DueSummary) of the facts placed within ``scope.unit``: the province grain for
    no place or a province (its units, and on today's map those of the older provinces that became it), else the
    unit grain through ``placed_within`` (which adds, for a count on an old map, the communes that came from it)."""
    unit = scope.unit if comp.unit_field else None
    if unit is None:
        return rows.filter(grain="province")
    succession_clause = comp.ratio is None and not scope.current_map and unit.edition.valid_to is not None
    if unit.level == UnitLevel.PROVINCE and not succession_clause:
        provinces = [unit.pk]
        if scope.current_map:
            provinces += list(UnitSuccession.objects.filter(successor=unit, is_primary=True)
                              .values_list("predecessor", flat=True))
        return rows.filter(grain="province", province_id__in=provinces)
    return rows.filter(Q(grain="unit") & placed_within(comp, scope, unit_field="unit_id", date_field="month"))


def split(comp: Computation, scope: Scope) -> tuple[QuerySet, QuerySet | None] | None:
    """(summary rows, remaining facts or ``None``) that together make the facts of ``comp`` within ``scope``;
    ``None`` when the summary cannot serve it (not summarised, not built, too far behind, a map whose dates split a
    month)."""
    if not comp.summary or comp.ratio is not None or not SummaryState.objects.filter(computation=comp.key).exists():
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
    rows = _placed(FactSummary.objects.filter(Q(computation=comp.key) & months).exclude(month__in=dirty), comp,
                   scope)
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


def value(comp: Computation, scope: Scope):
    """The figure of ``comp`` within ``scope`` from the summaries (a Decimal), or ``None`` when they cannot serve."""
    from decimal import Decimal

    from doluong.indicators.computations import share

    if comp.ratio is None:
        n = count(comp, scope)
        return None if n is None else Decimal(n)
    if comp.key == OVERDUE and scope.as_of < timezone.localdate():  # today: the instruments' own due dates
        got = overdue_at(comp, scope)
        return None if got is None else share(got[1], got[0])
    return None


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


# --- the overdue share on a past date: spells and their monthly sums ------------------------------------------
#
# The overdue share on a date D counts the instruments in use with a passing, current verification made by D and
# not withdrawn by then, and among them those whose latest validity ended before D. Each instrument's answer is a
# step function of D: :func:`spells_of` cuts it into spells (DueSpell). The number counted on D is the number of
# spells with start <= D < end: the sum of the monthly (starts - ends) of DueSummary over the months before D's,
# plus the starts and ends of D's own month up to D, read from the spells (and, likewise, from the spells for
# any dirty month).

OVERDUE = "overdue_share"


def spells_of(records: list[tuple[dt.date, dt.date | None, dt.date]]) -> list[tuple[dt.date, dt.date | None, bool]]:
    """(start, end or None, overdue) of one instrument from its verifications' (performed, withdrawn, valid until).

    On day D a verification is active when performed <= D and not withdrawn by D (withdrawn > D); the instrument
    is counted when one is active, and overdue when the latest validity of the active ones is before D."""
    cuts = sorted({d for p, w, v in records for d in (p, w, v + dt.timedelta(days=1)) if d is not None})

    def state(day):
        due = [v for p, w, v in records if p <= day and (w is None or w > day)]
        return None if not due else max(due) < day

    spells: list[list] = []  # [start, end, state], absent stretches (state None) included, then dropped
    for day in cuts:
        st = state(day)
        if spells and spells[-1][2] == st:
            continue
        if spells:
            spells[-1][1] = day
        spells.append([day, None, st])
    return [(a, b, st) for a, b, st in spells if st is not None]


def compute_spells(instrument_ids: list[int]) -> list[DueSpell]:
    """The spells these instruments should have, from their records and status (unsaved rows)."""
    from doluong.instruments.models import Instrument, InstrumentStatus
    from doluong.providers.models import Activity
    from doluong.records.models import Result, ServiceRecord

    in_use = set(Instrument.objects.filter(pk__in=instrument_ids, status=InstrumentStatus.IN_USE)
                 .values_list("pk", flat=True))
    by_instrument: dict[int, list] = {}
    for i, p, w, v in (ServiceRecord.objects.filter(
            instrument_id__in=in_use, activity=Activity.VERIFICATION, result=Result.PASS,
            superseded_by__isnull=True, valid_until__isnull=False)
            .values_list("instrument_id", "performed_on", "withdrawn_on", "valid_until")):
        by_instrument.setdefault(i, []).append((p, w, v))
    return [DueSpell(instrument_id=i, start=a, end=b, overdue=o)
            for i, recs in by_instrument.items() for a, b, o in spells_of(recs)]


def refresh_spells(instrument_ids: Iterable[int]) -> set[dt.date]:
    """Compute the spells of these instruments again; returns the months whose monthly sums changed."""
    ids = sorted(set(instrument_ids))
    months: set[dt.date] = set()
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        old = DueSpell.objects.filter(instrument_id__in=chunk)
        months |= {month_start(d) for s, e in old.values_list("start", "end") for d in (s, e) if d is not None}
        old._raw_delete(old.db)  # derived rows: one statement, no per-row signals
        rows = DueSpell.objects.bulk_create(compute_spells(chunk), batch_size=5000)
        months |= {month_start(d) for r in rows for d in (r.start, r.end) if d is not None}
    return months


def _spell_facts() -> QuerySet:
    return DueSpell.objects.all()


def _due_grouped(spells: QuerySet, months: list[dt.date] | None = None) -> list[DueSummary]:
    """The monthly sums (starts minus ends) of ``spells``, by unit and by province; only ``months`` if given."""
    key = {"u": F("instrument__unit"), "f": F("instrument__kind__field"), "o": F("instrument__owner__ownership")}
    sums: dict[tuple, list[int]] = {}
    for column, sign in (("start", 1), ("end", -1)):
        qs = spells.filter(**{f"{column}__isnull": False})
        if months is not None:
            span = Q()
            for m in months:
                span |= Q(**{f"{column}__gte": m, f"{column}__lte": month_end(m)})
            qs = qs.filter(span)
        rows = (qs.annotate(m=TruncMonth(column), **key).values("m", "u", "f", "o", "overdue")
                .annotate(n=Count("pk")).order_by())
        for r in rows:
            month = r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]
            acc = sums.setdefault((month, r["u"], r["f"], r["o"] or ""), [0, 0])
            acc[0] += sign * r["n"]
            acc[1] += sign * r["n"] if r["overdue"] else 0
    units = {k[1] for k in sums} - {None}
    province_of = {pk: (pk if level == UnitLevel.PROVINCE else prov) for pk, level, prov in
                   AdministrativeUnit.objects.filter(pk__in=units).values_list("pk", "level", "province_id")}
    out, by_province = [], {}
    for (month, unit, field, own), (c, o) in sums.items():
        province = province_of.get(unit)
        out.append(DueSummary(month=month, grain="unit", unit_id=unit, province_id=province, field_id=field,
                              ownership=own, counted=c, overdue=o))
        acc = by_province.setdefault((month, province, field, own), [0, 0])
        acc[0] += c
        acc[1] += o
    out += [DueSummary(month=m, grain="province", province_id=p, field_id=f, ownership=own, counted=c, overdue=o)
            for (m, p, f, own), (c, o) in by_province.items()]
    return [r for r in out if r.counted or r.overdue]


def rebuild_due() -> SummaryState:
    """All spells and monthly sums again, from the records (the demo; ``doluong summaries --rebuild``)."""
    from doluong.instruments.models import Instrument

    started = time.perf_counter()
    with transaction.atomic():
        seen = dict(SummaryDirty.objects.filter(computation=OVERDUE).values_list("month", "generation"))
        _wipe(DueSpell.objects.all())
        refresh_spells(Instrument.objects.values_list("pk", flat=True))
        _wipe(DueSummary.objects.all())
        rows = DueSummary.objects.bulk_create(_due_grouped(_spell_facts()), batch_size=2000)
        _clear(OVERDUE, seen)
        state, _created = SummaryState.objects.update_or_create(computation=OVERDUE, defaults={
            "built_at": timezone.now(), "rows": len(rows), "seconds": time.perf_counter() - started})
    return state


def refresh_due() -> int:
    """Recompute the monthly sums of the dirty months (the spells themselves are always current)."""
    with transaction.atomic():
        seen = dict(SummaryDirty.objects.filter(computation=OVERDUE).values_list("month", "generation"))
        if seen:
            months = sorted(seen)
            _wipe(DueSummary.objects.filter(month__in=months))
            DueSummary.objects.bulk_create(_due_grouped(_spell_facts(), months), batch_size=2000)
            _clear(OVERDUE, seen)
    return len(seen)


def check_due() -> list[str]:
    """The spells against the records, and the clean monthly sums against the spells; returns the differences."""
    from doluong.instruments.models import Instrument

    out = []
    stored = {}
    for i, a, b, o in DueSpell.objects.values_list("instrument_id", "start", "end", "overdue"):
        stored.setdefault(i, []).append((a, b, o))
    fresh = {}
    ids = list(Instrument.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 5000):
        for r in compute_spells(ids[start:start + 5000]):
            fresh.setdefault(r.instrument_id, []).append((r.start, r.end, r.overdue))
    for i in sorted(set(stored) | set(fresh)):
        if sorted(stored.get(i, [])) != sorted(fresh.get(i, [])):
            out.append(f"{OVERDUE}: instrument {i}: spells {sorted(stored.get(i, []))}, records give "
                       f"{sorted(fresh.get(i, []))}")
    dirty = set(SummaryDirty.objects.filter(computation=OVERDUE).values_list("month", flat=True))

    def keyed(rows):
        acc = {}
        for grain, month, unit, province, field, own, c, o in rows:
            if month not in dirty:
                k = (grain, month, unit, province, field, own)
                a = acc.setdefault(k, [0, 0])
                a[0] += c
                a[1] += o
        return {k: tuple(v) for k, v in acc.items() if v != [0, 0]}

    want = keyed((r.grain, r.month, r.unit_id, r.province_id, r.field_id, r.ownership, r.counted, r.overdue)
                 for r in _due_grouped(_spell_facts()))
    have = keyed(DueSummary.objects.values_list("grain", "month", "unit_id", "province_id", "field_id", "ownership",
                                                "counted", "overdue"))
    for k in sorted(set(want) | set(have), key=str):
        if want.get(k) != have.get(k):
            out.append(f"{OVERDUE} {k[1]:%m/%Y} {k[0]} {k[2] or k[3]}: summary {have.get(k)}, spells {want.get(k)}")
    return out


def overdue_at(comp: Computation, scope: Scope) -> tuple[int, int] | None:
    """(instruments counted, overdue) on ``scope.as_of`` (a past date) from the spells and their monthly sums;
    ``None`` when they cannot serve (not built, too many dirty months)."""
    if not SummaryState.objects.filter(computation=OVERDUE).exists():
        return None
    day = scope.as_of
    whole = day == month_end(day)
    last = month_start(day) if whole else month_start(month_start(day) - dt.timedelta(days=1))
    dirty = list(SummaryDirty.objects.filter(computation=OVERDUE, month__lte=last).values_list("month", flat=True))
    if len(dirty) > MAX_DIRTY:
        return None
    rows = _placed(DueSummary.objects.filter(month__lte=last).exclude(month__in=dirty), comp, scope)
    spells = DueSpell.objects.all()
    if scope.unit is not None:
        spells = spells.filter(placed_within(comp, scope, unit_field="instrument__unit"))
    if scope.field_id:
        rows = rows.filter(field_id=scope.field_id)
        spells = spells.filter(instrument__kind__field=scope.field_id)
    if scope.ownership:
        rows = rows.filter(ownership=scope.ownership)
        spells = spells.filter(instrument__owner__ownership=scope.ownership)
    got = rows.aggregate(c=Sum("counted"), o=Sum("overdue"))
    counted, overdue = got["c"] or 0, got["o"] or 0
    ranges = [(m, month_end(m)) for m in dirty]
    if not whole:
        ranges.append((month_start(day), day))
    for column, sign in (("start", 1), ("end", -1)):
        span = Q()
        for a, b in ranges:
            span |= Q(**{f"{column}__gte": a, f"{column}__lte": b})
        if not ranges:
            break
        got = spells.filter(span).aggregate(c=Count("pk"), o=Count("pk", filter=Q(overdue=True)))
        counted += sign * got["c"]
        overdue += sign * got["o"]
    return counted, overdue


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

    # the overdue share: an instrument's spells follow its records and its status (recomputed in the write's
    # transaction); its unit, kind and owner place the spells in the monthly sums
    def spells_of_instruments(values, key="instrument_id"):
        if values[key]:
            mark_dirty(OVERDUE, refresh_spells(values[key]))

    writes.follow_up(ServiceRecord, fields=("instrument_id",))(spells_of_instruments)
    writes.follow_up(Instrument, fields=("id",))(lambda values: spells_of_instruments(values, "id"))

    def months_of_spells(path):
        def run(values):
            if values["id"]:
                spells = DueSpell.objects.filter(**{f"instrument__{path}__in": values["id"]})
                mark_dirty(OVERDUE, [d for pair in spells.values_list("start", "end") for d in pair])
        return run

    writes.follow_up(Organization, fields=("id",))(months_of_spells("owner_id"))
    writes.follow_up(InstrumentKind, fields=("id",))(months_of_spells("kind_id"))


__all__ = ["OVERDUE", "TABLES", "check", "check_due", "compute_spells", "count", "mark_dirty", "mark_months_of",
           "overdue_at", "per_group", "per_year", "rebuild", "rebuild_all", "rebuild_due", "refresh", "refresh_due",
           "refresh_spells", "spells_of", "split", "summarised", "value"]
