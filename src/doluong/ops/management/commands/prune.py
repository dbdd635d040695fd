from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doluong.core.models import ObjectChange
from doluong.ops.tasks import FINISHED

BATCH = 5000


def _delete_in_batches(queryset) -> int:
    total = 0
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not pks:
            return total
        with transaction.atomic():
            total += queryset.model.objects.filter(pk__in=pks).delete()[0]


class Command(BaseCommand):
    help = ("Retention: delete finished background-task results older than DOLUONG_TASK_RESULTS_KEEP_DAYS, and "
            "change history older than DOLUONG_HISTORY_KEEP_DAYS only if that is set (default: keep all history).")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
        parser.add_argument("--task-days", type=int, default=None,
                            help="keep finished task results this many days (default: DOLUONG_TASK_RESULTS_KEEP_DAYS)")
        parser.add_argument("--history-days", type=int, default=None,
                            help="delete change history older than this many days (default: DOLUONG_HISTORY_KEEP_DAYS; "
                                 "unset keeps all history)")

    def handle(self, *args, dry_run=False, task_days=None, history_days=None, **options):
        task_days = task_days if task_days is not None else getattr(settings, "DOLUONG_TASK_RESULTS_KEEP_DAYS", 30)
        if history_days is None:
            history_days = getattr(settings, "DOLUONG_HISTORY_KEEP_DAYS", None)
        if task_days < 0 or (history_days is not None and history_days < 1):
            raise CommandError("--task-days must be 0 or more and --history-days 1 or more")
        now = timezone.now()
        verb = "would delete" if dry_run else "deleted"
        tasks = DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=now - timedelta(days=task_days))
        n = tasks.count() if dry_run else _delete_in_batches(tasks)
        self.stdout.write(f"task results finished more than {task_days} day(s) ago: {verb} {n}")
        if history_days is None:
            self.stdout.write("change history: kept (DOLUONG_HISTORY_KEEP_DAYS is not set)")
            return
        history = ObjectChange.objects.filter(time__lt=now - timedelta(days=history_days))
        n = history.count() if dry_run else _delete_in_batches(history)
        self.stdout.write(f"change history older than {history_days} day(s): {verb} {n} "
                          "(imports older than that can no longer be reverted)")
