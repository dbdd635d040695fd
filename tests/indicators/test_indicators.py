"""Indicators against hand-counted fixtures, across the 1 July 2025 map change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from doluong.core.roles import Role
from doluong.indicators.computations import REGISTRY, Scope, scoped, value_of, yearly
from doluong.indicators.models import Indicator, Target
from doluong.indicators.selectors import Status, expected_value, plan_progress, target_progress
from doluong.indicators.services import load_indicators, load_plan_targets
from doluong.orgs.models import Ownership
from doluong.programmes.models import Stage
from tests.factories import InstrumentFactory, KindFactory, ProviderFactory, RecordFactory, designate, make_user
from tests.plans.factories import PlanFactory
from tests.programmes.factories import (
    AttendanceFactory,
    CapacityFactory,
    CaseFactory,
    DeliveryFactory,
    EnterpriseFactory,
    PersonFactory,
    ProvisionFactory,
    TrainingFactory,
)

pytestmark = pytest.mark.django_db
END_2025 = dt.date(2025, 12, 31)


def count(code, **scope):
    comp = REGISTRY[code]
    s = Scope(**{"as_of": dt.date(2026, 11, 24), **scope})
    return value_of(comp, scoped(comp, s), s)


@pytest.fixture
def trainings(geo_map):
    """Training A in 2024 in a Yên Bái commune (old map): 3 people; B in 2025 in Lào Cai (new map): 2 people,
    one of whom also attended A. Person-times: 3 by end-2024, 5 by end-2025."""
    a = TrainingFactory(starts_on=dt.date(2024, 5, 14), ends_on=dt.date(2024, 5, 15), unit=geo_map.old_commune)
    b = TrainingFactory(starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2025, 9, 2), unit=geo_map.new_commune)
    people = PersonFactory.create_batch(3)
    for p in people:
        AttendanceFactory(training=a, person=p)
    AttendanceFactory(training=b, person=people[0])
    AttendanceFactory(training=b)
    return a, b


def test_person_times_count_each_attendance(trainings):
    assert count("training_person_times") == 5
    assert count("training_person_times", as_of=dt.date(2024, 12, 31)) == 3
    assert count("training_person_times", year=2025) == 2
    s = Scope(as_of=END_2025, since=dt.date(2019, 1, 1))
    series = yearly(REGISTRY["training_person_times"], s, cumulative=True)
    assert series[2023] == 0 and series[2024] == 3 and series[2025] == 5
    assert yearly(REGISTRY["training_person_times"], s, cumulative=False)[2025] == 2


def test_places_on_todays_map_include_the_old_units_that_became_them(trainings, geo_map):
    # Lào Cai today includes the old Yên Bái commune where training A was held.
    assert count("training_person_times", unit=geo_map.lao_cai) == 5
    assert count("training_person_times", unit=geo_map.new_commune) == 5
    # On the map of each record's date, old Yên Bái holds only A; Lào Cai (new) only B.
    assert count("training_person_times", unit=geo_map.yen_bai, current_map=False) == 3
    assert count("training_person_times", unit=geo_map.lao_cai, current_map=False) == 2
    assert count("training_person_times", unit=geo_map.old_commune, current_map=False) == 3
    # Old Lào Cai (code 10) merged into Lào Cai too, but held nothing.
    assert count("training_person_times", unit=geo_map.old_lao_cai, current_map=False) == 0


def test_a_2024_record_in_a_yen_bai_commune_counts_for_lao_cai_today(geo_map):
    provider = ProviderFactory()
    inst = InstrumentFactory(unit=geo_map.new_commune)
    designate(provider, inst.kind)
    RecordFactory(provider=provider, instrument=inst, performed_on=dt.date(2024, 6, 3), unit=geo_map.old_commune)
    RecordFactory(provider=provider, instrument=inst, performed_on=dt.date(2026, 1, 5), unit=geo_map.new_commune)
    assert count("records", unit=geo_map.lao_cai) == 2
    assert count("records", unit=geo_map.yen_bai, current_map=False) == 1
    assert count("records", unit=geo_map.lao_cai, current_map=False) == 1
    assert count("instruments_verified") == 1  # one instrument, verified twice
    assert count("instruments_verified", year=2024) == 1


def test_facts_placed_by_an_organisations_current_commune_count_where_they_happened_on_the_old_map(geo_map):
    """An enterprise and a provider registered today in Phường Yên Bái (new map), formerly Phường Yên Ninh of
    Tỉnh Yên Bái: their facts dated before 01/07/2025 count for old Yên Bái on the old map, those after do not;
    today's Lào Cai counts them all; old Lào Cai none."""
    enterprise = EnterpriseFactory(unit=geo_map.new_commune)
    case = CaseFactory(enterprise=enterprise)
    DeliveryFactory(case=case, delivered_on=dt.date(2023, 5, 2))
    DeliveryFactory(case=case, delivered_on=dt.date(2025, 6, 30))
    DeliveryFactory(case=case, delivered_on=dt.date(2025, 7, 1))  # on the new map: not in old Yên Bái
    provider = ProviderFactory(unit=geo_map.new_commune)
    ProvisionFactory(provider=provider, available_from=dt.date(2021, 3, 1))
    CapacityFactory(provider=provider, completed_on=dt.date(2022, 8, 1))
    old = {"unit": geo_map.yen_bai, "current_map": False, "as_of": END_2025}
    assert count("assurance_enterprise_times", **old) == 2
    assert count("assurance_enterprise_times", unit=geo_map.old_commune, current_map=False, as_of=END_2025) == 2
    assert count("assurance_enterprise_times", unit=geo_map.lao_cai, as_of=END_2025) == 3
    assert count("assurance_enterprise_times", unit=geo_map.old_lao_cai, current_map=False, as_of=END_2025) == 0
    assert count("private_provision_kinds", **old) == 1
    assert count("providers_capacity_raised", **old) == 1
    assert count("private_provision_kinds", unit=geo_map.old_lao_cai, current_map=False, as_of=END_2025) == 0
    # the records behind the figure are the same facts
    comp = REGISTRY["assurance_enterprise_times"]
    behind = scoped(comp, Scope(**old))
    assert sorted(behind.values_list("delivered_on", flat=True)) == [dt.date(2023, 5, 2), dt.date(2025, 6, 30)]


