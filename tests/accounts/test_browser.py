"""Two-step sign-in in a real browser: the QR code shows under the strict CSP, set-up, codes, the next sign-in."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from doluong.core.roles import Role
from tests.accounts.conftest import code_for
from tests.browser.conftest import browser, page, probe, sign_in  # noqa: F401 (fixtures)
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_sets_up_two_step_sign_in_and_uses_it(page, live_server, probe, settings):  # noqa: F811
    settings.DOLUONG_REQUIRE_2FA = True
    make_user(Role.OFFICER, username="officer1")
    sign_in(page, live_server, "officer1")
    assert "/accounts/two-step/set-up/" in page.url
    qr = page.get_by_test_id("otp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('[data-testid=otp-qr]').naturalWidth") > 0
    device = TOTPDevice.objects.get(user__username="officer1")
    page.fill("#id_code", code_for(device))
    page.locator("main form:not([action]) button[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Tôi đã lưu, tiếp tục").or_(page.get_by_role("link", name="continue")).click()
    expect(page.get_by_test_id("kpi-instruments")).to_be_visible()  # on to the page first asked for

    page.get_by_test_id("user-menu").click()
    page.locator(".dropdown-menu.show button[type=submit]").last.click()  # sign out
    sign_in(page, live_server, "officer1")
    assert "/accounts/two-step/verify/" in page.url
    device.refresh_from_db()
    page.fill("#id_code", code_for(device, steps_ahead=1))
    page.locator("main form:not([action]) button[type=submit]").click()
    expect(page.get_by_test_id("kpi-instruments")).to_be_visible()
    assert probe.external == []
    assert probe.errors == []
