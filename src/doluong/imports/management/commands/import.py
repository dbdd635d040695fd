"""``doluong import KIND FILE [--dry-run] [--keep-good] [--user USERNAME]``."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from doluong.imports import spec as registry
from doluong.imports.engine import ImportRefused, import_file
from doluong.imports.models import Policy, Status


class Command(BaseCommand):
    help = "Import a spreadsheet (XLSX or CSV) of one kind; all or nothing unless --keep-good."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(s.kind for s in registry.all_specs()))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument("--keep-good", action="store_true", help="write the good rows, reject the others")
        parser.add_argument("--user", help="act as this user (their access rules apply)")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--sheet", help="XLSX sheet name (default: the first with the expected headers)")
        parser.add_argument("--language", default="vi")

    def handle(self, *args, kind, file, dry_run, keep_good, user, batch_size, sheet, language, **opts):
        if registry.get(kind) is None:
            raise CommandError(f"unknown kind {kind!r}; one of: " + ", ".join(s.kind for s in registry.all_specs()))
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"no user {user!r}")
        verbose = opts.get("verbosity", 1) > 1

        def progress(n):
            if verbose:
                self.stderr.write(f"\r{n} rows", ending="")

        try:
            outcome = import_file(kind, file, user=account, dry_run=dry_run, batch_size=batch_size, sheet=sheet,
                                  policy=Policy.KEEP_GOOD if keep_good else Policy.ALL_OR_NOTHING,
                                  language=language, progress=progress)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from None
        b = outcome.batch
        out = self.stdout
        out.write(f"batch {b.pk} {b.uuid} status={b.status} rows={b.total} new={b.created_count} "
                  f"changed={b.changed_count} unchanged={b.unchanged_count} rejected={b.rejected_count}")
        if b.message:
            out.write(b.message)
        for notice in b.notices:
            out.write(f"notice: {notice}")
        for e in outcome.errors[:20]:
            out.write(f"row {e['row']}, {e['column']} = {e['value']!r}: {e['message']}")
        if b.error_file:
            out.write(f"rejected rows: {b.error_file.path}")
        if b.status in (Status.FAILED, Status.REJECTED):
            sys.exit(1)