def test_distinct_indicators_count_kinds_labs_and_providers_once():
    p1 = ProvisionFactory(available_from=dt.date(2021, 3, 1))
    ProvisionFactory(field=p1.field, kind=p1.kind, available_from=dt.date(2022, 3, 1))  # same kind, another provider
    ProvisionFactory(available_from=dt.date(2023, 3, 1))
    assert count("private_provision_kinds") == 2
    assert count("private_provision_kinds", as_of=dt.date(2021, 12, 31)) == 1
    provider = ProviderFactory()
    CapacityFactory(provider=provider, completed_on=dt.date(2023, 6, 1))
    CapacityFactory(provider=provider, completed_on=dt.date(2024, 6, 1))
    CapacityFactory(completed_on=None)  # still under way
    assert count("providers_capacity_raised") == 1


def test_labs_count_only_when_accredited_to_17025_when_assessed():
    from doluong.providers.models import Accreditation
    from tests.programmes.factories import AssessmentFactory

    a = AssessmentFactory(assessed_on=dt.date(2025, 3, 1))
    AssessmentFactory(assessed_on=dt.date(2025, 4, 1))  # a lab without accreditation
    assert count("labs_applying_criteria") == 0
    Accreditation.objects.create(organization=a.organization, standard="ISO/IEC 17025", number="VILAS 999",
                                 issued_on=dt.date(2020, 1, 1))
    assert count("labs_applying_criteria") == 1


@pytest.fixture
def plan():
    plan = PlanFactory(start_year=2019)
    load_plan_targets(plan, [
        {"code": "T3", "label_vi": "T3", "by_2025": 10, "by_2030": 20},
        {"code": "T4", "label_vi": "T4", "by_2025": 100, "by_2030": 150},
    ])
    return plan


def deliveries(n, ownership, day):
    case = CaseFactory(enterprise=EnterpriseFactory(ownership=ownership), year=day.year, stage=Stage.SELECTED,
                       surveyed_on=day - dt.timedelta(days=60), selected_on=day - dt.timedelta(days=30))
    for _ in range(n):
        DeliveryFactory(case=case, delivered_on=day)


def test_t3_condition_state_and_private_and_statuses(plan):
    deliveries(12, Ownership.PRIVATE, dt.date(2024, 6, 1))
    t2025 = Target.objects.get(plan=plan, indicator__code="T3", milestone=END_2025)
    t2030 = Target.objects.get(plan=plan, indicator__code="T3", milestone=dt.date(2030, 12, 31))
    during = target_progress(t2025, Scope(as_of=dt.date(2025, 6, 30)))
    assert during.value == 12 and during.status == Status.AT_RISK
    assert during.missing == ["T3 chưa có doanh nghiệp có vốn nhà nước nào."]
    after = target_progress(t2025, Scope(as_of=dt.date(2026, 11, 24)))
    assert after.status == Status.MISSED and after.value_at_milestone == 12
    deliveries(1, Ownership.STATE, dt.date(2026, 2, 1))
    now = target_progress(t2030, Scope(as_of=dt.date(2026, 11, 24)))
    assert now.value == 13 and now.missing == []
    # straight path: 20 × 2884 days / 4382 days = 13.16… → 13.2 expected; 13 is below but above 75 % of it
    assert now.expected == Decimal("13.2")
    assert now.status == Status.AT_RISK
    deliveries(1, Ownership.STATE, dt.date(2026, 3, 1))
    assert target_progress(t2030, Scope(as_of=dt.date(2026, 11, 24))).status == Status.ON_TRACK


def test_expected_value_is_a_straight_line_from_the_plan_start(plan):
    t = Target.objects.get(plan=plan, indicator__code="T4", milestone=END_2025)
    start = dt.date(2019, 1, 1)
    assert expected_value(t, start, start) == 0
    assert expected_value(t, start, END_2025) == 100
    assert expected_value(t, start, dt.date(2030, 1, 1)) == 100
    half = start + (END_2025 - start) / 2
    assert expected_value(t, start, half) == Decimal("50.0")


