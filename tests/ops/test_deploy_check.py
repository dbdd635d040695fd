"""``doluong check --deploy`` is clean in production mode, and development stays plain HTTP.

Each case runs the real command in a fresh interpreter with the environment an installation sets
(docs/operations.md, section 2), so the settings are read exactly as in production. ``--fail-level WARNING``
makes any warning fail the command, and the output must say there is nothing to report.
"""

import os
import subprocess
import sys

import pytest

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")
SECRET = "q7L-vN2x_Rk9sT4mWb8Zc1Yd6Hf3Jg5Pa0Ue-XiOoKlQnMrEtSwAyBhCjDuFvGz"  # 64 characters, many distinct
HOSTS = "doluong.laocai.gov.vn"


def environment(tmp_path, **env) -> dict:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DOLUONG_", "DATABASE_URL", "DJANGO_"))}
    full.update(PYTHONPATH=SRC, DJANGO_SETTINGS_MODULE="doluong.settings", DOLUONG_VAR_DIR=str(tmp_path))
    full.update(env)
    return full


def production(tmp_path, **env) -> dict:
    return environment(tmp_path, **{"DOLUONG_PRODUCTION": "1", "DOLUONG_SECRET_KEY": SECRET,
                                     "DOLUONG_ALLOWED_HOSTS": HOSTS, **env})


def run_check(env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "doluong.cli", "check", *args, "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, check=False, timeout=120)


def settings_in(env: dict, expr: str) -> str:
    out = subprocess.run([sys.executable, "-c", f"from django.conf import settings as s; print(*({expr},))"], env=env,
                         capture_output=True, text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def assert_clean(out: subprocess.CompletedProcess):
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    assert "System check identified no issues" in text, text
    assert "WARNINGS" not in text and "ERRORS" not in text, text


@pytest.mark.parametrize("extra", [
    {},                                                                          # the defaults: SQLite file
    {"DATABASE_URL": "postgres://doluong@127.0.0.1:5432/doluong?connect_timeout=5"},  # the production database
    {"DOLUONG_SSL_REDIRECT": "0"},               # TLS ends at nginx, which redirects http:// itself
    {"DOLUONG_HSTS_PRELOAD": "1"},
    {"DOLUONG_TRUSTED_PROXIES": "1", "DOLUONG_CSRF_TRUSTED_ORIGINS": "https://doluong.laocai.gov.vn"},
    {"DOLUONG_EMAIL_HOST": "smtp.laocai.gov.vn", "DOLUONG_EMAIL_USER": "doluong@laocai.gov.vn"},
], ids=["defaults", "postgresql", "redirect-at-proxy", "hsts-preload", "behind-proxy", "smtp"])
def test_check_deploy_is_clean_in_production(tmp_path, extra):
    assert_clean(run_check(production(tmp_path, **extra), "--deploy"))


def test_production_is_https_only_unless_the_proxy_redirects(tmp_path):
    names = ("s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
             "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER")
    assert settings_in(production(tmp_path), names) == \
        "False True True True 31536000 True False ('HTTP_X_FORWARDED_PROTO', 'https')"
    at_proxy = production(tmp_path, DOLUONG_SSL_REDIRECT="0")
    assert settings_in(at_proxy, "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE") == "False True"
    assert settings_in(production(tmp_path, DOLUONG_HSTS_PRELOAD="1"), "s.SECURE_HSTS_PRELOAD") == "True"


def test_only_what_was_switched_off_is_silenced(tmp_path):
    assert settings_in(production(tmp_path), "s.SILENCED_SYSTEM_CHECKS") == "['security.W021']"
    assert settings_in(production(tmp_path, DOLUONG_HSTS_PRELOAD="1"), "s.SILENCED_SYSTEM_CHECKS") == "[]"
    assert settings_in(production(tmp_path, DOLUONG_SSL_REDIRECT="0", DOLUONG_HSTS_SECONDS="0"),
                       "s.SILENCED_SYSTEM_CHECKS") == "['security.W021', 'security.W008', 'security.W004']"


def test_a_weak_secret_key_is_still_reported(tmp_path):
    """The command is not silenced wholesale: what an installation gets wrong still fails it."""
    out = run_check(production(tmp_path, DOLUONG_SECRET_KEY="short"), "--deploy")
    assert out.returncode != 0 and "security.W009" in out.stdout + out.stderr


def test_production_mail_is_never_the_console(tmp_path):
    """Without a mail host nothing is sent (e-mail is off); the backend is SMTP, never the console that would print
    password-reset links into the log (Django's mail.E001)."""
    assert settings_in(production(tmp_path), "s.MAILERS['default']['BACKEND'], s.DOLUONG_EMAIL_ENABLED") == \
        "django.core.mail.backends.smtp.EmailBackend False"
    assert settings_in(environment(tmp_path), "s.MAILERS['default']['BACKEND']") == \
        "django.core.mail.backends.console.EmailBackend"


def test_development_stays_plain_http(tmp_path):
    env = environment(tmp_path)
    assert settings_in(env, "s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS") == \
        "True False False 0"
    assert_clean(run_check(env))
