"""``doluong remind [--days N] [--dry-run] [--enqueue]``: today's reminders (run it daily: docs/notices.md)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from doluong.notices.models import NoticeKind
from doluong.notices.services import remind_days
from doluong.notices.tasks import send_reminders


class Command(BaseCommand):
    help = ("Remind enterprises of instruments due or overdue for verification, and providers of their officers' "
            "certificates, standards and designations expiring within 60 days. Running it twice sends nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="Instruments due within this many days (default DOLUONG_REMIND_DAYS, 30).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; write nothing.")
        parser.add_argument("--enqueue", action="store_true",
                            help="Queue the task for the worker (doluong db_worker) instead of running it now.")

    def handle(self, *args, days=None, dry_run=False, enqueue=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more")
        if enqueue:
            result = send_reminders.enqueue(days, dry_run)
            self.stdout.write(f"queued {result.id}")
            return
        counts = send_reminders.call(days, dry_run)
        total = counts.pop("total")
        params = {"days": remind_days() if days is None else days, "total": total}
        if dry_run:
            self.stdout.write(_("Dry run: %(total)d reminders would be created (instruments due within %(days)d "
                                "days).") % params)
        else:
            self.stdout.write(_("%(total)d reminders created (instruments due within %(days)d days).") % params)
        for kind in NoticeKind:
            if counts.get(kind.value):
                self.stdout.write(f"  {kind.label}: {counts[kind.value]}")
