"""Reading spreadsheets safely: XLSX (any sheet) and CSV (UTF-8 with or without BOM, or cp1258).

:func:`open_table` looks at the file's bytes (never at its name), checks the limits below and
returns a :class:`Table` whose ``rows`` iterator yields lists of raw cells. Anything hostile or
broken raises :class:`FileProblem` with a message for people, before a row is read where possible.

Limits (settings ``DOLUONG_IMPORT_LIMITS`` may override any of them):
``max_columns`` 200, ``max_cell`` 32 767 characters (Excel's own limit), ``max_uncompressed``
512 MiB of XML in an XLSX, ``max_ratio`` 200 (uncompressed / compressed, per member above 1 MiB).
CSV is streamed (memory does not grow with the file); an XLSX sheet is bounded by
``max_uncompressed``.
"""

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_noop

DEFAULT_LIMITS = {
    "max_columns": 200,
    "max_cell": 32_767,
    "max_uncompressed": 512 * 1024 * 1024,
    "max_ratio": 200,
}
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def limits() -> dict:
    return {**DEFAULT_LIMITS, **getattr(settings, "DOLUONG_IMPORT_LIMITS", {})}


class FileProblem(Exception):
    """The file as a whole cannot be imported. ``args[0]`` is English, marked with gettext_noop;
    ``params`` fill its placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class Table:
    format: str  # "xlsx" or "csv"
    header: list[str]
    rows: Iterator[list]  # raw cells of each data row, in order
    first_row: int = 2  # spreadsheet row number of the first data row
    notices: list[tuple[str, dict]] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""


def open_table(path, *, sheet: str | int | None = None, header_match=None) -> Table:
    """Open ``path`` (a file path) as a table.

    ``header_match(cells) -> int`` scores a candidate header row; the first sheet (XLSX) whose
    first rows contain a row scoring > 0 is used unless ``sheet`` names one.
    """
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, sheet, header_match)
    if head.startswith(CFB_MAGIC):
        with open(path, "rb") as f:
            blob = f.read(1 << 20)
        if "EncryptedPackage".encode("utf-16-le") in blob or b"EncryptedPackage" in blob:
            raise FileProblem(gettext_noop("The file is protected by a password. Remove the password in Excel "
                                           "(File → Info → Protect Workbook) and upload it again."))
        raise FileProblem(gettext_noop("This is an old Excel 97–2003 file (.xls). Save it as .xlsx or CSV "
                                       "and upload it again."))
    if head.startswith(b"PK"):
        raise FileProblem(gettext_noop("The file is damaged or is not a spreadsheet (XLSX or CSV)."))
    return _open_csv(path)


# --- XLSX -----------------------------------------------------------------------------------------

def _check_zip(path) -> None:
    lim = limits()
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                raise FileProblem(gettext_noop("The file is damaged or is not a spreadsheet (XLSX or CSV)."))
            if any(i.flag_bits & 0x1 for i in infos):
                raise FileProblem(gettext_noop("The file is protected by a password. Remove the password in Excel "
                                               "and upload it again."))
            total = sum(i.file_size for i in infos)
            if total > lim["max_uncompressed"]:
                raise FileProblem(gettext_noop("The file is too large once unpacked (%(size)s MB; at most %(max)s "
                                               "MB). Split it or save it as CSV."),
                                  size=total // 2**20, max=lim["max_uncompressed"] // 2**20)
            for i in infos:
                if i.file_size > 2**20 and i.file_size > lim["max_ratio"] * max(i.compress_size, 1):
                    raise FileProblem(gettext_noop("The file unpacks to far more than its size (a \"zip bomb\"); "
                                                   "it was not opened."))
    except zipfile.BadZipFile:
        raise FileProblem(gettext_noop("The file is damaged or cut off (not a complete XLSX file).")) from None


def _open_xlsx(path, sheet, header_match) -> Table:
    import python_calamine as pc

    _check_zip(path)
    lim = limits()
    try:
        workbook = pc.CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        chosen = [sheet if isinstance(sheet, str) else names[sheet]] if sheet is not None else names
        for name in chosen:
            data = workbook.get_sheet_by_name(name)
            if data.width > lim["max_columns"] and data.height:
                raise FileProblem(gettext_noop("The sheet %(sheet)s has %(n)s columns; at most %(max)s are read."),
                                  sheet=name, n=data.width, max=lim["max_columns"])
            rows = data.iter_rows()
            start = data.start[0] if data.start else 0
            for offset, cells in enumerate(rows):
                if offset >= 20:
                    break
                if header_match is None or header_match(cells) > 0:
                    header = [str(c).strip() if c not in (None, "") else "" for c in cells]
                    return Table(format="xlsx", header=header, rows=_xlsx_rows(rows, lim),
                                 first_row=start + offset + 2, sheet=name)
    except FileProblem:
        raise
    except pc.PasswordError:
        raise FileProblem(gettext_noop("The file is protected by a password. Remove the password in Excel "
                                       "and upload it again.")) from None
    except Exception:  # calamine raises several error types for broken files
        raise FileProblem(gettext_noop("The file is damaged or cut off (not a complete XLSX file).")) from None
    raise FileProblem(gettext_noop("No sheet has the expected column headers. Download the template to see them."))


def _xlsx_rows(rows, lim) -> Iterator[list]:
    max_cell = lim["max_cell"]
    for cells in rows:
        for c in cells:
            if isinstance(c, str) and len(c) > max_cell:
                raise FileProblem(gettext_noop("A cell holds more than %(max)s characters."), max=max_cell)
        yield cells


# --- CSV ------------------------------------------------------------------------------------------

def _open_csv(path) -> Table:
    lim = limits()
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    if not sample.strip():
        raise FileProblem(gettext_noop("The file is empty."))
    if b"\x00" in sample:
        raise FileProblem(gettext_noop("This is not a spreadsheet: upload an XLSX or CSV file."))
    encoding = _detect_encoding(path)
    stream = open(path, encoding=encoding, errors="strict", newline="")  # noqa: SIM115 (closed by _csv_rows)
    try:
        first = stream.readline(lim["max_cell"] * 8)
        if first and not first.endswith(("\n", "\r")) and len(first) >= lim["max_cell"] * 8:
            raise FileProblem(gettext_noop("The header line is too long: too many columns or a huge cell."))
    except UnicodeDecodeError:
        stream.close()
        raise FileProblem(gettext_noop("The file's text encoding is not readable; save it as CSV UTF-8.")) from None
    except FileProblem:
        stream.close()
        raise
    delimiter = max((";", ",", "\t"), key=first.count)
    if first.count(delimiter) + 1 > lim["max_columns"]:
        stream.close()
        raise FileProblem(gettext_noop("The file has %(n)s columns; at most %(max)s are read."),
                          n=first.count(delimiter) + 1, max=lim["max_columns"])
    header = next(csv.reader([first], delimiter=delimiter))
    notices = []
    if encoding == "cp1258":
        notices.append((gettext_noop("The file was read in the Vietnamese Windows encoding (cp1258)."), {}))
    return Table(format="csv", header=[h.strip() for h in header], rows=_csv_rows(stream, delimiter, lim),
                 encoding=encoding, delimiter=delimiter, notices=notices)


def _detect_encoding(path) -> str:
    """UTF-8 (BOM or not) when the whole file decodes as UTF-8, else cp1258 when it decodes as that."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        bom = f.read(3) == codecs.BOM_UTF8
        f.seek(0)
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError:
            pass
        f.seek(0)
        cp = codecs.getincrementaldecoder("cp1258")()
        try:
            while chunk := f.read(1 << 20):
                cp.decode(chunk)
        except UnicodeDecodeError:
            raise FileProblem(gettext_noop("The file's text encoding is not readable; save it as CSV UTF-8.")) from None
    return "cp1258"


def _csv_rows(stream: io.TextIOBase, delimiter: str, lim) -> Iterator[list]:
    old = csv.field_size_limit()
    csv.field_size_limit(lim["max_cell"])
    try:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        max_columns = lim["max_columns"]
        for cells in reader:
            if len(cells) > max_columns:
                raise FileProblem(gettext_noop("Line %(line)s has %(n)s columns; at most %(max)s are read."),
                                  line=reader.line_num, n=len(cells), max=max_columns)
            yield cells
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise FileProblem(gettext_noop("A cell holds more than %(max)s characters."), max=lim["max_cell"]) from None
        raise FileProblem(gettext_noop("The file is damaged or cut off near line %(line)s."),
                          line=reader.line_num) from None
    except UnicodeDecodeError:
        raise FileProblem(gettext_noop("The file's text encoding is not readable; save it as CSV UTF-8.")) from None
    finally:
        csv.field_size_limit(old)
        stream.close()
