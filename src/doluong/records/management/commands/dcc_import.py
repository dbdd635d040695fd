"""``doluong dcc_import FILE [--user USERNAME] [--provider ID] [--instrument ID] [--preview] [--accept-deviations]``.

A DCC 3.x file as a calibration record, through the write path. It prints what is (or, with ``--preview``,
would be) stored: quantities, U, k, units, points. Importing the same certificate again changes nothing, or
updates the record when the file's values differ. A file with schema findings (another 3.x version than the
shipped 3.3.0 schema, or deviations from the schema) is imported only with ``--accept-deviations``.
"""

from django.core.management.base import BaseCommand, CommandError

from doluong.core.changelog import change_context
from doluong.instruments.models import Instrument
from doluong.orgs.models import Organization
from doluong.records import dcc
from doluong.records.management.commands._common import acting_user


class Command(BaseCommand):
    help = ("Validate a Digital Calibration Certificate (PTB DCC 3.x) offline, show what it gives and record it "
            "as a calibration.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="act as this user (access rules apply); default: the system, as an officer")
        parser.add_argument("--provider", type=int, help="id of the provider (default: from the DCC)")
        parser.add_argument("--instrument", type=int, help="id of the instrument (default: by the DCC's serial number)")
        parser.add_argument("--preview", action="store_true", help="show what would be stored; store nothing")
        parser.add_argument("--accept-deviations", action="store_true",
                            help="import although the schema check has findings (they are kept in the notes)")

    def handle(self, file, user=None, provider=None, instrument=None, preview=False, accept_deviations=False,
               **options):
        with open(file, "rb") as fh:
            data = fh.read()
        actor = acting_user(user)
        chosen = Organization.objects.filter(pk=provider).first() if provider else None
        if provider and chosen is None:
            raise CommandError(f"no organisation {provider}")
        item = Instrument.objects.filter(pk=instrument).first() if instrument else None
        if instrument and item is None:
            raise CommandError(f"no instrument {instrument}")
        try:
            with change_context(actor if getattr(actor, "pk", None) else None):
                if preview:
                    outcome = dcc.preview_import(data, actor, provider=chosen, instrument=item)
                else:
                    outcome = dcc.run_import(data, actor, provider=chosen, instrument=item,
                                             accept_deviations=accept_deviations)
        except dcc.DCCError as exc:
            raise CommandError(str(exc)) from None
        for line in dcc.summary_lines(outcome):
            self.stdout.write(line)
        record = outcome.record
        if preview:
            self.stdout.write("preview only: nothing stored")
        elif outcome.action == "created":
            self.stdout.write(f"created record {record.pk}: {record}")
        elif outcome.action == "updated":
            self.stdout.write(f"updated record {record.pk}: {record}")
        else:
            self.stdout.write(f"record {record.pk} unchanged: {record} (this certificate was imported before)")
