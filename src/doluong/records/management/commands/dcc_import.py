"""``doluong dcc_import FILE [--user USERNAME] [--provider ID]``: a DCC 3.3.0 file as a calibration record."""

from django.core.management.base import BaseCommand, CommandError

from doluong.core.changelog import change_context
from doluong.orgs.models import Organization
from doluong.records import dcc
from doluong.records.management.commands._common import acting_user


class Command(BaseCommand):
    help = "Validate a Digital Calibration Certificate (PTB DCC 3.3.0) offline and record it as a calibration."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="act as this user (access rules apply); default: the system, as an officer")
        parser.add_argument("--provider", type=int, help="id of the provider (default: from the DCC)")

    def handle(self, file, user=None, provider=None, **options):
        with open(file, "rb") as fh:
            data = fh.read()
        actor = acting_user(user)
        chosen = Organization.objects.filter(pk=provider).first() if provider else None
        if provider and chosen is None:
            raise CommandError(f"no organisation {provider}")
        try:
            with change_context(actor if getattr(actor, "pk", None) else None):
                record = dcc.import_dcc(data, actor, provider=chosen)
        except dcc.DCCError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"created record {record.pk}: {record}")
