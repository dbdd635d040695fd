"""Plan 210 as loaded from its data module."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from doluong.core.models import ObjectChange
from doluong.orgs.models import Organization
from doluong.plans.data import plan_210
from doluong.plans.models import Plan, PlanTask, Timeframe
from doluong.plans.services import load_plan_210

pytestmark = pytest.mark.django_db

EXPECTED = {
    "I.1": "yearly", "I.2": "yearly", "II.1": "yearly", "II.2.a": "by_2030", "II.2.b": "by_2025",
    "II.2.c": "by_2030", "II.2.d": "by_2030", "II.3.a": "by_2025", "II.3.b": "yearly", "II.3.c": "yearly",
    "II.4.a": "yearly", "II.4.b": "yearly", "II.5": "yearly",
}


def test_plan_210_has_its_header_phases_and_13_tasks(geo_map):
    plan = load_plan_210()
    assert plan.number == "210/KH-UBND"
    assert plan.issued_on == dt.date(2019, 8, 9)
    assert plan.issuer_name == "Ủy ban nhân dân tỉnh Yên Bái"
    assert "Nguyễn Văn Khánh" in plan.signed_by
    assert "996/QĐ-TTg" in plan.legal_basis and "10/8/2018" in plan.legal_basis
    assert (plan.start_year, plan.end_year) == (2019, 2030)
    assert plan.province == geo_map.yen_bai  # the old map's Yên Bái, not today's code 15 (Lào Cai)
    assert [(p.number, p.start_year, p.end_year) for p in plan.phases.order_by("number")] == [
        (1, 2019, 2025), (2, 2026, 2030)]
    tasks = list(plan.tasks.order_by("order"))
    assert [t.code for t in tasks] == list(EXPECTED)
    assert {t.code: t.timeframe for t in tasks} == EXPECTED
    assert {t.code: t.due_year for t in tasks if t.timeframe != Timeframe.YEARLY} == {
        "II.2.a": 2030, "II.2.b": 2025, "II.2.c": 2030, "II.2.d": 2030, "II.3.a": 2025}
    dost = Organization.objects.get(name="Sở Khoa học và Công nghệ tỉnh Yên Bái")
    assert {t.lead_agency_id for t in tasks} == {dost.pk}
    by_code = {t.code: t for t in tasks}
    assert by_code["I.2"].title == "Tổ chức hội nghị, hội thảo về đo lường"
    assert by_code["I.1"].coordinating_text == "Các cơ quan QLNN, tổ chức, cá nhân"
    assert by_code["II.3.a"].coordinating_text == "Sở Tài chính, Sở Kế hoạch và Đầu tư"
    assert by_code["II.5"].solution_group == "dd"


def test_loading_twice_changes_nothing():
    plan = load_plan_210()
    changes = ObjectChange.objects.count()
    again = load_plan_210()
    assert again.pk == plan.pk
    assert Plan.objects.count() == 1 and PlanTask.objects.count() == 13
    assert Organization.objects.filter(name=plan_210.LEAD_AGENCY_NAME).count() == 1
    assert ObjectChange.objects.count() == changes  # nothing rewritten, nothing logged


def test_without_geo_the_province_is_empty_and_an_edited_title_is_restored():
    plan = load_plan_210()
    assert plan.province is None
    task = plan.tasks.get(code="I.2")
    task.title = "sửa nhầm"
    task.save()
    load_plan_210()
    task.refresh_from_db()
    assert task.title == "Tổ chức hội nghị, hội thảo về đo lường"


def test_existing_dost_is_reused_and_command_reports():
    dost = Organization.objects.create(name=plan_210.LEAD_AGENCY_NAME, kind="department")
    out = StringIO()
    call_command("load_plan_210", stdout=out)
    assert "210/KH-UBND" in out.getvalue() and "13 tasks" in out.getvalue()
    assert set(PlanTask.objects.values_list("lead_agency", flat=True)) == {dost.pk}


def test_targets_hold_the_plans_numbers():
    targets = {t["code"]: (t["by_2025"], t["by_2030"], t["unit"]) for t in plan_210.TARGETS}
    assert targets == {
        "T1": (10, 20, "loại"), "T2": (1, 2, "phòng thí nghiệm"), "T3": (10, 20, "lượt doanh nghiệp"),
        "T4": (100, 150, "lượt người"), "T5": (1, None, "tổ chức"),
    }
