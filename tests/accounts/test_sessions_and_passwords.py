"""Idle expiry, session settings, password change and reset by e-mail."""

import os
import re
import subprocess
import sys
import time

import pytest
from django.core import mail
from django.urls import reverse

from doluong.accounts.middleware import LAST_ACTIVITY
from doluong.accounts.models import Outcome, SignInEvent
from tests.accounts.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def settings_in(env: dict, expr: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DOLUONG_", "DATABASE_URL"))}
    full.update(env, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", f"import doluong.settings as s; print({expr})"], env=full,
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() if not out.returncode else "ERROR " + out.stderr.strip().splitlines()[-1]


def test_two_step_is_required_in_production_and_sessions_last_a_working_day(tmp_path):
    dev = {"DOLUONG_VAR_DIR": str(tmp_path)}
    prod = {**dev, "DOLUONG_PRODUCTION": "1", "DOLUONG_SECRET_KEY": "k" * 50, "DOLUONG_ALLOWED_HOSTS": "x.vn"}
    assert settings_in(dev, "s.DOLUONG_REQUIRE_2FA") == "False"
    assert settings_in(prod, "s.DOLUONG_REQUIRE_2FA") == "True"
    assert settings_in({**prod, "DOLUONG_REQUIRE_2FA": "0"}, "s.DOLUONG_REQUIRE_2FA") == "False"
    assert settings_in(dev, "(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.DOLUONG_IDLE_MINUTES)") \
        == "(28800, False, 30)"
    assert settings_in({**dev, "DOLUONG_SESSION_HOURS": "2", "DOLUONG_SESSION_EXPIRE_AT_BROWSER_CLOSE": "1",
                        "DOLUONG_IDLE_MINUTES": "10"},
                       "(s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, s.DOLUONG_IDLE_MINUTES)") \
        == "(7200, True, 10)"


def test_backends_are_extended_from_the_environment_and_email_is_off_without_a_host(tmp_path):
    env = {"DOLUONG_VAR_DIR": str(tmp_path), "DOLUONG_AUTH_BACKENDS": "province.sso.OIDCBackend, x.Y"}
    assert settings_in(env, "s.AUTHENTICATION_BACKENDS") == (
        "['axes.backends.AxesStandaloneBackend', 'django.contrib.auth.backends.ModelBackend', "
        "'province.sso.OIDCBackend', 'x.Y']")
    assert settings_in(env, "s.DOLUONG_EMAIL_ENABLED") == "False"
    mailer = {**env, "DOLUONG_EMAIL_HOST": "smtp.laocai.gov.vn", "DOLUONG_EMAIL_USER": "doluong@laocai.gov.vn"}
    assert settings_in(mailer, "(s.DOLUONG_EMAIL_ENABLED, s.MAILERS['default']['OPTIONS']['host'], "
                               "s.MAILERS['default']['OPTIONS']['use_tls'], s.DEFAULT_FROM_EMAIL)") == \
        "(True, 'smtp.laocai.gov.vn', True, 'doluong@laocai.gov.vn')"


def _age_session(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out(client, officer, settings):
    settings.DOLUONG_IDLE_MINUTES = 30
    client.force_login(officer)
    assert client.get("/").status_code == 200
    _age_session(client, 29 * 60)
    assert client.get("/").status_code == 200  # 29 minutes: still in, and the clock starts again
    assert int(time.time()) - client.session[LAST_ACTIVITY] < 5
    _age_session(client, 31 * 60)
    r = client.get("/records/")
    assert r.status_code == 302 and r["Location"] == f"{reverse('login')}?next=%2Frecords%2F"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302
    assert SignInEvent.objects.filter(user=officer, outcome=Outcome.LOGOUT, detail="idle").exists()


def test_idle_expiry_can_be_turned_off(client, officer, settings):
    settings.DOLUONG_IDLE_MINUTES = 0
    client.force_login(officer)
    _age_session(client, 10 * 3600)
    assert client.get("/").status_code == 200


def test_password_change(client, officer):
    client.force_login(officer)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and 'class="form-control"' in page.text
    r = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "Đo-lường-2026!", "new_password2": "Đo-lường-2026!"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:security")
    officer.refresh_from_db()
    assert officer.check_password("Đo-lường-2026!")
    assert client.get("/").status_code == 200  # still signed in


def test_no_reset_link_and_no_reset_pages_without_email(client, settings, db):
    settings.DOLUONG_EMAIL_ENABLED = False
    assert 'data-testid="forgot-password"' not in client.get(reverse("login")).text
    assert client.get(reverse("accounts:password_reset")).status_code == 404


def test_password_reset_by_email(client, settings, officer):
    settings.DOLUONG_EMAIL_ENABLED = True
    officer.email = "can.bo@laocai.gov.vn"
    officer.save()
    login = client.get(reverse("login")).text
    assert 'data-testid="forgot-password"' in login
    r = client.post(reverse("accounts:password_reset"), {"email": "can.bo@laocai.gov.vn"})
    assert r.status_code == 302 and r["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["can.bo@laocai.gov.vn"] and officer.username in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.text
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Mật-khẩu-mới-2026",
                                                   "new_password2": "Mật-khẩu-mới-2026"})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(client, officer, "Mật-khẩu-mới-2026")["Location"] == "/"
    client.post(reverse("logout"))
    assert 'data-testid="reset-invalid"' in client.get(link, follow=True).text  # the link works once


def test_unknown_address_sends_nothing_and_says_the_same(client, settings, db):
    settings.DOLUONG_EMAIL_ENABLED = True
    r = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.vn"})
    assert r["Location"] == reverse("accounts:password_reset_done") and not mail.outbox
