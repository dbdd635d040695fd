"""A yearly report from the plan's page in a browser: Documents → yearly report → edit → Generate → download."""

import pytest
from playwright.sync_api import expect

from doluong.core.roles import Role
from doluong.indicators.services import load_plan_targets
from doluong.reports.models import GeneratedDocument, GenerationStatus
from tests.browser.conftest import sign_in
from tests.factories import MapFixture, make_user
from tests.plans.factories import PlanFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_generates_the_yearly_report_from_the_plans_page(page, live_server, probe, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DOLUONG_DOCUMENTS_INLINE = True  # no worker in this test; the queued path has its own test
    geo = MapFixture()
    plan = PlanFactory(start_year=2019, end_year=2030, number="210/KH-UBND", province=geo.yen_bai)
    load_plan_targets(plan, [{"code": "T4", "label_vi": "Bồi dưỡng", "by_2025": 100, "by_2030": 150}])
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.get_by_test_id("actions").get_by_role("button").click()
    page.get_by_role("link", name="Báo cáo năm").first.click()
    page.fill("#id_signer_name", "Nguyễn Văn An")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("generate-card")).to_be_visible()
    page.get_by_test_id("generate").click()
    expect(page.get_by_test_id("generation-done")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_test_id("download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    gen = GeneratedDocument.objects.get()
    assert gen.status == GenerationStatus.DONE and gen.document.signer_name == "Nguyễn Văn An"
    assert probe.errors == [] and probe.external == []
