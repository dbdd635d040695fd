"""A service request in a browser: an enterprise asks from its instrument's page; the provider accepts it."""

import datetime as dt

import pytest
from django.utils import translation
from playwright.sync_api import expect

from doluong.core.roles import Role
from doluong.notices.models import RequestStatus, ServiceRequest
from tests.browser.conftest import sign_in
from tests.factories import InstrumentFactory, KindFactory, OrganizationFactory, ProviderFactory, designate, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(status) -> str:
    with translation.override("vi"):
        return str(status.label)


def sign_out(page):
    page.get_by_test_id("user-menu").click()
    page.locator("form[action$='/accounts/logout/'] button").click()


def test_an_enterprise_requests_verification_and_the_provider_accepts(page, live_server, probe):
    kind = KindFactory(name="Cân ô tô")
    enterprise = OrganizationFactory(name="Công ty Hòa Phát")
    provider = ProviderFactory(name="Trung tâm Kiểm định Yên Bái")
    designate(provider, kind)
    ProviderFactory(name="Trung tâm Không Chỉ Định")  # no designation: not offered
    scale = InstrumentFactory(owner=enterprise, kind=kind, serial_number="CAN-0042")
    make_user(Role.ENTERPRISE, enterprise, username="ent1")
    make_user(Role.PROVIDER, provider, username="prov1")

    sign_in(page, live_server, "ent1")
    page.goto(f"{live_server.url}{scale.get_absolute_url()}")
    page.get_by_test_id("actions").locator("button").click()
    page.locator("a[href*='/notices/request/new/']").click()
    expect(page.get_by_test_id("request-form")).to_be_visible()
    options = page.locator("#id_provider option").all_inner_texts()
    assert any("Trung tâm Kiểm định Yên Bái" in o for o in options)
    assert not any("Không Chỉ Định" in o for o in options)
    page.select_option("#id_provider", str(provider.pk))
    page.fill("#id_message", "Đề nghị kiểm định cân ô tô CAN-0042 trước mùa thu hoạch.")
    page.fill("#id_preferred_date", "15/04/2030")
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("request-status")).to_have_text(label(RequestStatus.SENT))
    request = ServiceRequest.objects.get()
    assert list(request.instruments.all()) == [scale] and request.preferred_date == dt.date(2030, 4, 15)
    sign_out(page)

    sign_in(page, live_server, "prov1")
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.get_by_test_id("nav-notices").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Công ty Hòa Phát")
    page.get_by_test_id("notice-open").click()
    with translation.override("vi"):  # the page is in Vietnamese (no language cookie)
        title = str(request)
    expect(page.get_by_test_id("object-title")).to_have_text(title)
    page.fill("#id_text", "Chúng tôi sẽ đến kiểm định ngày 20/04/2030.")
    page.get_by_test_id("answer-accepted").click()
    expect(page.get_by_test_id("request-status")).to_have_text(label(RequestStatus.ACCEPTED))
    expect(page.get_by_test_id("answer-done")).to_be_visible()
    sign_out(page)

    sign_in(page, live_server, "ent1")
    expect(page.get_by_test_id("unread-count")).to_contain_text("1")
    page.get_by_test_id("nav-notices").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Trung tâm Kiểm định Yên Bái")
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED and request.answer.startswith("Chúng tôi")
    assert probe.errors == [] and probe.external == []
