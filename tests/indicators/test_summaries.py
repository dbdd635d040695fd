"""The summary tables give the figures the records give, for every scope, and never a stale one after a write."""

import datetime as dt
import itertools
import random

import pytest
from django.core.management import CommandError, call_command

from doluong.core import writes
from doluong.indicators import summaries
from doluong.indicators.computations import REGISTRY, Scope, breakdown, figure, yearly
from doluong.indicators.models import DueSummary, FactSummary, SummaryDirty
from doluong.orgs.models import Ownership
from tests.factories import FieldFactory, InstrumentFactory, KindFactory, OrganizationFactory, RecordFactory

pytestmark = pytest.mark.django_db
RECORDS = REGISTRY["records"]
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def facts(geo_map):
    """80 records over 2019–2026 in old Yên Bái (before 01/07/2025), today's Lào Cai (after), and none placed;
    two fields, three ownerships, one record superseded (it must not count)."""
    rng = random.Random(7)
    kinds = [KindFactory(field=FieldFactory(code="mass", name="Khối lượng")),
             KindFactory(field=FieldFactory(code="pressure", name="Áp suất", order=2))]
    owners = [OrganizationFactory(ownership=o) for o in (Ownership.STATE, Ownership.PRIVATE, Ownership.FOREIGN)]
    instruments = [InstrumentFactory(kind=k, owner=o) for k, o in itertools.product(kinds, owners)]
    made = []
    for _ in range(80):
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange((TODAY - dt.date(2019, 1, 1)).days))
        unit = rng.choice([None, geo_map.old_commune if day < dt.date(2025, 7, 1) else geo_map.new_commune])
        made.append(RecordFactory(instrument=rng.choice(instruments), performed_on=day, unit=unit))
    made[0].superseded_by = made[1]
    made[0].save(update_fields=["superseded_by"])
    return made


def scopes(geo_map):
    fields = list(dict.fromkeys(r for r in RECORDS.facts(TODAY).values_list("instrument__kind__field", flat=True)))
    places = [{}, {"unit": geo_map.lao_cai}, {"unit": geo_map.yen_bai, "current_map": False},
              {"unit": geo_map.yen_bai}, {"unit": geo_map.old_commune, "current_map": False},
              {"unit": geo_map.new_commune}, {"unit": geo_map.old_lao_cai, "current_map": False}]
    periods = [{"as_of": TODAY}, {"as_of": dt.date(2025, 12, 31), "since": dt.date(2019, 1, 1)},
               {"as_of": dt.date(2024, 6, 15), "since": dt.date(2020, 3, 10)}, {"as_of": TODAY, "year": 2025},
               {"as_of": dt.date(2023, 2, 28), "year": 2023}]
    filters = [{}, {"field_id": fields[0]}, {"ownership": Ownership.STATE}, {"field_id": fields[-1],
                                                                             "ownership": Ownership.PRIVATE}]
    for place, period, filt in itertools.product(places, periods, filters):
        yield Scope(**place, **period, **filt)


def same_as_the_records(geo_map):
    served = 0
    for scope in scopes(geo_map):
        raw = figure(RECORDS, scope, use_summary=False)
        assert figure(RECORDS, scope) == raw, scope
        served += summaries.split(RECORDS, scope) is not None
        since = scope.replace(since=scope.since or dt.date(2019, 1, 1))
        for cumulative in (True, False):
            assert yearly(RECORDS, since, cumulative=cumulative) == yearly(
                RECORDS, since, cumulative=cumulative, use_summary=False), scope
        for by in ("field", "ownership"):
            assert dict(breakdown(RECORDS, scope, by)) == dict(breakdown(RECORDS, scope, by, use_summary=False)), scope
    return served


def test_every_scope_gives_the_records_figure_from_the_summary(facts, geo_map):
    assert summaries.split(RECORDS, Scope(as_of=TODAY)) is None  # never built: the records are counted
    summaries.rebuild("records")
    assert FactSummary.objects.filter(grain="province").exists() and FactSummary.objects.filter(grain="unit").exists()
    served = same_as_the_records(geo_map)
    assert served >= 100  # the summary served most of the 140 scopes (not a fall-back to the records every time)
    assert summaries.check("records") == []
    # the figures are not all trivial: the places and periods tell facts apart
    assert figure(RECORDS, Scope(as_of=TODAY, unit=geo_map.yen_bai, current_map=False)) > 0
    assert figure(RECORDS, Scope(as_of=TODAY, unit=geo_map.old_lao_cai, current_map=False)) == 0
    assert 0 < figure(RECORDS, Scope(as_of=TODAY, unit=geo_map.lao_cai)) < figure(RECORDS, Scope(as_of=TODAY))


