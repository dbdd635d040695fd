"""Reading a sample of net contents as people paste or upload it.

Pasted text: one value per line, or several separated by spaces, tabs, semicolons or commas. A
decimal comma is accepted when it cannot be read another way ("498,5" is 498.5); "500,499" could be
one number or two and is refused, as is "1.002,5" (a thousands point). A first line without digits
is taken as a header. Files: CSV or XLSX, the first column that holds numbers; a first row without
numbers is a header. Every refusal names the line (or row) and says why.
"""

import csv
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_VALUES = 10000
MAX_ERRORS = 10
_SEPARATORS = re.compile(r"[;\s]+")
_THOUSANDS_POINT = re.compile(r"^-?\d{1,3}(\.\d{3})+,\d+$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class SampleError(ValueError):
    """A value that cannot be read; ``args[0]`` says why."""


def parse_number(text: str) -> Decimal:
    """One value written by a person: "498.5", "498,5" (decimal comma); refuses ambiguous forms."""
    token = text.strip()
    if _THOUSANDS_POINT.match(token):
        raise SampleError(_("“%(v)s” uses a point between thousands; write it without it (e.g. %(ex)s).") % {
            "v": token, "ex": token.replace(".", "")})
    if token.count(",") == 1 and "." not in token:
        whole, frac = token.split(",")
        if len(frac) == 3 and whole.lstrip("+-") not in ("", "0"):
            raise SampleError(_("“%(v)s” could be one number or two; write %(a)s.%(b)s or %(a)s; %(b)s.") % {
                "v": token, "a": whole, "b": frac})
        token = f"{whole}.{frac}"
    if not _PLAIN.match(token):
        raise SampleError(_("“%(v)s” is not a number.") % {"v": text.strip()})
    try:
        value = Decimal(token)
    except InvalidOperation:
        raise SampleError(_("“%(v)s” is not a number.") % {"v": text.strip()}) from None
    if value < 0:
        raise SampleError(_("“%(v)s” is negative; a net content cannot be.") % {"v": text.strip()})
    return value


def _tokens(line: str) -> list[str]:
    """The values written on one line (see the module docstring for the separators)."""
    out = []
    for chunk in _SEPARATORS.split(line.strip()):
        chunk = chunk.strip(",")
        if not chunk:
            continue
        if "," in chunk and (("." in chunk and not _THOUSANDS_POINT.match(chunk)) or chunk.count(",") > 1):
            out.extend(part for part in chunk.split(",") if part)
        else:
            out.append(chunk)
    return out


def _finish(values: list[Decimal], errors: list[str]) -> list[Decimal]:
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(_("… and %(n)d more.") % {"n": len(errors) - MAX_ERRORS})
        raise ValidationError(shown)
    if not values:
        raise ValidationError(_("The sample has no values."))
    if len(values) > MAX_VALUES:
        raise ValidationError(_("The sample has %(n)d values; at most %(max)d are accepted.") % {
            "n": len(values), "max": MAX_VALUES})
    return values


def parse_sample_text(text: str) -> list[Decimal]:
    """The values of a pasted sample; ValidationError listing each bad line with its number."""
    values: list[Decimal] = []
    errors: list[str] = []
    first = True
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        if first and not re.search(r"\d", line):
            first = False
            continue  # a header such as "Khối lượng tịnh (g)"
        first = False
        for token in _tokens(line):
            try:
                values.append(parse_number(token))
            except SampleError as exc:
                errors.append(_("Line %(line)d: %(why)s") % {"line": number, "why": exc.args[0]})
    return _finish(values, errors)


def _cell_value(cell) -> Decimal | None:
    """A spreadsheet cell as a number; None when empty; SampleError when text that is not a number."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        raise SampleError(_("“%(v)s” is not a number.") % {"v": cell})
    if isinstance(cell, int | float):
        value = Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell)
        if value < 0:
            raise SampleError(_("“%(v)s” is negative; a net content cannot be.") % {"v": cell})
        return value
    return parse_number(str(cell))


def _first_numeric_column(rows: list[list]) -> int | None:
    for row in rows:
        for i, cell in enumerate(row):
            try:
                if _cell_value(cell) is not None:
                    return i
            except SampleError:
                continue
    return None


def parse_rows(rows: list[list], label: str) -> list[Decimal]:
    """Values of the first numeric column of ``rows``; a first row without a number is a header."""
    column = _first_numeric_column(rows)
    if column is None:
        raise ValidationError(_("The file has no column of numbers."))
    values: list[Decimal] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        cell = row[column] if column < len(row) else None
        try:
            value = _cell_value(cell)
        except SampleError as exc:
            if number == 1:
                continue  # header
            errors.append(_("%(where)s %(line)d: %(why)s") % {"where": label, "line": number, "why": exc.args[0]})
            continue
        if value is not None:
            values.append(value)
    return _finish(values, errors)


def parse_sample_file(upload) -> list[Decimal]:
    """Values from an uploaded CSV or XLSX file (``upload``: a Django UploadedFile)."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")) or data[:2] == b"PK":
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
            rows = sheet.to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise ValidationError(_("The spreadsheet could not be read (%(error)s).") % {"error": exc}) from None
        return parse_rows([list(r) for r in rows], _("Row"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(_("The file is neither a spreadsheet nor UTF-8 text (CSV).")) from None
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") and ";" in sample else (
        "\t" if "\t" in sample else ",")
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return parse_rows(rows, _("Row"))
