"""Two-step sign-in: enrolment, the code page, replay, recovery codes, enforcement by role, the lock."""

from base64 import b32decode
from binascii import hexlify

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from doluong.accounts.models import Outcome, SignInEvent
from doluong.core.roles import Role
from tests.accounts.conftest import code_for, enrolled, secret_in, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db
VERIFY = "/accounts/two-step/verify/"
ENROL = "/accounts/two-step/set-up/"


def test_enforcement_is_off_outside_production(settings, officer, client):
    assert settings.DOLUONG_REQUIRE_2FA is False
    client.force_login(officer)
    assert client.get("/").status_code == 200


def test_officer_without_device_is_sent_to_set_up_and_enrols_with_a_real_code(require_2fa, officer, client):
    sign_in(client, officer)
    r = client.get("/records/")
    assert r.status_code == 302 and r["Location"] == f"{ENROL}?next=%2Frecords%2F"
    page = client.get(r["Location"])
    assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    # the key shown for typing is the device's key
    secret = secret_in(page.text).replace(" ", "")
    assert hexlify(b32decode(secret + "=" * (-len(secret) % 8))).decode() == device.key

    wrong = client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and 'data-testid="otp-error"' in wrong.text
    assert client.get("/").status_code == 302  # still not through

    done = client.post(ENROL, {"code": code_for(device), "next": "/records/"})
    assert done.status_code == 302 and done["Location"].startswith(reverse("accounts:recovery_codes"))
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(done["Location"])
    shown = [c.strip() for c in codes_page.text.split('data-testid="recovery-codes">')[1].split("</ol>")[0]
             .replace("<li>", "").split("</li>") if c.strip()]
    assert len(shown) == 10 and set(shown) == set(StaticToken.objects.filter(device__user=officer)
                                                 .values_list("token", flat=True))
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302  # shown once
    assert client.get("/").status_code == 200  # verified in this session
    assert SignInEvent.objects.filter(user=officer, outcome=Outcome.OTP_ENROLLED).exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER])
def test_required_roles_are_redirected_others_are_not(require_2fa, client, role):
    client.force_login(make_user(role))
    assert client.get("/").status_code == 302


def test_superusers_are_redirected(require_2fa, client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.vn", "pw-Test-12345", role=Role.OFFICER)
    client.force_login(admin)
    assert client.get("/")["Location"].startswith(ENROL)


def test_enterprises_are_not_redirected(require_2fa, client, enterprise):
    client.force_login(enterprise)
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200


@pytest.mark.parametrize("path", ["/check/", "/healthz", "/static/doluong/app.css"])
def test_public_paths_are_not_redirected(require_2fa, client, officer, path):
    client.force_login(officer)
    r = client.get(path)
    assert not (r.status_code == 302 and r["Location"].startswith(ENROL))


def test_the_api_token_page_needs_the_second_factor_but_a_token_does_not(require_2fa, client, officer):
    client.force_login(officer)
    r = client.get("/api/tokens/")
    assert r.status_code == 302 and r["Location"].startswith(ENROL)  # a password alone mints no token
    client.logout()
    from doluong.api.models import ApiToken

    _token, key = ApiToken.issue(user=officer, name="LIMS")
    r = client.get("/api/", HTTP_AUTHORIZATION=f"Bearer {key}")  # a system's token: no session, no code page
    assert r.status_code == 200


def test_sign_out_and_language_switch_work_before_the_second_factor(require_2fa, client, officer):
    client.force_login(officer)
    r = client.post(reverse("set_language"), {"language": "en", "next": "/check/"})
    assert r.status_code == 302 and r["Location"] == "/check/"
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_user_with_a_device_must_enter_a_code_after_the_password(client, officer, no_throttle):
    device, _ = enrolled(officer)
    r = sign_in(client, officer)
    assert r.status_code == 302
    r = client.get("/records/")
    assert r["Location"] == f"{VERIFY}?next=%2Frecords%2F"
    assert client.get(ENROL).status_code == 302  # no new device without the second factor

    bad = client.post(VERIFY, {"code": "123456" if code_for(device) != "123456" else "654321"})
    assert bad.status_code == 200 and 'data-testid="otp-error"' in bad.text
    failed = SignInEvent.objects.get(outcome=Outcome.OTP_FAILED)
    assert failed.user == officer and failed.ip_address == "127.0.0.1"

    ok = client.post(VERIFY, {"code": code_for(device), "next": "/records/"})
    assert ok.status_code == 302 and ok["Location"] == "/records/"
    assert client.get("/").status_code == 200
    assert SignInEvent.objects.filter(user=officer, outcome=Outcome.OTP_SUCCESS, detail="authenticator app").exists()


def test_the_same_code_does_not_work_twice(client, officer, no_throttle):
    device, _ = enrolled(officer)
    code = code_for(device)
    sign_in(client, officer)
    assert client.post(VERIFY, {"code": code})["Location"] == "/"
    client.post(reverse("logout"))
    sign_in(client, officer)
    replay = client.post(VERIFY, {"code": code})
    assert replay.status_code == 200 and 'data-testid="otp-error"' in replay.text
    assert client.get("/").status_code == 302
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302  # the next code does


def test_a_recovery_code_works_once(client, officer, no_throttle):
    _, codes = enrolled(officer)
    sign_in(client, officer)
    r = client.post(VERIFY, {"code": codes[0].upper()})
    assert r.status_code == 302 and client.get("/").status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    assert SignInEvent.objects.filter(outcome=Outcome.OTP_SUCCESS, detail="recovery code").count() == 1
    client.post(reverse("logout"))
    sign_in(client, officer)
    again = client.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200 and client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, officer):
    _, old = enrolled(officer)
    client.force_login(officer)
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=officer).persistent_id
    session.save()
    r = client.post(reverse("accounts:recovery_codes_new"))
    assert r["Location"] == reverse("accounts:recovery_codes")
    page = client.get(r["Location"]).text
    new = set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True))
    assert len(new) == 10 and not new & set(old) and all(c in page for c in new)


