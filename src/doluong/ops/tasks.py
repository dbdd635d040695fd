"""The worker's heartbeat: a tiny task that re-enqueues itself.

``django_tasks_db`` records no heartbeat of its own (its ``DBTaskResult`` rows have ``started_at`` and
``finished_at``, nothing periodic), so the health check (:mod:`doluong.ops.health`) makes sure one
:func:`heartbeat` is always waiting in the queue. The worker runs it (its ``finished_at`` is the stamp),
and the task enqueues the next one ``DOLUONG_HEARTBEAT_SECONDS`` later and deletes older stamps, so the
table holds a handful of heartbeat rows whatever the uptime.
"""

from datetime import timedelta

from django.conf import settings
from django.tasks import task, task_backends
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

HEARTBEAT_PATH = "doluong.ops.tasks.heartbeat"
KEEP_STAMPS = 5
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def interval() -> int:
    return int(getattr(settings, "DOLUONG_HEARTBEAT_SECONDS", 60))


def queued_backend() -> bool:
    """Whether tasks go to the database queue (a worker is needed), not run in the request."""
    return isinstance(task_backends["default"], DatabaseBackend)


def waiting():
    """Heartbeats waiting for the worker, due now or later."""
    return DBTaskResult.objects.filter(task_path=HEARTBEAT_PATH, status=TaskResultStatus.READY)


def ensure_pending() -> bool:
    """Enqueue a heartbeat due now unless one is already waiting or running; whether one was enqueued."""
    if not queued_backend() or DBTaskResult.objects.filter(
            task_path=HEARTBEAT_PATH, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)).exists():
        return False
    heartbeat.enqueue()
    return True


@task()
def heartbeat() -> str:
    """Prove the worker is alive: enqueue the next heartbeat and drop old stamps."""
    now = timezone.now()
    if queued_backend() and not waiting().exists():
        heartbeat.using(run_after=now + timedelta(seconds=interval())).enqueue()
    stamps = DBTaskResult.objects.filter(task_path=HEARTBEAT_PATH, status__in=FINISHED)
    old = list(stamps.order_by("-finished_at").values_list("pk", flat=True)[KEEP_STAMPS:])
    if old:
        DBTaskResult.objects.filter(pk__in=old).delete()
    return now.isoformat()
