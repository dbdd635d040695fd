from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from doluong.ops import backup


class Command(BaseCommand):
    help = ("Back up the database (pg_dump -Fc on PostgreSQL, the online backup API on SQLite) and the uploaded "
            "files into one archive with a manifest (versions, migrations, sha256 of every member).")

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None,
                            help="directory for the archive (default: DOLUONG_BACKUP_DIR, var/backups)")
        parser.add_argument("--keep", type=int, default=None,
                            help="then delete all but the newest KEEP archives in that directory "
                                 "(default: DOLUONG_BACKUP_KEEP, keep all)")

    def handle(self, *args, out=None, keep=None, **options):
        out = out or Path(getattr(settings, "DOLUONG_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))
        keep = keep if keep is not None else getattr(settings, "DOLUONG_BACKUP_KEEP", None)
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1")
        try:
            result = backup.create(out, keep=keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = result.manifest
        size = result.path.stat().st_size
        self.stdout.write(f"{result.path}\n  {m['database']['vendor']} database, {m['media']['files']} uploaded "
                          f"file(s) ({m['media']['bytes']:,} bytes); archive {size:,} bytes; "
                          f"{result.seconds:.1f} s")
        for path in result.removed:
            self.stdout.write(f"  removed old archive {path.name}")
