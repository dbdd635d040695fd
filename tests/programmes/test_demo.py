"""The programmes' demo data: valid under the models' rules, deterministic, and telling the intended story."""

import datetime as dt
import random

import pytest
from django.db.models import Q

from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person
from doluong.programmes.demo import delete_demo_programmes, load_demo_programmes
from doluong.programmes.models import (
    AssessmentResult,
    AssuranceCase,
    Attendance,
    CapacitySupport,
    CriteriaAssessment,
    CriteriaSet,
    OutreachEvent,
    OutreachKind,
    PrivateProvision,
    SupportDelivery,
    Training,
)
from tests.factories import FieldFactory, KindFactory, OrganizationFactory, ProviderFactory
from tests.programmes.factories import PersonFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)
NOTE = "demo marker"
MODELS = (OutreachEvent, Training, Attendance, PrivateProvision, CriteriaSet, CriteriaAssessment, CapacitySupport,
          AssuranceCase, SupportDelivery)


@pytest.fixture
def world(geo_map):
    for code in ("mass", "length", "pressure", "temperature"):
        field = FieldFactory(code=code, name=code)
        for _ in range(5):
            KindFactory(field=field)
    dost = OrganizationFactory(name="Sở KH&CN", kind=OrganizationKind.DEPARTMENT, ownership=Ownership.STATE,
                               unit=geo_map.new_commune, notes=NOTE)
    OrganizationFactory(kind=OrganizationKind.DEPARTMENT, ownership=Ownership.STATE, notes=NOTE)
    for _ in range(3):
        OrganizationFactory(kind=OrganizationKind.COMMUNE, ownership=Ownership.STATE, notes=NOTE)
    enterprises = [OrganizationFactory(ownership=o, notes=NOTE) for o in
                   [Ownership.PRIVATE] * 10 + [Ownership.FOREIGN] * 3 + [Ownership.STATE] * 3]
    providers = [ProviderFactory(ownership=Ownership.STATE, notes=NOTE),
                 ProviderFactory(ownership=Ownership.PRIVATE, kind=OrganizationKind.LAB, notes=NOTE),
                 ProviderFactory(ownership=Ownership.PRIVATE, notes=NOTE)]
    people = [PersonFactory(organization=o) for o in enterprises[:5] + providers]
    return {"enterprises": enterprises, "providers": providers, "people": people, "dost": dost}


def load(world, seed=7):
    return load_demo_programmes(rng=random.Random(seed), today=TODAY, **world)


def distinct_items(until):
    rows = PrivateProvision.objects.filter(available_from__lte=until).values_list("field_id", "kind_id", "description")
    return len({(f, k or d) for f, k, d in rows})


def test_demo_tells_the_story_on_24_11_2026(world):
    counts = load(world)
    end_2025 = dt.date(2025, 12, 31)
    # T1
    assert distinct_items(end_2025) == 13 and distinct_items(TODAY) == 15
    assert not PrivateProvision.objects.filter(provider__ownership=Ownership.STATE).exists()
    # T2
    applying = CriteriaAssessment.objects.filter(result=AssessmentResult.APPLIED_MEETS)
    assert applying.values("organization").distinct().count() == 1
    assert applying.get().assessed_on.year == 2025
    # T3
    deliveries = SupportDelivery.objects.all()
    to_2025 = deliveries.filter(delivered_on__lte=end_2025)
    assert to_2025.count() == 14
    assert not to_2025.filter(case__enterprise__ownership=Ownership.STATE).exists()
    assert deliveries.filter(delivered_on__year=2026, case__enterprise__ownership=Ownership.STATE).exists()
    assert deliveries.count() == 17
    # T4
    assert Attendance.objects.filter(training__starts_on__lte=end_2025).count() == 80
    assert Attendance.objects.count() == 105
    assert Attendance.objects.values("person").distinct().count() < 105  # some people came twice
    # T5
    assert list(CapacitySupport.objects.filter(completed_on__isnull=False).values_list("completed_on__year",
                                                                                      flat=True)) == [2023]
    # outreach every year, Metrology Day on 20/1
    days = set(OutreachEvent.objects.filter(kind=OutreachKind.METROLOGY_DAY).values_list("held_on", flat=True))
    assert days == {dt.date(y, 1, 20) for y in range(2019, 2027)}
    assert "BẢN MINH HỌA" in CriteriaSet.objects.get().name
    assert len(CriteriaSet.objects.get().criteria) == 8
    assert counts["attendances"] == 105
    # nothing after the reference date; people belong to organisations
    assert not Training.objects.filter(starts_on__gt=TODAY).exists()
    assert not Person.objects.filter(organization__isnull=True).exists()


def test_demo_rows_obey_the_models_rules(world):
    load(world)
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_demo_is_deterministic_and_deletable(world):
    def signature():
        return (list(SupportDelivery.objects.order_by("delivered_on", "kind", "case__enterprise_id")
                     .values_list("delivered_on", "kind", "case__enterprise_id", "cost")),
                list(Attendance.objects.order_by("training__starts_on", "person__full_name", "role")
                     .values_list("training__starts_on", "person__full_name", "role")),
                list(PrivateProvision.objects.order_by("available_from", "kind_id")
                     .values_list("available_from", "kind_id", "provider_id")))

    load(world)
    first = signature()
    orgs = Organization.objects.filter(Q(notes__startswith=NOTE))
    delete_demo_programmes(orgs)
    for model in MODELS:
        assert not model.objects.exists(), model
    Person.objects.filter(attendances__isnull=True).exclude(pk__in=[p.pk for p in world["people"]]).delete()
    load(world)
    assert signature() == first


def test_demo_links_rows_to_the_plan_and_its_tasks(world):
    from doluong.plans.models import Plan, PlanTask

    plan = Plan.objects.create(number="210/KH-UBND", title="Kế hoạch 210", issued_on=dt.date(2019, 8, 9),
                               start_year=2019, end_year=2030)
    for code in ("I.1", "I.2", "II.2.c"):
        PlanTask.objects.create(plan=plan, code=code, title=code, lead_agency=world["dost"])
    load_demo_programmes(rng=random.Random(7), today=TODAY, plan=plan, **world)
    assert not AssuranceCase.objects.filter(plan__isnull=True).exists()
    assert set(Training.objects.values_list("task__code", flat=True)) == {"II.2.c"}
    assert OutreachEvent.objects.filter(kind=OutreachKind.METROLOGY_DAY, task__code="I.1").count() == 8
