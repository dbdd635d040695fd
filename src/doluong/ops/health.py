"""Liveness of the database and of the background worker, for ``/healthz`` and monitoring.

Nothing private is reported: no names, no addresses, no error messages (they can carry host and user
names), only states, ages in seconds and counts.
"""

import contextlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doluong.ops import tasks

log = logging.getLogger(__name__)


def _age(now, moment):
    return None if moment is None else round((now - moment).total_seconds(), 1)


def database() -> dict:
    """A trivial query and its time."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        with contextlib.suppress(DatabaseError):
            connection.close()  # the next request connects afresh
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.perf_counter() - started) * 1000, 2)}


def worker() -> dict:
    """The task worker: alive when a task (the heartbeat or any other) finished recently, or one is running.

    ``last_finished_age_s`` is the age of the last task the worker finished, ``running`` the tasks it
    holds (a long import delays the heartbeat; a task started more than ``DOLUONG_TASK_MAX_SECONDS`` ago
    and still running means the worker died under it), ``backlog`` the tasks due and not started.
    """
    if not tasks.queued_backend():
        return {"ok": True, "mode": "immediate"}
    now = timezone.now()
    stale = int(getattr(settings, "DOLUONG_WORKER_STALE_SECONDS", 3 * tasks.interval()))
    max_task = int(getattr(settings, "DOLUONG_TASK_MAX_SECONDS", 3600))
    results = DBTaskResult.objects.all()
    finished = results.filter(status__in=tasks.FINISHED).aggregate(last=Max("finished_at"))["last"]
    beat = results.filter(task_path=tasks.HEARTBEAT_PATH, status=TaskResultStatus.SUCCESSFUL).aggregate(
        last=Max("finished_at"))["last"]
    running = results.filter(status=TaskResultStatus.RUNNING).exclude(task_path=tasks.HEARTBEAT_PATH)
    running_count = running.count()
    oldest_running = running.aggregate(first=Min("started_at"))["first"] if running_count else None
    backlog = results.ready().exclude(task_path=tasks.HEARTBEAT_PATH)
    backlog_count = backlog.count()
    oldest_waiting = backlog.aggregate(first=Min("enqueued_at"))["first"] if backlog_count else None
    recently = finished is not None and now - finished <= timedelta(seconds=stale)
    busy = oldest_running is not None and now - oldest_running <= timedelta(seconds=max_task)
    try:
        tasks.ensure_pending()
    except DatabaseError:  # a read-only database still answers the check
        log.warning("health check: could not enqueue the worker heartbeat", exc_info=True)
    return {
        "ok": bool(recently or busy),
        "mode": "queue",
        "last_heartbeat_age_s": _age(now, beat),
        "last_finished_age_s": _age(now, finished),
        "running": running_count,
        "oldest_running_age_s": _age(now, oldest_running),
        "backlog": backlog_count,
        "oldest_backlog_age_s": _age(now, oldest_waiting),
        "stale_after_s": stale,
    }


def report() -> tuple[int, dict]:
    """The HTTP status and the body of ``/healthz``: 503 when the database is down, else 200.

    A stopped worker does not make the web server unhealthy (restarting it would not help):
    ``status`` is then ``degraded`` and monitoring should alert on it.
    """
    db = database()
    body = {"status": "ok", "time": timezone.now().isoformat(timespec="seconds"), "database": db}
    if not db["ok"]:
        body["status"] = "error"
        body["worker"] = {"ok": None, "mode": "unknown"}
        return 503, body
    try:
        body["worker"] = worker()
    except DatabaseError as exc:
        body["worker"] = {"ok": None, "error": type(exc).__name__}
    if not body["worker"].get("ok"):
        body["status"] = "degraded"
    return 200, body
