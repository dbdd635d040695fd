"""Metrology in a browser: an inspector's rice lot; a provider's budget, certificate and DCC."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from doluong.core.roles import Role
from tests.browser.conftest import sign_in
from tests.factories import InstrumentFactory, KindFactory, OrganizationFactory, ProviderFactory, designate, make_user
from tests.inspections.factories import RICE_50, InspectionFactory
from tests.records_metrology.test_records_metrology import calibration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inspector_checks_50_bags_of_rice_from_a_lot_of_1200(page, live_server, probe):
    inspection = InspectionFactory(organization=OrganizationFactory(name="Công ty TNHH Gạo Mường Lò"),
                                   started_on=dt.date(2026, 9, 10), ended_on=dt.date(2026, 9, 10))
    make_user(Role.OFFICER, username="inspector1")
    sign_in(page, live_server, "inspector1")
    page.goto(f"{live_server.url}{inspection.get_absolute_url()}")
    page.get_by_test_id("add-links").locator("a").filter(has_text="lô").click()
    page.fill("#id_product", "Gạo tẻ thơm")
    page.fill("#id_nominal", "500")
    page.select_option("#id_unit", "g")
    page.fill("#id_lot_size", "1200")
    # as an inspector types them: one bag a line, Vietnamese decimal commas
    page.fill("#id_sample_text", "\n".join(v.replace(".", ",") for v in RICE_50))
    page.get_by_test_id("save").click()
    banner = page.get_by_test_id("verdict-banner")
    expect(banner).to_be_visible()
    # 50 bags are fewer than the 80 the plan asks for a lot of 501–3 200: the page says so first
    expect(page.get_by_test_id("sample-too-small")).to_contain_text("80")
    expect(page.get_by_test_id("T")).to_contain_text("15 g")
    expect(page.get_by_test_id("t1")).to_contain_text("1")
    expect(page.get_by_test_id("verdict")).to_contain_text("Qn − T")
    assert probe.errors == [] and probe.external == []


def test_a_provider_computes_a_budget_and_issues_a_certificate_with_its_dcc(page, live_server, probe):
    from doluong.records.dcc import validation_errors

    provider = ProviderFactory(name="Trung tâm Hiệu chuẩn Lào Cai", provider_code="HC-LC")
    instrument = InstrumentFactory(serial_number="QC-10KG-07", kind=KindFactory(name="Quả cân 10 kg",
                                                                                mpe_rule="OIML-R111"))
    designate(provider, instrument.kind, activity="calibration")
    record = calibration(provider, instrument, certificate_number="HC-LC-2026-001")
    make_user(Role.PROVIDER, provider, username="provider1")
    sign_in(page, live_server, "provider1")

    page.goto(f"{live_server.url}/tools/")
    page.get_by_test_id("calc-uncertainty").click()
    page.locator("a", has_text="EA-4/02").click()
    page.get_by_test_id("compute").click()
    result = page.get_by_test_id("result")
    expect(result).to_contain_text("0,0584902")  # U ≈ 59 mg for the 10 kg weight (EA-4/02 S2), in g

    page.goto(f"{live_server.url}{record.get_absolute_url()}")
    page.locator("a", has_text="Giấy chứng nhận").first.click()
    body = page.locator("body")
    expect(body).to_contain_text("HC-LC-2026-001")
    expect(body).to_contain_text("k = 2")
    expect(body).to_contain_text("ILAC G8")
    assert page.locator("svg").count() >= 1  # the QR code that opens the public check
    xml = page.request.get(f"{live_server.url}/records/servicerecord/{record.pk}/dcc.xml")
    assert xml.status == 200
    assert validation_errors(xml.body()) == []
    assert probe.external == []
