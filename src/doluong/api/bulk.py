"""Bulk submission: many rows at once, through the spreadsheet import engine (:mod:`doluong.imports.engine`).

``POST /api/<app>/<model>/bulk/`` takes a JSON array of rows (keys: the import's column names or headers,
e.g. ``certificate_number``, ``serial_number``) or a CSV / XLSX file in the multipart field ``file``. The rows
are checked exactly as a spreadsheet import checks them (same steps, rules, access check and messages) and
written all or nothing, as one import batch (revertible on the web like any other). ``?dry_run=1`` checks
without writing. The answer names the batch and lists the rejected rows: ``row`` as in a spreadsheet
(the header is row 1), and for a JSON array ``index``, the position in the array.
"""

import dataclasses
import io

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from doluong.api.throttling import BulkRateThrottle, TokenRateThrottle
from doluong.core import access
from doluong.imports import engine, jobs
from doluong.imports import spec as import_specs
from doluong.imports.models import ImportBatch, Policy, Status

XLSX_MAGIC = b"PK"
MAX_CELL = 32_767  # characters an XLSX cell holds


def spec_for(model):
    return import_specs.for_model(model)


def max_rows() -> int:
    return getattr(settings, "DOLUONG_API_BULK_MAX_ROWS", 20_000)


def rows_to_xlsx(rows: list) -> bytes:
    """A JSON array of objects as a one-sheet workbook: numbers stay numbers, text stays text (never a formula)."""
    import xlsxwriter

    problems = []
    header: dict[str, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append({"index": i, "row": i + 2, "column": "", "value": "",
                             "message": _("Each row is a JSON object of column → value.")})
            continue
        for key, value in row.items():
            header.setdefault(str(key), len(header))
            if isinstance(value, dict | list) or (isinstance(value, str) and len(value) > MAX_CELL):
                problems.append({"index": i, "row": i + 2, "column": str(key), "value": "",
                                 "message": _("A cell holds one value: text, a number, true or false.")})
    if problems:
        raise ApiValidationError({"errors": problems})
    if not header:
        raise ApiValidationError({"rows": [_("Send at least one row.")]})
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                     "strings_to_urls": False})
    sheet = book.add_worksheet()
    for name, col in header.items():
        sheet.write_string(0, col, name)
    for r, row in enumerate(rows, start=1):
        for key, value in row.items():
            col = header[str(key)]
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    book.close()
    return out.getvalue()


BulkResult = inline_serializer("BulkResult", {
    "batch": serializers.IntegerField(help_text=gettext_lazy("The import batch, also shown on the web (url).")),
    "uuid": serializers.UUIDField(),
    "url": serializers.CharField(),
    "status": serializers.ChoiceField(choices=Status.choices),
    "dry_run": serializers.BooleanField(),
    "created": serializers.IntegerField(),
    "changed": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(),
    "rejected": serializers.IntegerField(),
    "message": serializers.CharField(),
    "notices": serializers.ListField(child=serializers.CharField()),
    "errors": serializers.ListField(child=inline_serializer("BulkRowError", {
        "row": serializers.IntegerField(), "index": serializers.IntegerField(required=False),
        "column": serializers.CharField(), "value": serializers.CharField(), "message": serializers.CharField(),
    })),
})


class BulkMixin:
    @extend_schema(
        operation_id=None,
        description=gettext_lazy("Many rows at once, checked and written as a spreadsheet import (all or nothing): "
                                 "a JSON array of rows, or a CSV or XLSX file in the multipart field “file”."),
        request={"application/json": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                 "multipart/form-data": inline_serializer("BulkFile", {"file": serializers.FileField()})},
        parameters=[OpenApiParameter("dry_run", bool, description=gettext_lazy("Check the rows, write nothing."))],
        responses={201: BulkResult, 200: BulkResult, 400: BulkResult},
    )
    @action(detail=False, methods=["post"], url_path="bulk", parser_classes=(JSONParser, MultiPartParser),
            throttle_classes=(TokenRateThrottle, BulkRateThrottle), filter_backends=(), pagination_class=None)
    def bulk(self, request, *args, **kwargs):
        model = self.model_api.ui.model
        spec = spec_for(model)
        user = request.user
        if not (access.can(user, model, "add") or access.can(user, model, "change")):
            raise PermissionDenied(_("You may not import %(what)s.") % {"what": model._meta.verbose_name_plural})
        dry_run = request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        index_rows = False
        if upload is not None:
            content, name = upload.read(), upload.name or "upload"
            if not content:
                raise ApiValidationError({"file": [_("The file is empty.")]})
        elif isinstance(request.data, list):
            if len(request.data) > max_rows():
                raise ApiValidationError({"rows": [_("At most %(n)d rows per submission; split the rows.")
                                                   % {"n": max_rows()}]})
            content, name, index_rows = rows_to_xlsx(request.data), "api.xlsx", True
        else:
            raise ApiValidationError({"rows": [_("Send a JSON array of rows, or a CSV or XLSX file in the field "
                                                 "“file”.")]})
        if not name.lower().endswith((".csv", ".xlsx", ".txt")):
            name += ".xlsx" if content.startswith(XLSX_MAGIC) else ".csv"
        # New objects made here say so: a record's source is "API", not "Import".
        if "source" in spec.new_defaults and "api" in dict(model._meta.get_field("source").choices or ()):
            spec = dataclasses.replace(spec, new_defaults={**spec.new_defaults, "source": "api"})
        batch = ImportBatch(kind=spec.kind, file_name=name[:255], user=user, user_name=user.get_username(),
                            dry_run=dry_run, policy=Policy.ALL_OR_NOTHING, status=Status.PENDING,
                            content_type=ContentType.objects.get_for_model(model))
        batch.file.save(name, ContentFile(content), save=False)
        batch.total = jobs.estimate_rows(batch.file.path)
        if upload is not None and batch.total > max_rows():
            raise ApiValidationError({"file": [_("At most %(n)d rows per submission; split the rows.")
                                               % {"n": max_rows()}]})
        batch.save()
        try:
            outcome = engine.Importer(spec, user=user, policy=Policy.ALL_OR_NOTHING, dry_run=dry_run,
                                      language=translation.get_language(), batch=batch).run(
                batch.file.path, file_name=name)
        except engine.ImportRefused as exc:
            raise PermissionDenied(str(exc)) from None
        b = outcome.batch
        errors = []
        for e in outcome.errors:
            e = {k: e.get(k, "") for k in ("row", "column", "value", "message")}
            if index_rows and isinstance(e["row"], int):
                e["index"] = e["row"] - 2
            errors.append(e)
        body = {
            "batch": b.pk, "uuid": str(b.uuid), "url": reverse("imports:batch", kwargs={"pk": b.pk}),
            "status": b.status, "dry_run": b.dry_run, "created": b.created_count, "changed": b.changed_count,
            "unchanged": b.unchanged_count, "rejected": b.rejected_count, "message": b.message,
            "notices": list(b.notices or []), "errors": errors,
        }
        if b.status == Status.DONE:
            code = status.HTTP_201_CREATED
        elif b.status == Status.PREVIEWED:
            code = status.HTTP_200_OK
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
