"""The demo inspections: valid under the models' rules, deterministic, and telling the intended story."""

import datetime as dt
import random

import pytest

from doluong.inspections.demo import delete_demo_inspections, load_demo_inspections
from doluong.inspections.models import (
    CheckResult,
    Finding,
    Inspection,
    InspectionKind,
    InspectionStatus,
    InstrumentCheck,
    LotCheck,
    LotOutcome,
)
from tests.factories import InstrumentFactory, KindFactory, ProviderFactory, RecordFactory, designate
from tests.inspections.factories import agency

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def world(geo_map):
    dost = agency(name="Sở Khoa học và Công nghệ", unit=geo_map.new_commune)
    kind = KindFactory(name="Cân bàn", mpe_rule="OIML-R76", verification_interval_months=24)
    provider = ProviderFactory()
    designate(provider, kind)
    instruments = []
    enterprises = []
    for i in range(6):
        inst = InstrumentFactory(kind=kind, accuracy_class="III", measuring_range="(2–300) kg",
                                 unit=geo_map.new_commune)
        inst.owner.unit = geo_map.new_commune
        inst.owner.save()
        enterprises.append(inst.owner)
        instruments.append(inst)
        for year in range(2018, 2027, 2 if i % 3 else 4):  # some instruments lapse between verifications
            RecordFactory(provider=provider, instrument=inst, performed_on=dt.date(year, 3, 1))
    return {"dost": dost, "enterprises": enterprises, "instruments": instruments}


def summary():
    return sorted(Inspection.objects.values_list("started_on", "kind", "organization__name", "status"))


def test_demo_tells_the_story_and_is_deterministic(world):
    counts = load_demo_inspections(rng=random.Random(7), today=TODAY, **world)
    years = {d.year for d in Inspection.objects.dates("started_on", "year")}
    assert years == set(range(2019, 2027))
    per_year = [Inspection.objects.filter(started_on__year=y).count() for y in range(2019, 2026)]
    assert all(15 <= n <= 30 for n in per_year), per_year
    assert counts["inspections"] == Inspection.objects.count()
    assert not Inspection.objects.filter(started_on__gt=TODAY).exists()
    assert Inspection.objects.filter(kind=InspectionKind.COMMUNE_CHECK).exists()
    assert Inspection.objects.filter(kind=InspectionKind.COMMUNE_CHECK, started_on__year=2024,
                                     unit__edition__code="VN-3L").exists()  # old commune before the reform
    assert InstrumentCheck.objects.filter(result=CheckResult.FAIL).exists()
    assert InstrumentCheck.objects.filter(error_ok=False).exists()
    assert InstrumentCheck.objects.filter(has_valid_verification=False).exists()
    assert LotCheck.objects.filter(outcome=LotOutcome.ACCEPTED).count() > LotCheck.objects.exclude(
        outcome=LotOutcome.ACCEPTED).count()
    rejected = LotCheck.objects.filter(outcome=LotOutcome.REJECTED)
    assert any(not lot.verdict["t1_ok"] for lot in rejected) and any(not lot.verdict["mean_ok"] for lot in rejected)
    assert {p.split(" ")[0] for p in LotCheck.objects.values_list("product", flat=True)} >= {"Gạo", "Đường", "Nước"}
    assert Finding.objects.filter(penalty_amount__gt=0).exists()
    assert Finding.objects.overdue(TODAY).exists()
    assert Inspection.objects.filter(status=InspectionStatus.CLOSED).exists()
    for obj in (*Inspection.objects.all(), *Finding.objects.all()):
        obj.full_clean()  # everything stays valid under the models' rules
    first = summary()
    delete_demo_inspections(organizations=world["enterprises"])
    assert not Inspection.objects.exists()
    load_demo_inspections(rng=random.Random(7), today=TODAY, **world)
    assert summary() == first
