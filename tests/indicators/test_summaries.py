"""The summary tables give the figures the records give, for every scope, and never a stale one after a write."""

import datetime as dt
import itertools
import random

import pytest
from django.core.management import CommandError, call_command

from doluong.core import writes
from doluong.indicators import summaries
from doluong.indicators.computations import REGISTRY, Scope, breakdown, figure, yearly
from doluong.indicators.models import FactSummary, SummaryDirty
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
    dirty = set(SummaryDirty.objects.values_list("month", flat=True))
    assert {old_month, dt.date(2022, 2, 1)} <= dirty
    new = RecordFactory(instrument=facts[3].instrument, performed_on=dt.date(2021, 7, 9), unit=geo_map.old_commune)
    writes.save(new, user=None, via=writes.Via.SYSTEM, validate=False)
    assert summaries.check("records") == []  # the clean months are right; the dirty ones are counted from records
    same_as_the_records(geo_map)
    assert summaries.refresh("records") == {"records": len(dirty | {dt.date(2021, 7, 1)})}
    assert not SummaryDirty.objects.exists()
    same_as_the_records(geo_map)
    # an owner's ownership gives its records' ownership: changing it marks the months of all its records
    owner = facts[10].instrument.owner
    owner.ownership = Ownership.OTHER
    writes.save(owner, user=None, via=writes.Via.SYSTEM, validate=False)
    assert SummaryDirty.objects.filter(month=facts[10].performed_on.replace(day=1)).exists()
    same_as_the_records(geo_map)
    summaries.refresh()
    same_as_the_records(geo_map)
    writes.delete(new, user=None, via=writes.Via.REVERT, transition=True)  # as an import's undo does
    assert SummaryDirty.objects.filter(month=dt.date(2021, 7, 1)).exists()
    same_as_the_records(geo_map)


def test_a_mark_raised_while_refreshing_is_kept(facts):
    """The refresh clears only the generation it read: a write during the refresh leaves its month dirty."""
    summaries.rebuild("records")
    summaries.mark_dirty("records", [dt.date(2024, 3, 5)])
    seen = dict(SummaryDirty.objects.values_list("month", "generation"))
    summaries.mark_dirty("records", [dt.date(2024, 3, 20)])  # a write after the refresh read the marks
    summaries._clear("records", seen)
    assert SummaryDirty.objects.filter(month=dt.date(2024, 3, 1)).exists()


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
