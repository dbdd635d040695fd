"""Exports (any list, with its filters) and templates, in the columns the import reads back.

CSV is UTF-8 with a BOM (Excel opens it with the right accents), written row by row; XLSX is
written by xlsxwriter in constant-memory mode. Text that a spreadsheet would run as a formula
(=, +, -, @) gets a leading apostrophe, which the import strips again.
"""

import codecs
import csv
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from doluong.imports import values
from doluong.imports.spec import ImportSpec


def _number_text(value) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        text = format(value, "f")
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    if "." in text:
        head, tail = text.split(".")
        tail = tail.rstrip("0")
        if not tail:
            return head
        if len(tail) == 3:
            tail += "0"  # 1.234 would be ambiguous (Vietnamese thousands); 1.2340 is not
        text = f"{head}.{tail}"
    return text


def _cell(column, value, *, for_csv: bool):
    if value is None or value == "":
        return ""
    if column.choices is not None:
        return column.choices.label(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if for_csv else value
    if isinstance(value, Decimal | float | int):
        return _number_text(value) if for_csv else float(value)
    return values.neutralise(str(value))


def rows(spec: ImportSpec, queryset) -> Iterator[list]:
    """The header, then one list of cells per object (values as stored, in column order)."""
    paths = [c.export_path for c in spec.columns]
    for record in queryset.values_list(*paths).order_by(*spec.order_by).iterator(chunk_size=2000):
        yield list(record)


def header(spec: ImportSpec, language: str = "vi") -> list[str]:
    return [c.header(language) for c in spec.columns]


class _Echo:
    def write(self, value):
        return value


def csv_stream(spec: ImportSpec, queryset, language: str = "vi") -> Iterator[bytes]:
    with translation.override(language):
        writer = csv.writer(_Echo())
        yield codecs.BOM_UTF8 + writer.writerow(header(spec, language)).encode()
        cols = spec.columns
        buf = []
        for record in rows(spec, queryset):
            buf.append(writer.writerow([_cell(c, v, for_csv=True) for c, v in zip(cols, record, strict=True)]))
            if len(buf) >= 500:
                yield "".join(buf).encode()
                buf = []
        if buf:
            yield "".join(buf).encode()


def write_xlsx(spec: ImportSpec, queryset, path, language: str = "vi") -> None:
    import xlsxwriter

    with translation.override(language):
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_numbers": False, "strings_to_urls": False})
        sheet = book.add_worksheet(str(spec.label)[:31])
        bold = book.add_format({"bold": True})
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        sheet.write_row(0, 0, header(spec, language), bold)
        cols = spec.columns
        for i, record in enumerate(rows(spec, queryset), start=1):
            for j, (c, v) in enumerate(zip(cols, record, strict=True)):
                value = _cell(c, v, for_csv=False)
                if value == "":
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, float):
                    sheet.write_number(i, j, value)
                else:
                    sheet.write_string(i, j, value)
        book.close()


def xlsx_stream(spec: ImportSpec, queryset, language: str = "vi", chunk: int = 1 << 16) -> Iterator[bytes]:
    """XLSX is a zip: it is built in a temporary file (constant memory), then streamed and removed."""
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(spec, queryset, tmp, language)
        with open(tmp, "rb") as f:
            while data := f.read(chunk):
                yield data
    finally:
        os.unlink(tmp)


def write_template(spec: ImportSpec, path, language: str = "vi") -> None:
    """An empty sheet with the headers, an example row, drop-down lists for choices, and instructions."""
    import xlsxwriter

    with translation.override(language):
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet(str(spec.label)[:31])
        required = book.add_format({"bold": True, "bg_color": "#FFF2CC", "border": 1})
        optional = book.add_format({"bold": True, "border": 1})
        example = book.add_format({"italic": True, "font_color": "#7F7F7F"})
        for j, col in enumerate(spec.columns):
            sheet.write_string(0, j, col.header(language), required if col.required else optional)
            sheet.set_column(j, j, max(14, len(col.header(language)) + 2))
            if col.example:
                sheet.write_string(1, j, col.example, example)
            elif col.choices is not None:
                sheet.write_string(1, j, col.choices.labels(language)[0], example)
            if col.choices is not None:
                sheet.data_validation(1, j, 100_000, j, {
                    "validate": "list", "source": col.choices.labels(language),
                    "error_message": _("Choose a value from the list."), "error_type": "warning"})
        sheet.freeze_panes(1, 0)
        help_sheet = book.add_worksheet(_("Instructions")[:31])
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        help_sheet.set_column(0, 0, 34)
        help_sheet.set_column(1, 1, 12)
        help_sheet.set_column(2, 2, 90)
        lines = [
            _("Fill one row per object, from row 2 (replace the grey example row). Columns may be in any order; "
              "headers may be in Vietnamese or English, with or without accents."),
            _("Dates: dd/mm/yyyy (05/03/2024), d-m-yyyy or Excel dates. Numbers: 1234,5 or 1.234,5 or 1,234.5."),
            _("Importing the same file again changes nothing: rows are matched by their key columns and updated."),
            _("Yellow columns are required."),
        ]
        for i, line in enumerate(lines):
            help_sheet.write_string(i, 0, line)
        start = len(lines) + 1
        help_sheet.write_row(start, 0, [_("Column"), _("Required"), _("What to write")], bold)
        for i, col in enumerate(spec.columns, start=start + 1):
            notes = [str(col.help)] if col.help else []
            if col.choices is not None:
                notes.append(_("One of: %(values)s") % {"values": "; ".join(col.choices.labels(language))})
            if col.example:
                notes.append(_("Example: %(value)s") % {"value": col.example})
            help_sheet.write_string(i, 0, col.header(language), bold)
            help_sheet.write_string(i, 1, _("Yes") if col.required else "")
            help_sheet.write_string(i, 2, " ".join(notes), wrap)
        book.close()
