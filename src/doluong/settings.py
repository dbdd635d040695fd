"""Django settings, read from the environment.

Defaults give a working development system on an SQLite file. Production is switched on with
``DOLUONG_PRODUCTION=1`` and then requires ``DOLUONG_SECRET_KEY`` and ``DOLUONG_ALLOWED_HOSTS``.
PostgreSQL is selected with ``DATABASE_URL=postgres://user@host:5432/name``.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from doluong.core.client_ip import parse_trusted_proxies

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
    "django_otp",  # second factor for sign-in (doluong.accounts)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",  # the TASKS backend's queue table (see TASKS below)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as static files: the API docs load nothing from a CDN
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
    "doluong.reports",
    "doluong.notices",  # notifications, reminders (`doluong remind`), service requests
    "doluong.demo",
    "doluong.web",
    "doluong.ops",  # /healthz, backup, restore, prune, log formatters (docs/operations.md)
    "doluong.api",
    "doluong.accounts",  # two-step sign-in, password reset and change, idle expiry, sign-in log
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
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed the second factor
    "django.contrib.messages.middleware.MessageMiddleware",
    "doluong.accounts.middleware.IdleTimeoutMiddleware",  # signs out after DOLUONG_IDLE_MINUTES idle
    "doluong.accounts.middleware.SecondFactorMiddleware",  # code page / set-up page before any other page
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "doluong.core.middleware.ChangeContextMiddleware",
    "doluong.ops.middleware.RequestLogMiddleware",  # one log line per request, with its id (after the above)
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
                "doluong.geo.context_processors.province",  # the user's own province beside the brand
                "doluong.notices.context_processors.unread",  # the navbar's unread notifications badge
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
# Axes first (it refuses locked-out credentials), then passwords, then any extra backends named in
# DOLUONG_AUTH_BACKENDS (comma-separated dotted paths, e.g. a provincial SSO / OIDC backend: docs/operations.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    *[b.strip() for b in os.environ.get("DOLUONG_AUTH_BACKENDS", "").split(",") if b.strip()],
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
# The client's address behind a reverse proxy (docs/operations.md): DOLUONG_TRUSTED_PROXIES is a count of proxies
# in front of doluong (1: nginx on this host) or a comma-separated list of their addresses / networks; only then
# is X-Forwarded-For read (its right-most address no trusted proxy vouches for). Unset: REMOTE_ADDR, the header is
# ignored. The one reading (doluong.core.client_ip) serves axes, the sign-in log and the certificate check throttle.
DOLUONG_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("DOLUONG_TRUSTED_PROXIES", ""))
AXES_CLIENT_IP_CALLABLE = "doluong.core.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "doluong.accounts.views.locked_out"  # the lock-out page in Vietnamese
# Two-step sign-in (doluong.accounts): officers, leaders and administrators must use an authenticator app
# where DOLUONG_REQUIRE_2FA is on (default: in production); anyone may. DOLUONG_OTP_MAX_FAILURES wrong codes
# block the code page of the session (each wrong code also counts for axes' lock-out above).
DOLUONG_REQUIRE_2FA = env_bool("DOLUONG_REQUIRE_2FA", default=PRODUCTION)
DOLUONG_OTP_MAX_FAILURES = int(os.environ.get("DOLUONG_OTP_MAX_FAILURES", "5"))
OTP_TOTP_ISSUER = "doluong"
# Sessions: DOLUONG_SESSION_HOURS at most (8: a working day), signed out after DOLUONG_IDLE_MINUTES without
# a request (0: never), optionally when the browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("DOLUONG_SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DOLUONG_SESSION_EXPIRE_AT_BROWSER_CLOSE")
DOLUONG_IDLE_MINUTES = int(os.environ.get("DOLUONG_IDLE_MINUTES", "30"))
# E-mail (password reset): offered only when DOLUONG_EMAIL_HOST is set (or DOLUONG_EMAIL_ENABLED=1 with
# another DOLUONG_EMAIL_BACKEND); without e-mail an officer sets a forgotten password.
_EMAIL_HOST = os.environ.get("DOLUONG_EMAIL_HOST", "")
_EMAIL_PORT = int(os.environ.get("DOLUONG_EMAIL_PORT", "587"))
_EMAIL_USER = os.environ.get("DOLUONG_EMAIL_USER", "")
# (Production never defaults to the console backend, which would print reset links into the log; with no host
# and e-mail not enabled nothing is sent at all.)
_EMAIL_BACKEND = os.environ.get("DOLUONG_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
                                if _EMAIL_HOST or PRODUCTION else "django.core.mail.backends.console.EmailBackend")
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": {
    "host": _EMAIL_HOST, "port": _EMAIL_PORT, "username": _EMAIL_USER,
    "password": os.environ.get("DOLUONG_EMAIL_PASSWORD", ""),
    "use_tls": env_bool("DOLUONG_EMAIL_TLS", default=_EMAIL_PORT == 587),
    "use_ssl": env_bool("DOLUONG_EMAIL_SSL", default=_EMAIL_PORT == 465), "timeout": 20,
} if _EMAIL_BACKEND.endswith("smtp.EmailBackend") else {}}}
DEFAULT_FROM_EMAIL = os.environ.get("DOLUONG_EMAIL_FROM", _EMAIL_USER if "@" in _EMAIL_USER else "doluong@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DOLUONG_EMAIL_ENABLED = env_bool("DOLUONG_EMAIL_ENABLED", default=bool(_EMAIL_HOST))
# Reminders (`doluong remind`, docs/notices.md): instruments due within DOLUONG_REMIND_DAYS days; the links in
# notification e-mails start with DOLUONG_SITE_URL (e.g. https://doluong.example.gov.vn).
DOLUONG_REMIND_DAYS = int(os.environ.get("DOLUONG_REMIND_DAYS", "30"))
DOLUONG_SITE_URL = os.environ.get("DOLUONG_SITE_URL", "").rstrip("/")
PASSWORD_RESET_TIMEOUT = int(os.environ.get("DOLUONG_PASSWORD_RESET_HOURS", "24")) * 3600

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
    # `preload` asks browsers' built-in HSTS lists to include the domain: hard to undo, the province's decision.
    SECURE_HSTS_PRELOAD = env_bool("DOLUONG_HSTS_PRELOAD")
    # Off (DOLUONG_SSL_REDIRECT=0) only where the proxy itself redirects http:// to https://.
    SECURE_SSL_REDIRECT = env_bool("DOLUONG_SSL_REDIRECT", default=True)
    # `check --deploy` stays quiet about what was switched off on purpose (and documented), and only about that.
    SILENCED_SYSTEM_CHECKS = [
        *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
        *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
        *([] if SECURE_HSTS_SECONDS else ["security.W004"]),
    ]
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

# --- REST API (doluong.api, docs/api.md) ---------------------------------------------------------------
# Systems sign in with a token (Authorization: Bearer …, doluong.api.models.ApiToken); people with their
# session (the docs at /api/docs/). Token clients are throttled: DOLUONG_API_RATE requests and
# DOLUONG_API_BULK_RATE bulk submissions per token ("N/second|minute|hour|day").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "doluong.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser", "rest_framework.parsers.MultiPartParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "doluong.api.paging.Paging",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["doluong.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": os.environ.get("DOLUONG_API_RATE", "600/minute"),
        "token_bulk": os.environ.get("DOLUONG_API_BULK_RATE", "60/hour"),
    },
    "EXCEPTION_HANDLER": "doluong.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "doluong API",
    "DESCRIPTION": "Registry, records and indicators of the province's metrology programme (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choices stay inline in each schema: the registry has many fields named kind, status or result, with other
    # choices each, and shared enum components would get generated names.
    "POSTPROCESSING_HOOKS": [],
}
DOLUONG_API_BULK_MAX_ROWS = int(os.environ.get("DOLUONG_API_BULK_MAX_ROWS", "20000"))

# --- tables -------------------------------------------------------------------------------------
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"
DJANGO_TABLES2_PAGE_RANGE = 5

# --- logging ------------------------------------------------------------------------------------
# DOLUONG_LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request id, path,
# status, duration, user id); otherwise readable console lines. Requests are logged on doluong.request
# (INFO in production; DOLUONG_REQUEST_LOG_LEVEL). Formatters in doluong.ops.logging.
DOLUONG_LOG_FORMAT = os.environ.get("DOLUONG_LOG_FORMAT", "console").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "console": {"()": "doluong.ops.logging.ConsoleFormatter"},
        "json": {"()": "doluong.ops.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "formatter": "json" if DOLUONG_LOG_FORMAT == "json" else "console"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DOLUONG_LOG_LEVEL", "WARNING")},
    "loggers": {
        "doluong.request": {"level": os.environ.get("DOLUONG_REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")},
        # JSON: Django's own DEBUG-only console handler would add plain lines; everything goes through root
        **({"django": {"handlers": [], "level": "INFO"}} if DOLUONG_LOG_FORMAT == "json" else {}),
    },
}

# --- operations (doluong.ops, docs/operations.md) ----------------------------------------------------
# Backups: `doluong backup` writes to DOLUONG_BACKUP_DIR and keeps the newest DOLUONG_BACKUP_KEEP (all if
# unset). Retention (`doluong prune`): finished task results after DOLUONG_TASK_RESULTS_KEEP_DAYS; change
# history only if DOLUONG_HISTORY_KEEP_DAYS is set (default: kept for ever). The worker is reported dead by
# /healthz when no task finished for DOLUONG_WORKER_STALE_SECONDS (its heartbeat runs every
# DOLUONG_HEARTBEAT_SECONDS) and none is running.
DOLUONG_BACKUP_DIR = Path(os.environ.get("DOLUONG_BACKUP_DIR", VAR_DIR / "backups"))
DOLUONG_BACKUP_KEEP = int(os.environ["DOLUONG_BACKUP_KEEP"]) if os.environ.get("DOLUONG_BACKUP_KEEP") else None
DOLUONG_TASK_RESULTS_KEEP_DAYS = int(os.environ.get("DOLUONG_TASK_RESULTS_KEEP_DAYS", "30"))
DOLUONG_HISTORY_KEEP_DAYS = (int(os.environ["DOLUONG_HISTORY_KEEP_DAYS"])
                             if os.environ.get("DOLUONG_HISTORY_KEEP_DAYS") else None)
DOLUONG_HEARTBEAT_SECONDS = int(os.environ.get("DOLUONG_HEARTBEAT_SECONDS", "60"))
DOLUONG_WORKER_STALE_SECONDS = int(os.environ.get("DOLUONG_WORKER_STALE_SECONDS", "180"))
DOLUONG_TASK_MAX_SECONDS = int(os.environ.get("DOLUONG_TASK_MAX_SECONDS", "3600"))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes over plain HTTP when production redirects to HTTPS

# --- the province this installation serves -------------------------------------------------------
DOLUONG_PROVINCE_NAME = os.environ.get("DOLUONG_PROVINCE_NAME", "Lào Cai")
# Officers, leaders and agencies see their own province's data (core.access, docs/multi-province.md).
DOLUONG_PROVINCE_RESOLVER = "doluong.geo.tenancy.province_ids_of"
FILTERS_EMPTY_CHOICE_LABEL = "—"
