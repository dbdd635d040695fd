import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from doluong.ops import backup


class Command(BaseCommand):
    help = ("Restore a `doluong backup` archive: replaces the configured database and the uploaded files. The "
            "archive is checked first (checksums, database vendor, migrations); without --yes nothing is changed.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true",
                            help="really replace the current database and uploaded files")

    def handle(self, *args, archive, yes=False, **options):
        started = time.monotonic()
        try:
            verified = backup.verify(archive)
        except backup.BackupError as exc:
            raise CommandError(f"{exc}. Nothing was changed.") from exc
        m = verified.manifest
        self.stdout.write(f"{archive}: verified — doluong {m.get('doluong_version')}, made {m.get('created_at')}, "
                          f"{m['database']['vendor']} database, {m['media']['files']} uploaded file(s), "
                          f"{len(m['members'])} member(s) with matching sha256")
        for warning in verified.warnings:
            self.stderr.write(f"warning: {warning}")
        if not yes:
            backup.discard(verified)
            raise CommandError("nothing was changed: add --yes to replace the current database and uploaded "
                               "files with this archive (stop the web server and the worker first)")
        try:
            if sessions := backup.other_sessions():
                self.stderr.write(f"warning: {sessions} other connection(s) to the database; stop the web server "
                                  "and the worker during a restore")
            backup.restore(verified)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            backup.discard(verified)
        self.stdout.write(f"restored the database and the uploaded files in {time.monotonic() - started:.1f} s")
        if verified.pending_migrations:
            self.stdout.write(f"this code has {len(verified.pending_migrations)} migration(s) newer than the "
                              "archive: run `doluong migrate` now")
