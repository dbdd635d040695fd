"""Statistics by year, place on today's map, kind, instrument kind and violation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from doluong.core.roles import Role
from doluong.inspections.models import InspectionKind
from doluong.inspections.selectors import inspection_statistics, today_units, yearly_summary
from tests.factories import InstrumentFactory, make_user
from tests.inspections.factories import FindingFactory, InspectionFactory, ViolationTypeFactory, make_check, make_lot

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.inspections.urls")]


@pytest.fixture
def data(geo_map):
    """2024: a planned inspection in Phường Yên Ninh (Yên Bái, old map) with a failed check and a fine;
    2025: a commune check in Phường Yên Bái (Lào Cai, new map) with an accepted lot."""
    v = ViolationTypeFactory(code="DL-PTD-KD")
    old = InspectionFactory(unit=geo_map.old_commune, started_on=dt.date(2024, 6, 3), ended_on=dt.date(2024, 6, 3))
    inst = InstrumentFactory(owner=old.organization, accuracy_class="III")
    check = make_check(inspection=old, instrument=inst)  # no verification record: fails
    FindingFactory(inspection=old, instrument_check=check, violation=v, penalty_amount=Decimal(4_000_000),
                   follow_up_deadline=dt.date(2024, 7, 3))
    new = InspectionFactory(kind=InspectionKind.COMMUNE_CHECK, unit=geo_map.new_commune,
                            started_on=dt.date(2025, 9, 10))
    make_lot(inspection=new, actual=["502"] * 80)
    return old, new, check, v


def test_by_year_and_totals(data):
    stats = inspection_statistics()
    rows = {r.key: r for r in stats["by_year"]}
    assert (rows[2024].inspections, rows[2024].instrument_checks, rows[2024].failed_checks) == (1, 1, 1)
    assert (rows[2024].findings, rows[2024].penalties) == (1, Decimal(4_000_000))
    assert (rows[2025].inspections, rows[2025].lot_checks, rows[2025].rejected_lots) == (1, 1, 0)
    total = stats["total"]
    assert (total.inspections, total.findings, total.penalties) == (2, 1, Decimal(4_000_000))
    kinds = {r.key: r.inspections for r in stats["by_kind"]}
    assert kinds == {InspectionKind.PLANNED: 1, InspectionKind.COMMUNE_CHECK: 1}


def test_a_2024_inspection_in_an_old_yen_bai_commune_counts_for_lao_cai_on_todays_map(data, geo_map):
    lao_cai = inspection_statistics(unit=geo_map.lao_cai)
    assert lao_cai["total"].inspections == 2
    assert [(r.label, r.inspections) for r in lao_cai["by_unit"]] == [("Phường Yên Bái, Tỉnh Lào Cai", 2)]
    on_record_map = inspection_statistics(unit=geo_map.lao_cai, current_map=False)
    assert on_record_map["total"].inspections == 1
    assert {r.label for r in on_record_map["by_unit"]} == {"Phường Yên Bái, Tỉnh Lào Cai"}
    yen_bai_then = inspection_statistics(unit=geo_map.yen_bai, current_map=False, year=2024)
    assert yen_bai_then["total"].inspections == 1
    assert today_units([geo_map.district.pk])[geo_map.district.pk] == geo_map.lao_cai


def test_by_instrument_kind_and_violation(data):
    _old, _new, check, _v = data
    stats = inspection_statistics()
    (kind_row,) = stats["by_instrument_kind"]
    assert kind_row["label"] == check.instrument.kind.name
    assert (kind_row["checks"], kind_row["failed"], kind_row["no_verification"], kind_row["findings"]) == (1, 1, 1, 1)
    (viol,) = stats["by_violation"]
    assert (viol["code"], viol["findings"], viol["open"], viol["overdue"], viol["penalties"]) == (
        "DL-PTD-KD", 1, 1, 1, Decimal(4_000_000))


def test_yearly_summary_for_the_report(data):
    summary = yearly_summary(year=2024)
    assert summary["inspections"] == 1 and summary["planned"] == 1 and summary["failed_checks"] == 1
    assert summary["penalties"] == Decimal(4_000_000) and summary["overdue_follow_ups"] == 1
    assert yearly_summary(year=2025)["commune_checks"] == 1


def test_statistics_page(data, client):
    client.force_login(make_user(Role.LEADER))
    r = client.get(reverse("inspections_flow:statistics"), {"year": 2024})
    page = r.content.decode()
    assert r.status_code == 200
    assert "<svg" in page and "Inspections by year" in page
    assert "4.000.000 ₫" in page or "4,000,000 ₫" in page
    assert "style=" not in page and "<script>" not in page
    client.force_login(make_user(Role.ENTERPRISE, data[0].organization))
    assert client.get(reverse("inspections_flow:statistics")).status_code == 404
