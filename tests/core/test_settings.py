"""Settings come from the environment; production mode is strict."""

import os
import subprocess
import sys

import pytest

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def settings_in(env: dict, expr: str) -> str:
    code = f"import doluong.settings as s; print({expr})" if "," not in expr else \
        f"import doluong.settings as s; print(*({expr}))"
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DOLUONG_", "DATABASE_URL"))}
    full.update(env, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=False)
    if out.returncode:
        return "ERROR " + out.stderr.strip().splitlines()[-1]
    return out.stdout.strip()


def test_defaults_are_development_on_sqlite_in_vietnamese(tmp_path):
    env = {"DOLUONG_VAR_DIR": str(tmp_path)}
    assert settings_in(env, "s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE") == "True vi Asia/Ho_Chi_Minh"
    assert settings_in(env, "s.DATABASES['default']['ENGINE']") == "django.db.backends.sqlite3"


def test_database_url_selects_postgresql(tmp_path):
    env = {"DOLUONG_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@db.example:5432/dl"}
    assert settings_in(env, "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME']") == \
        "django.db.backends.postgresql dl"


def test_production_requires_a_secret_key(tmp_path):
    env = {"DOLUONG_VAR_DIR": str(tmp_path), "DOLUONG_PRODUCTION": "1", "DOLUONG_ALLOWED_HOSTS": "x.vn"}
    assert settings_in(env, "s.DEBUG").startswith("ERROR KeyError: 'DOLUONG_SECRET_KEY'")


@pytest.mark.parametrize("expr,expected", [
    ("s.DEBUG", "False"),
    ("s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE", "True"),
    ("s.SECURE_HSTS_SECONDS >= 31536000", "True"),
    ("s.ALLOWED_HOSTS", "['doluong.laocai.gov.vn']"),
    ("[str(x) for x in s.SECURE_CSP['script-src']]", "[\"'self'\"]"),
])
def test_production_mode_is_secure(tmp_path, expr, expected):
    env = {"DOLUONG_VAR_DIR": str(tmp_path), "DOLUONG_PRODUCTION": "1", "DOLUONG_SECRET_KEY": "k" * 50,
           "DOLUONG_ALLOWED_HOSTS": "doluong.laocai.gov.vn"}
    assert settings_in(env, expr) == expected


def test_every_page_carries_a_strict_content_security_policy(client, db):
    r = client.get("/accounts/login/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
