"""The plan in a browser: a training moves T4; an agency's report is accepted; a leader on a phone."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from doluong.core.roles import Role
from doluong.indicators.services import load_plan_targets
from doluong.orgs.models import OrganizationKind
from doluong.plans.models import ProgressReport
from tests.browser.conftest import sign_in
from tests.factories import OrganizationFactory, make_user
from tests.plans.factories import PlanFactory, TaskFactory
from tests.programmes.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan():
    plan = PlanFactory(start_year=2019, number="210/KH-UBND")
    load_plan_targets(plan, [{"code": "T4", "label_vi": "Bồi dưỡng", "by_2025": 100, "by_2030": 150}])
    return plan


def t4_value(page, live_server):
    page.goto(f"{live_server.url}/dashboard/")
    return int(page.get_by_test_id("target-T4-2030").get_by_test_id("value").inner_text().replace(".", ""))


def test_an_officer_enters_a_training_and_t4_moves_by_its_attendances(page, live_server, probe, plan):
    people = [PersonFactory(full_name=name) for name in ("Nguyễn Thị Hoa", "Lê Văn Bình", "Phạm Đức Cường")]
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    before = t4_value(page, live_server)

    page.goto(f"{live_server.url}/programmes/training/add/")
    page.fill("#id_title", "Tập huấn đo lường cho cán bộ cấp xã")
    today = dt.date.today().strftime("%d/%m/%Y")
    page.fill("#id_starts_on", today)
    page.fill("#id_ends_on", today)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("object-title")).to_contain_text("Tập huấn đo lường")
    for person in people:
        page.get_by_test_id("lookup-person").fill(person.full_name.split()[-1].lower())
        page.locator(".lookup-results button", has_text=person.full_name).click()
        page.select_option("select[name=role]", "commune_official")
        page.locator("form[data-testid=attend-form] button[type=submit]").click()
        expect(page.locator(".alert-success")).to_contain_text(person.full_name)
    expect(page.get_by_test_id("attendance-total")).to_have_text("3")

    assert t4_value(page, live_server) == before + 3
    page.get_by_test_id("target-T4-2030").get_by_test_id("value").click()
    expect(page.get_by_test_id("facts-value")).to_have_text(str(before + 3))
    for person in people:
        expect(page.locator("table")).to_contain_text(person.full_name)
    assert probe.errors == [] and probe.external == []


def test_an_agency_files_a_report_and_the_officer_accepts_it(page, live_server, probe, plan):
    agency = OrganizationFactory(name="Sở Công Thương", kind=OrganizationKind.DEPARTMENT, tax_code=None)
    task = TaskFactory(plan=plan, code="I.2", title="Tổ chức hội nghị, hội thảo về đo lường")
    report = ProgressReport.objects.create(task=task, agency=agency, year=2026, period="Y",
                                           due_on=dt.date(2026, 12, 15))
    make_user(Role.AGENCY, agency, username="agency1")
    make_user(Role.OFFICER, username="officer1")

    sign_in(page, live_server, "agency1")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.get_by_test_id("edit").click()
    page.fill("#id_done_text", "Đã tổ chức 02 hội thảo về đo lường cho doanh nghiệp.")
    page.fill("#id_share_done", "80")
    page.get_by_test_id("save").click()
    page.get_by_test_id("submit-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Đã gửi")
    page.get_by_test_id("user-menu").click()
    page.locator("form[action$='/accounts/logout/'] button").click()

    sign_in(page, live_server, "officer1")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.get_by_test_id("accept-report").click()
    expect(page.get_by_test_id("report-status")).to_have_text("Đã chấp nhận")
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by.username == "officer1"
    assert probe.errors == [] and probe.external == []


def test_a_leader_reads_the_dashboard_on_a_phone(phone, live_server, probe, plan):
    make_user(Role.LEADER, OrganizationFactory(), username="leader1")
    sign_in(phone, live_server, "leader1")
    phone.goto(f"{live_server.url}/dashboard/")
    card = phone.get_by_test_id("target-T4-2025")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("status")).to_be_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the dashboard scrolls sideways by {overflow}px on a phone"
    assert probe.errors == [] and probe.external == []
