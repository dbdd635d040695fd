"""Any province's plan as one workbook: Plan 210 ships as a file; export → load round-trips; bad rows refused."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doluong.core.models import ObjectChange
from doluong.core.roles import Role
from doluong.indicators.models import Target
from doluong.plans.data import plan_210
from doluong.plans.models import Plan, PlanTask
from doluong.reports import planbook
from tests.factories import MapFixture, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def geo(db):
    return MapFixture()


def test_plan_210_ships_as_a_workbook_and_loads_twice_without_change(geo, officer):
    plan = planbook.load(planbook.PLAN_210_FILE.read_bytes(), user=officer)
    assert (plan.number, plan.start_year, plan.end_year, plan.province) == ("210/KH-UBND", 2019, 2030, geo.yen_bai)
    assert list(plan.phases.values_list("number", "start_year", "end_year")) == list(plan_210.PHASES)
    assert [t.title for t in plan.tasks.order_by("order")] == [t["title"] for t in plan_210.TASKS]
    assert Target.objects.filter(plan=plan).count() == sum(
        1 for t in plan_210.TARGETS for k in ("by_2025", "by_2030") if t.get(k) is not None)
    t3 = Target.objects.get(plan=plan, indicator__code="T3", milestone__year=2025)
    assert t3.value == 10 and sorted(t3.conditions["requires_ownership"]) == ["private", "state"]
    changes = ObjectChange.objects.count()
    planbook.load(planbook.PLAN_210_FILE.read_bytes(), user=officer)
    assert ObjectChange.objects.count() == changes and Plan.objects.count() == 1  # idempotent


def test_export_then_load_gives_the_same_plan(geo, officer):
    plan = planbook.load(planbook.PLAN_210_FILE.read_bytes(), user=officer)
    data = planbook.export(plan)
    PlanTask.objects.filter(plan=plan, code="I.1").update(title="changed by hand")
    planbook.load(data, user=officer)
    assert PlanTask.objects.get(plan=plan, code="I.1").title == plan_210.TASKS[0]["title"]
    assert planbook.export(plan) == planbook.export(Plan.objects.get(pk=plan.pk))


def workbook(**overrides) -> bytes:
    sheets = {
        "Kế hoạch (plan)": [["Trường (field)", "Giá trị (value)"], ["Số (number)", "15/KH-UBND"],
                            ["Tên (title)", "Kế hoạch đo lường tỉnh B"], ["Ngày ban hành (issued on)", "10/03/2026"],
                            ["Năm bắt đầu (start year)", 2026], ["Năm kết thúc (end year)", 2030]],
        "Giai đoạn (phases)": [planbook.PHASE_COLS, [1, 2026, 2030]],
        "Nhiệm vụ (tasks)": [planbook.TASK_COLS, ["1", "Tuyên truyền", "", "e", "Sở KH&CN tỉnh B", "", "yearly", ""]],
        "Chỉ tiêu (targets)": [planbook.TARGET_COLS, ["T4", "31/12/2030", 200, "Lượt người", ""]],
    }
    sheets.update(overrides)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in sheets.items():
        if rows is None:
            continue
        sheet = book.add_worksheet(name[:31])
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


def test_another_provinces_plan_loads_without_code(officer):
    plan = planbook.load(workbook(), user=officer)
    assert plan.tasks.get().lead_agency.name == "Sở KH&CN tỉnh B"  # a new department, created once
    assert Target.objects.get(plan=plan).value == 200


def test_bad_rows_are_refused_with_sheet_row_and_column_and_nothing_is_written(officer, english):
    bad = workbook(**{
        "Nhiệm vụ (tasks)": [planbook.TASK_COLS, ["1", "Tuyên truyền", "", "z", "Sở B", "", "sometimes", ""],
                             ["1", "Lặp mã", "", "e", "Sở B", "", "yearly", ""]],
        "Chỉ tiêu (targets)": [planbook.TARGET_COLS, ["T9", "31/12/2030", 1, "", ""],
                               ["T4", "31/13/2030", 1, "", ""], ["T4", "31/12/2030", "nhiều", "", ""]],
    })
    with pytest.raises(planbook.PlanbookError) as err:
        planbook.load(bad, user=officer)
    text = "\n".join(err.value.problems)
    assert "“Nhiệm vụ (tasks)”, row 2, column “Nhóm giải pháp (solution group)”" in text
    assert "“sometimes”" in text and "the code 1 is used twice" in text
    assert "no indicator T9" in text and "“31/13/2030” is not a date" in text and "“nhiều” is not a number" in text
    assert not Plan.objects.exists()
    with pytest.raises(planbook.PlanbookError, match="no sheet “Giai đoạn"):
        planbook.load(workbook(**{"Giai đoạn (phases)": None}), user=officer)
    with pytest.raises(planbook.PlanbookError, match="not a spreadsheet"):
        planbook.load(b"hello", user=officer)


def test_web_officer_exports_and_loads_others_cannot(client, officer):
    client.cookies["django_language"] = "en"
    client.force_login(officer)
    url = reverse("reports_flow:plan_import")
    r = client.post(url, {"file": SimpleUploadedFile("b.xlsx", workbook())})
    plan = Plan.objects.get()
    assert r.status_code == 302 and r.url == plan.get_absolute_url()
    r = client.get(reverse("reports_flow:plan_export", args=[plan.pk]))
    assert r.status_code == 200 and r.content.startswith(b"PK")
    r = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert r.status_code == 400 and b'data-testid="problems"' in r.content
    client.force_login(make_user(Role.AGENCY))
    assert client.get(url).status_code == 404
