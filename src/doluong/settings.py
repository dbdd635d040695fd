"""Django settings, read from the environment.

Defaults give a working development system on an SQLite file. Production is switched on with
``DOLUONG_PRODUCTION=1`` and then requires ``DOLUONG_SECRET_KEY`` and ``DOLUONG_ALLOWED_HOSTS``.
PostgreSQL is selected with ``DATABASE_URL=postgres://user@host:5432/name``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DOLUONG_VAR_DIR", BASE_DIR.parent.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("DOLUONG_PRODUCTION")
DEBUG = env_bool("DOLUONG_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = os.environ["DOLUONG_SECRET_KEY"]
    ALLOWED_HOSTS = [h.strip() for h in os.environ["DOLUONG_ALLOWED_HOSTS"].split(",") if h.strip()]
else:
    SECRET_KEY = os.environ.get("DOLUONG_SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
    ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "axes",
    "django_tasks_db",  # the TASKS backend's queue table (see TASKS below)
    "doluong.core",
    "doluong.imports",
    "doluong.geo",
    "doluong.orgs",
    "doluong.instruments",
    "doluong.providers",
    "doluong.records",
    "doluong.calculators",
    "doluong.plans",
    "doluong.programmes",
    "doluong.inspections",
    "doluong.indicators",
    "doluong.demo",
    "doluong.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "doluong.core.middleware.favicon",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "doluong.core.middleware.LanguageMiddleware",  # the language cookie, else Vietnamese; never Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "doluong.core.middleware.ChangeContextMiddleware",
    "axes.middleware.AxesMiddleware",
    "doluong.core.middleware.ErrorPagesMiddleware",  # Vietnamese 404/500 pages even with DEBUG on
]

ROOT_URLCONF = "doluong.urls"
WSGI_APPLICATION = "doluong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "doluong.core.context_processors.navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'doluong.sqlite3'}",
        conn_max_age=int(os.environ.get("DOLUONG_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_ENABLED = env_bool("DOLUONG_AXES", default=True)
AXES_FAILURE_LIMIT = 8
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

# --- language, time, formats --------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["doluong.formats"]
# The language is the one chosen in the user menu (Django's set_language view sets this cookie),
# otherwise Vietnamese; the browser's Accept-Language is ignored (core.middleware.LanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
# With DEBUG on (development, the demo) users still get the Vietnamese 404 and 500 pages;
# DOLUONG_DEBUG_PAGES=1 brings back Django's technical pages with tracebacks for developers.
DOLUONG_DEBUG_PAGES = env_bool("DOLUONG_DEBUG_PAGES")

# --- static -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if PRODUCTION else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- security -----------------------------------------------------------------------------------
# A strict policy everywhere, development included, so that anything that would break in
# production (an inline script, a CDN) breaks in tests first.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DOLUONG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("DOLUONG_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DOLUONG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# --- background tasks (imports of large files) ----------------------------------------------------
# Queued in the database and run by `doluong db_worker`; DOLUONG_TASKS_IMMEDIATE=1 runs them in the
# request instead (no worker needed). Small imports always run in the request (imports.jobs).
TASKS = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend" if env_bool("DOLUONG_TASKS_IMMEDIATE")
        else "django_tasks_db.DatabaseBackend",
    }
}

# --- tables -------------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_PAGE_RANGE = 5

# --- logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DOLUONG_LOG_LEVEL", "WARNING")},
}

# --- the province this installation serves -------------------------------------------------------
DOLUONG_PROVINCE_NAME = os.environ.get("DOLUONG_PROVINCE_NAME", "Lào Cai")
FILTERS_EMPTY_CHOICE_LABEL = "—"