def test_t4_progress_and_off_track(plan, trainings):
    progress = {(p.target.indicator.code, p.target.milestone.year): p
                for p in plan_progress(plan, Scope(as_of=dt.date(2025, 6, 30)))}
    t4 = progress[("T4", 2025)]
    assert t4.value == 3 and t4.status == Status.OFF_TRACK  # 3 of an expected ~92
    assert 0 < t4.percent < 5


def test_operational_share_overdue_today_and_in_the_past():
    provider = ProviderFactory()
    kind = KindFactory(verification_interval_months=12)
    designate(provider, kind)
    from doluong.records.services import refresh_due_dates

    a, b = InstrumentFactory(kind=kind), InstrumentFactory(kind=kind)
    RecordFactory(provider=provider, instrument=a, performed_on=dt.date(2024, 1, 10))  # valid to 09/01/2025
    RecordFactory(provider=provider, instrument=b, performed_on=dt.date(2025, 6, 1))  # valid to 31/05/2026
    refresh_due_dates([a.pk, b.pk])
    comp = REGISTRY["overdue_share"]
    for as_of, expected in ((dt.date(2024, 12, 31), 0), (dt.date(2025, 3, 1), 100), (dt.date(2025, 7, 1), 50)):
        s = Scope(as_of=as_of)
        assert value_of(comp, scoped(comp, s), s) == expected, as_of


def test_indicator_definitions_are_computations_not_numbers():
    from django.core.exceptions import ValidationError

    load_indicators()
    assert Indicator.objects.filter(code__in=["T1", "T2", "T3", "T4", "T5"]).count() == 5
    bad = Indicator(code="X", name="x", unit="x", computation="typed-in")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_dashboard_shows_the_targets_and_every_figure_opens_to_its_records(client, plan, trainings):
    client.force_login(make_user(Role.LEADER))
    page = client.get(reverse("indicators_flow:dashboard"), {"as_of": "31/12/2025"}).content.decode()
    assert 'data-testid="target-T4-2025"' in page
    r = client.get(reverse("indicators_flow:facts", args=["T4"]), {"plan": plan.pk, "as_of": "31/12/2025"})
    assert r.status_code == 200
    assert r.context["value"] == 5 and r.context["table"].paginator.count == 5
    r = client.get(reverse("indicators_flow:facts", args=["T4"]), {"plan": plan.pk, "as_of": "31/12/2024"})
    assert r.context["value"] == 3 and r.context["table"].paginator.count == 3


def test_a_year_filter_judges_targets_on_the_cumulative_figure_at_that_years_end(client, plan):
    """T4 2025 = 100: 60 person-times in 2024 and 50 in 2025 meet it. Filtered to 2025, the card shows the
    cumulative 110 at 31/12/2025 (achieved) and +50 for 2025 — not 50 against 100 (once "not achieved")."""
    for year, n in ((2024, 60), (2025, 50)):
        training = TrainingFactory(starts_on=dt.date(year, 5, 1), ends_on=dt.date(year, 5, 2))
        for _ in range(n):
            AttendanceFactory(training=training)
    client.force_login(make_user(Role.OFFICER))
    r = client.get(reverse("indicators_flow:dashboard"), {"year": "2025", "as_of": "24/11/2026"})
    card = next(p for p in r.context["progress"] if p.target.indicator.code == "T4" and p.target.milestone == END_2025)
    assert (card.value, card.increment, card.status) == (110, 50, Status.ACHIEVED)
    assert 'data-testid="year-note"' in r.content.decode()
    r = client.get(reverse("indicators_flow:dashboard"), {"year": "2024", "as_of": "24/11/2026"})
    card = next(p for p in r.context["progress"] if p.target.indicator.code == "T4" and p.target.milestone == END_2025)
    assert (card.value, card.increment) == (60, 60) and card.status != Status.MISSED  # judged on 31/12/2024


def test_dashboard_is_for_province_readers_and_bounded_in_queries(client, plan, trainings,
                                                                  django_assert_max_num_queries):
    from tests.factories import OrganizationFactory

    client.force_login(make_user(Role.ENTERPRISE, OrganizationFactory()))
    assert client.get(reverse("indicators_flow:dashboard")).status_code == 404
    client.force_login(make_user(Role.OFFICER))
    with django_assert_max_num_queries(60):
        assert client.get(reverse("indicators_flow:dashboard")).status_code == 200


def test_inspection_figures_count_on_todays_map(geo_map):
    from tests.inspections.factories import InspectionFactory

    InspectionFactory(started_on=dt.date(2024, 4, 2), ended_on=dt.date(2024, 4, 2), unit=geo_map.old_commune)
    InspectionFactory(started_on=dt.date(2025, 9, 10), unit=geo_map.new_commune)
    assert count("inspections") == 2
    assert count("inspections", unit=geo_map.lao_cai) == 2
    assert count("inspections", unit=geo_map.yen_bai, current_map=False) == 1
    assert count("inspections", year=2024) == 1