def test_five_wrong_codes_block_the_session(client, officer, settings):
    device, _ = enrolled(officer)
    sign_in(client, officer)
    right = code_for(device)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        device.refresh_from_db()
        device.throttle_reset()  # the back-off would refuse codes typed at once; this test is about the count
        client.post(VERIFY, {"code": wrong})
    r = client.post(VERIFY, {"code": right})
    assert 'data-testid="otp-locked"' in r.text
    assert client.get("/").status_code == 302
    assert SignInEvent.objects.filter(user=officer, outcome=Outcome.OTP_FAILED).count() == 4
    assert SignInEvent.objects.filter(user=officer, outcome=Outcome.LOCKED, detail="second factor").count() == 1


def test_wrong_codes_count_for_the_account_lock_out(client, officer, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    device, _ = enrolled(officer)
    sign_in(client, officer)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(3):
        device.refresh_from_db()
        device.throttle_reset()
        r = client.post(VERIFY, {"code": wrong})
    assert r.status_code in (302, 429)  # signed out, and the lock-out page
    assert "_auth_user_id" not in client.session
    refused = sign_in(client, officer)
    assert refused.status_code == 429 and 'data-testid="locked"' in refused.text
    assert SignInEvent.objects.filter(username=officer.username, outcome=Outcome.LOCKED).exists()


def test_an_enterprise_may_enrol_and_is_then_asked_for_the_code(client, enterprise, no_throttle):
    client.force_login(enterprise)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=enterprise)
    client.post(ENROL, {"code": code_for(device)})
    client.post(reverse("logout"))
    sign_in(client, enterprise)
    assert client.get("/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device, steps_ahead=1)})
    assert client.get("/").status_code == 200
    # and may turn it off again
    assert client.post(reverse("accounts:remove")).status_code == 302
    assert not TOTPDevice.objects.filter(user=enterprise).exists()


def test_a_required_role_cannot_turn_it_off(require_2fa, client, officer):
    enrolled(officer)
    sign_in(client, officer)
    client.post(VERIFY, {"code": code_for(TOTPDevice.objects.get(user=officer))})
    client.post(reverse("accounts:remove"))
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_unverified_users_cannot_make_recovery_codes_or_remove_the_device(client, officer):
    enrolled(officer)
    sign_in(client, officer)
    assert client.post(reverse("accounts:recovery_codes_new"))["Location"].startswith(VERIFY)
    assert client.post(reverse("accounts:remove"))["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_reset_command_removes_the_second_factor(officer, client):
    from django.core.management import call_command

    enrolled(officer)
    call_command("reset_two_step", officer.username)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    sign_in(client, officer)
    assert client.get("/").status_code == 200
