"""``doluong export KIND [--format csv|xlsx] [--output FILE] [--filter name=value ...] [--template]``."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from doluong.core import ui
from doluong.imports import export
from doluong.imports import spec as registry


class Command(BaseCommand):
    help = "Export one kind to CSV or XLSX in the columns the import reads back (or its empty template)."

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
        parser.add_argument("--output", "-o", help="file to write (default: standard output for CSV)")
        parser.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                            help="a filter of the list page, e.g. --filter activity=verification --filter q=can")
        parser.add_argument("--template", action="store_true", help="write the XLSX template instead")
        parser.add_argument("--language", default="vi")

    def handle(self, *args, kind, format, output, filter, template, language, **opts):
        spec = registry.get(kind)
        if spec is None:
            raise CommandError(f"unknown kind {kind!r}; one of: " + ", ".join(s.kind for s in registry.all_specs()))
        if template:
            if not output:
                raise CommandError("--template needs --output FILE.xlsx")
            export.write_template(spec, output, language)
            return
        qs = filtered(spec, filter)
        if format == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output FILE.xlsx")
            export.write_xlsx(spec, qs, output, language)
            return
        stream = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
        try:
            for chunk in export.csv_stream(spec, qs, language):
                stream.write(chunk)
        finally:
            if output:
                stream.close()


def filtered(spec, pairs):
    qs = spec.model._default_manager.all()
    model_ui = ui.get(spec.model)
    if not pairs:
        return qs
    data = QueryDict(mutable=True)
    for pair in pairs:
        name, _, value = pair.partition("=")
        data.appendlist(name, value)
    if model_ui is None:
        return qs.filter(**dict(data.items()))
    fs = model_ui.filterset(data, queryset=qs)
    if not fs.is_valid():
        raise CommandError(f"invalid filters: {fs.errors.as_text()}")
    return fs.qs
