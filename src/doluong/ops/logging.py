"""Log formatters: one JSON object per line (``DOLUONG_LOG_FORMAT=json``), or readable console lines.

Standard library only. A request's fields (``request_id``, ``method``, ``path``, ``status``,
``duration_ms``, ``user_id``) come from the record's extras (:mod:`doluong.ops.middleware` logs one
record per request), from Django's own ``request`` extra (``django.request`` errors), or from the
request being served (:data:`current_request_id`), so every line written while serving a request
carries its id. Only the user's id is logged, never a name; only the path, never the query string.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

from django.utils.functional import empty

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("doluong_request_id", default=None)

REQUEST_FIELDS = ("request_id", "method", "path", "status", "duration_ms", "user_id")
OTHER_FIELDS = ("task_id", "worker_id")


def _user_id(request):
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)  # a SimpleLazyObject not yet evaluated: do not query for it
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None


def request_fields(record: logging.LogRecord) -> dict:
    fields = {name: getattr(record, name) for name in REQUEST_FIELDS if getattr(record, name, None) is not None}
    request = getattr(record, "request", None)
    if request is not None and hasattr(request, "path"):  # Django's django.request / django.server extras
        fields.setdefault("method", getattr(request, "method", None))
        fields.setdefault("path", request.path)
        if getattr(request, "id", None) is not None:
            fields.setdefault("request_id", str(request.id))
        if (user_id := _user_id(request)) is not None:
            fields.setdefault("user_id", user_id)
    if getattr(record, "status_code", None) is not None:
        fields.setdefault("status", record.status_code)
    if "request_id" not in fields and (rid := current_request_id.get()) is not None:
        fields["request_id"] = rid
    return {k: v for k, v in fields.items() if v is not None}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...request fields, "exc"}``, one line per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(request_fields(record))
        for name in OTHER_FIELDS:
            if getattr(record, name, None) is not None:
                entry[name] = str(getattr(record, name))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """``2026-11-24 10:00:00,123 INFO doluong.request: GET /path 200 12.3ms [request id]``."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = request_fields(record).get("request_id")
        if rid and "\n" not in text:
            text += f" [{rid}]"
        return text