def test_a_write_marks_its_months_and_the_figure_stays_right_until_and_after_the_refresh(facts, geo_map):
    summaries.rebuild("records")
    moved = facts[5]
    old_month = moved.performed_on.replace(day=1)
    moved.performed_on = dt.date(2022, 2, 14)
    writes.save(moved, user=None, via=writes.Via.SYSTEM, validate=False)
    dirty = set(SummaryDirty.objects.filter(computation="records").values_list("month", flat=True))
    assert {old_month, dt.date(2022, 2, 1)} <= dirty
    new = RecordFactory(instrument=facts[3].instrument, performed_on=dt.date(2021, 7, 9), unit=geo_map.old_commune)
    writes.save(new, user=None, via=writes.Via.SYSTEM, validate=False)
    assert summaries.check("records") == []  # the clean months are right; the dirty ones are counted from records
    same_as_the_records(geo_map)
    assert summaries.refresh("records") == {"records": len(dirty | {dt.date(2021, 7, 1)})}
    assert not SummaryDirty.objects.filter(computation="records").exists()
    same_as_the_records(geo_map)
    # an owner's ownership gives its records' ownership: changing it marks the months of all its records
    owner = facts[10].instrument.owner
    owner.ownership = Ownership.OTHER
    writes.save(owner, user=None, via=writes.Via.SYSTEM, validate=False)
    assert SummaryDirty.objects.filter(computation="records", month=facts[10].performed_on.replace(day=1)).exists()
    same_as_the_records(geo_map)
    summaries.refresh()
    same_as_the_records(geo_map)
    writes.delete(new, user=None, via=writes.Via.REVERT, transition=True)  # as an import's undo does
    assert SummaryDirty.objects.filter(computation="records", month=dt.date(2021, 7, 1)).exists()
    same_as_the_records(geo_map)


def test_a_mark_raised_while_refreshing_is_kept(facts):
    """The refresh clears only the generation it read: a write during the refresh leaves its month dirty."""
    summaries.rebuild("records")
    summaries.mark_dirty("records", [dt.date(2024, 3, 5)])
    seen = dict(SummaryDirty.objects.filter(computation="records").values_list("month", "generation"))
    summaries.mark_dirty("records", [dt.date(2024, 3, 20)])  # a write after the refresh read the marks
    summaries._clear("records", seen)
    assert SummaryDirty.objects.filter(computation="records", month=dt.date(2024, 3, 1)).exists()


def test_the_check_finds_a_wrong_row_and_the_command_fails_on_it(facts, capsys):
    call_command("summaries", "--rebuild")
    call_command("summaries", "--check")
    assert "summary equals the records" in capsys.readouterr().out
    row = FactSummary.objects.filter(grain="province").order_by("month").first()
    row.n += 1
    row.save()
    assert len(summaries.check("records")) == 1
    with pytest.raises(CommandError, match="differ from the records"):
        call_command("summaries", "--check")
    call_command("summaries", "--refresh")  # nothing dirty: the wrong row stays until a rebuild
    assert len(summaries.check("records")) == 1
    call_command("summaries", "--rebuild")
    assert summaries.check("records") == []


# --- the overdue share on a past date -----------------------------------------------------------------------

OVERDUE = REGISTRY["overdue_share"]


def test_spells_follow_verifications_validity_and_withdrawals():
    d = dt.date
    # verified 01/03/2020, valid to 28/02/2021; re-verified late on 15/04/2021 (valid to 14/04/2022); that one
    # withdrawn on 01/06/2021, so from then the first verification's validity (long past) is the latest
    spells = summaries.spells_of([(d(2020, 3, 1), None, d(2021, 2, 28)),
                                  (d(2021, 4, 15), d(2021, 6, 1), d(2022, 4, 14))])
    assert spells == [(d(2020, 3, 1), d(2021, 3, 1), False), (d(2021, 3, 1), d(2021, 4, 15), True),
                      (d(2021, 4, 15), d(2021, 6, 1), False), (d(2021, 6, 1), None, True)]
    assert summaries.spells_of([(d(2020, 3, 1), d(2020, 3, 1), d(2021, 2, 28))]) == []  # withdrawn the same day


