"""What a person does, in a real browser: sign in per role, search, record, refusal, history, phone."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from doluong.core.roles import Role
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization
from tests.browser.conftest import sign_in
from tests.factories import (
    InstrumentFactory,
    KindFactory,
    OrganizationFactory,
    ProviderFactory,
    RecordFactory,
    designate,
    make_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLE_LABELS = {
    Role.OFFICER: "Programme officer|Cán bộ",
    Role.LEADER: "Leader|Lãnh đạo",
    Role.AGENCY: "Agency|Cơ quan",
    Role.PROVIDER: "Service provider|Tổ chức",
    Role.ENTERPRISE: "Enterprise|Doanh nghiệp",
}


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_each_role_signs_in_to_its_home_page(page, live_server, probe, role):
    org = ProviderFactory() if role == Role.PROVIDER else OrganizationFactory()
    user = make_user(role, org, username=f"u-{role}")
    sign_in(page, live_server, user.username)
    expect(page.get_by_test_id("kpi-instruments")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    expect(page.locator(".dropdown-menu.show")).to_contain_text(re.compile(ROLE_LABELS[role]))
    assert probe.external == []
    assert probe.errors == []


def test_wrong_password_is_refused_with_a_message(page, live_server, probe):
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1", password="wrong")
    expect(page.locator(".alert-danger")).to_be_visible()
    assert "/accounts/login/" in page.url


def test_unaccented_search_finds_an_instrument(page, live_server, probe):
    InstrumentFactory(serial_number="CX-778", location="Chợ Yên Bái, quầy số 12")
    InstrumentFactory(serial_number="ZZ-001", location="Nhà máy xi măng")
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    page.goto(f"{live_server.url}/instruments/instrument/")
    page.fill("#id_q", "cho yen bai")
    page.locator("form[data-testid=filters] button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("CX-778")
    expect(page.locator("table")).not_to_contain_text("ZZ-001")
    assert probe.errors == [] and probe.external == []


def test_provider_records_a_verification_and_the_due_date_moves(page, live_server, probe):
    provider = ProviderFactory(name="Trung tâm Kiểm định Yên Bái")
    kind = KindFactory(name="Cân ô tô", verification_interval_months=12)
    designate(provider, kind)
    instrument = InstrumentFactory(kind=kind, serial_number="OTO-2024-07")
    RecordFactory(provider=provider, instrument=instrument, performed_on=dt.date(2024, 5, 2),
                  certificate_number="KD-OLD")
    from doluong.records.services import refresh_due_dates

    refresh_due_dates([instrument.pk])
    make_user(Role.PROVIDER, provider, username="provider1")
    sign_in(page, live_server, "provider1")
    page.goto(f"{live_server.url}{instrument.get_absolute_url()}")
    expect(page.locator(".detail-table")).to_contain_text("01/05/2025")

    page.goto(f"{live_server.url}/records/servicerecord/add/")
    page.get_by_test_id("lookup-instrument").fill("oto-2024")
    page.locator(".lookup-results button", has_text="OTO-2024-07").click()
    page.fill("#id_performed_on", "20/04/2025")
    page.select_option("#id_result", "pass")
    page.fill("#id_certificate_number", "KD-2025-0420")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("object-title")).to_contain_text("KD-2025-0420")

    page.goto(f"{live_server.url}{instrument.get_absolute_url()}")
    expect(page.locator(".detail-table")).to_contain_text("19/04/2026")
    assert Instrument.objects.get(pk=instrument.pk).verification_due_on == dt.date(2026, 4, 19)
    assert probe.errors == [] and probe.external == []


def test_provider_refused_outside_its_scope_sees_why(page, live_server, probe):
    provider = ProviderFactory()
    InstrumentFactory(serial_number="NO-SCOPE-1")
    make_user(Role.PROVIDER, provider, username="provider1")
    sign_in(page, live_server, "provider1")
    page.goto(f"{live_server.url}/records/servicerecord/add/")
    page.get_by_test_id("lookup-instrument").fill("no-scope")
    page.locator(".lookup-results button", has_text="NO-SCOPE-1").click()
    page.fill("#id_performed_on", "20/04/2025")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("20/04/2025")


def test_provider_cannot_open_another_providers_record(page, live_server, probe):
    p1, p2 = ProviderFactory(), ProviderFactory()
    inst = InstrumentFactory()
    designate(p2, inst.kind)
    theirs = RecordFactory(provider=p2, instrument=inst, certificate_number="SECRET-1")
    make_user(Role.PROVIDER, p1, username="provider1")
    sign_in(page, live_server, "provider1")
    response = page.goto(f"{live_server.url}{theirs.get_absolute_url()}")
    assert response.status == 404
    page.goto(f"{live_server.url}/records/servicerecord/?q=secret")
    expect(page.get_by_test_id("count")).to_contain_text("0")


def test_a_change_shows_in_the_objects_history(page, live_server, probe):
    org = OrganizationFactory(name="Công ty TNHH Điện Lực Văn Chấn", phone="0216 000")
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    page.goto(f"{live_server.url}{org.get_absolute_url()}")
    page.get_by_test_id("edit").click()
    page.fill("#id_phone", "0216 3852 999")
    page.get_by_test_id("save").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("0216 3852 999")
    expect(history).to_contain_text("officer1")
    assert Organization.objects.get(pk=org.pk).phone == "0216 3852 999"


def test_home_and_lists_fit_a_phone(phone, live_server, probe):
    InstrumentFactory.create_batch(5)
    make_user(Role.LEADER, OrganizationFactory(), username="leader1")
    sign_in(phone, live_server, "leader1")
    for path in ("/", "/instruments/instrument/"):
        phone.goto(f"{live_server.url}{path}")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone"
    expect(phone.locator(".navbar-toggler")).to_be_visible()
    assert probe.errors == [] and probe.external == []


def test_an_officers_pages_fit_a_laptop_screen(page, live_server, probe):
    """The menu grows with every app: it must wrap, never push the page sideways (1280 px wide)."""
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    for path in ("/", "/instruments/instrument/", "/dashboard/", "/tools/"):
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at 1280 px"
    assert probe.errors == [] and probe.external == []
