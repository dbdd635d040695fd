"""gunicorn settings, read from the environment: ``gunicorn -c python:doluong.ops.gunicorn_conf``.

| variable | default |
|---|---|
| ``DOLUONG_BIND`` | ``127.0.0.1:8000`` (behind the HTTPS proxy on the same host) |
| ``DOLUONG_WEB_WORKERS`` | CPU cores + 1, at least 2, at most 8 (processes) |
| ``DOLUONG_WEB_THREADS`` | 4 (threads per process: gthread workers) |
| ``DOLUONG_WEB_TIMEOUT`` | 120 s (a request longer than this is killed: large exports, PDFs) |
| ``DOLUONG_WEB_GRACEFUL_TIMEOUT`` | 30 s (to finish requests on restart) |
| ``DOLUONG_WEB_MAX_REQUESTS`` | 2000 (a process is recycled after this many requests, ±10 %) |
| ``DOLUONG_FORWARDED_ALLOW_IPS`` | ``127.0.0.1,::1`` (proxies trusted for X-Forwarded-*) |

Every request is logged by ``doluong.ops.middleware`` (with its id and duration), so gunicorn's own
access log is off; its error log uses doluong's formatter (``DOLUONG_LOG_FORMAT=json`` or console).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "doluong.wsgi:application"
proc_name = "doluong-web"
bind = [b.strip() for b in os.environ.get("DOLUONG_BIND", "127.0.0.1:8000").split(",") if b.strip()]
workers = _int("DOLUONG_WEB_WORKERS", min(max(2, (os.cpu_count() or 1) + 1), 8))
threads = _int("DOLUONG_WEB_THREADS", 4)
worker_class = "gthread"
timeout = _int("DOLUONG_WEB_TIMEOUT", 120)
graceful_timeout = _int("DOLUONG_WEB_GRACEFUL_TIMEOUT", 30)
keepalive = _int("DOLUONG_WEB_KEEPALIVE", 5)
max_requests = _int("DOLUONG_WEB_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("DOLUONG_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (heartbeat files, not data)
control_socket_disable = True  # no gunicornc socket in $HOME (systemd's ProtectHome, read-only containers)
accesslog = None
errorlog = "-"
loglevel = os.environ.get("DOLUONG_GUNICORN_LOG_LEVEL", "info")
_formatter = ("doluong.ops.logging.JsonFormatter" if os.environ.get("DOLUONG_LOG_FORMAT", "").lower() == "json"
              else "doluong.ops.logging.ConsoleFormatter")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"doluong": {"()": _formatter}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "doluong", "stream": "ext://sys.stderr"},
        "error_console": {"class": "logging.StreamHandler", "formatter": "doluong", "stream": "ext://sys.stderr"},
    },
    "root": {"level": "WARNING", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