@pytest.fixture
def due_facts(facts, geo_map):
    """Besides the records above: 40 instruments in both provinces' communes, each verified about yearly from
    2019–2020, often late (the gaps make overdue stretches), a few verifications withdrawn, one superseded, three
    instruments out of use."""
    from doluong.instruments.models import InstrumentStatus

    rng = random.Random(11)
    kinds = list({r.instrument.kind for r in facts})
    owners = list({r.instrument.owner for r in facts})
    made = []
    for n in range(40):
        inst = InstrumentFactory(kind=rng.choice(kinds), owner=rng.choice(owners),
                                 unit=rng.choice([geo_map.new_commune, geo_map.old_commune, None]))
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(540))
        while day < dt.date(2026, 10, 1):
            rec = RecordFactory(instrument=inst, performed_on=day, unit=inst.unit)
            if rng.random() < 0.06:
                rec.withdrawn_on = day + dt.timedelta(days=rng.randrange(1, 200))
                rec.save(update_fields=["withdrawn_on"])
            made.append(rec)
            day += dt.timedelta(days=365 + rng.randrange(-60, 120))
        if n % 13 == 5:
            inst.status = InstrumentStatus.RETIRED
            inst.save(update_fields=["status"])
    made[3].superseded_by = made[4]
    made[3].save(update_fields=["superseded_by"])
    return made


def due_scopes(geo_map):
    fields = list(dict.fromkeys(RECORDS.facts(TODAY).values_list("instrument__kind__field", flat=True)))
    rng = random.Random(5)
    days = [dt.date(2019, 6, 30), dt.date(2022, 12, 31), dt.date(2024, 11, 30), dt.date(2025, 7, 1)] + [
        dt.date(2019, 3, 1) + dt.timedelta(days=rng.randrange(2700)) for _ in range(8)]
    places = [{}, {"unit": geo_map.lao_cai}, {"unit": geo_map.yen_bai, "current_map": False},
              {"unit": geo_map.new_commune}, {"unit": geo_map.old_commune}]
    filters = [{}, {"field_id": fields[0]}, {"ownership": Ownership.PRIVATE}]
    for day, place, filt in itertools.product(days, places, filters):
        yield Scope(as_of=day, **place, **filt)


def overdue_same_as_the_records(geo_map):
    nonzero = 0
    for scope in due_scopes(geo_map):
        raw = figure(OVERDUE, scope, use_summary=False)
        got = summaries.overdue_at(OVERDUE, scope)
        assert got is not None, scope
        assert figure(OVERDUE, scope) == raw, scope
        nonzero += raw > 0
    return nonzero


def test_the_overdue_share_on_a_past_date_from_the_spells_equals_the_records(due_facts, geo_map):
    assert summaries.overdue_at(OVERDUE, Scope(as_of=dt.date(2023, 1, 1))) is None  # not built: the records
    summaries.rebuild_due()
    assert overdue_same_as_the_records(geo_map) >= 60  # shares above 0 among the 180 scopes: not all trivial
    assert summaries.check_due() == []
    # writes: a new late verification, a withdrawal, an instrument retired: spells at once, sums after the refresh
    late = RecordFactory(instrument=due_facts[30].instrument, performed_on=dt.date(2023, 7, 20),
                         unit=geo_map.old_commune)
    writes.save(late, user=None, via=writes.Via.SYSTEM, validate=False)
    withdrawn = due_facts[40]
    withdrawn.withdrawn_on = dt.date(2024, 2, 2) if withdrawn.performed_on < dt.date(2024, 2, 2) else TODAY
    writes.save(withdrawn, user=None, via=writes.Via.SERVICE, transition=True, validate=False)
    from doluong.instruments.models import InstrumentStatus

    inst = due_facts[50].instrument
    inst.status = InstrumentStatus.OUT_OF_SERVICE
    writes.save(inst, user=None, via=writes.Via.SYSTEM, validate=False)
    assert SummaryDirty.objects.filter(computation="overdue_share").exists()
    overdue_same_as_the_records(geo_map)
    assert summaries.check_due() == []
    summaries.refresh()
    assert not SummaryDirty.objects.filter(computation="overdue_share").exists()
    overdue_same_as_the_records(geo_map)
    assert summaries.check_due() == []
    # a wrong sum is found
    row = DueSummary.objects.filter(grain="province").first()
    row.counted += 1
    row.save()
    assert len(summaries.check_due()) == 1


def test_a_committed_write_queues_one_refresh_and_the_task_clears_the_marks(facts, geo_map,
                                                                             django_capture_on_commit_callbacks):
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from doluong.indicators.tasks import refresh_summaries

    summaries.rebuild_all()
    waiting = DBTaskResult.objects.filter(task_path=refresh_summaries.module_path, status=TaskResultStatus.READY)
    for day in (dt.date(2022, 5, 3), dt.date(2023, 9, 9)):
        with django_capture_on_commit_callbacks(execute=True):
            record = RecordFactory(instrument=facts[2].instrument, performed_on=day, unit=geo_map.old_commune)
            writes.save(record, user=None, via=writes.Via.SYSTEM, validate=False)
    assert waiting.count() == 1  # the second commit found one waiting
    assert SummaryDirty.objects.filter(computation="records").count() == 2
    done = refresh_summaries.call()
    assert done["records"] == 2 and not SummaryDirty.objects.exists()
    assert summaries.check("records") == [] and summaries.check_due() == []
