"""``doluong dcc_export RECORD_ID [-o FILE] [--user USERNAME]``: a calibration record as DCC 3.3.0 XML."""

import sys

from django.core.management.base import BaseCommand, CommandError

from doluong.core import access
from doluong.providers.models import Activity
from doluong.records import dcc
from doluong.records.management.commands._common import acting_user
from doluong.records.models import ServiceRecord


class Command(BaseCommand):
    help = "Export a calibration record as a Digital Calibration Certificate (PTB DCC 3.3.0), validated offline."

    def add_arguments(self, parser):
        parser.add_argument("record_id", type=int)
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--user", help="act as this user (access rules apply); default: the system")

    def handle(self, record_id, output=None, user=None, **options):
        qs = access.restrict(ServiceRecord.objects.select_related("instrument__kind", "instrument__owner", "provider"),
                             acting_user(user))
        record = qs.filter(pk=record_id).first()
        if record is None:
            raise CommandError(f"no record {record_id} (or not visible to this user)")
        if record.activity != Activity.CALIBRATION:
            raise CommandError(f"record {record_id} is a {record.activity}, not a calibration")
        xml = dcc.export_record(record)
        errors = dcc.validation_errors(xml)
        if errors:
            raise CommandError("the exported DCC does not validate: " + "; ".join(errors))
        if output:
            with open(output, "wb") as fh:
                fh.write(xml)
            self.stderr.write(f"wrote {output} ({len(xml)} bytes, valid DCC 3.3.0)")
        else:
            sys.stdout.buffer.write(xml)
