"""Reading samples as people paste or upload them; refusals name the line and say why."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from doluong.inspections.sample import parse_sample_file, parse_sample_text

D = Decimal


def test_vietnamese_decimal_commas_one_per_line():
    assert parse_sample_text("498,5\n499,0\n\n500,25\n") == [D("498.5"), D("499.0"), D("500.25")]


def test_separators_spaces_tabs_semicolons_and_commas_between_dotted_values():
    assert parse_sample_text("498.5; 499.1 500\t501") == [D("498.5"), D("499.1"), D("500"), D("501")]
    assert parse_sample_text("498.5,499.1,500.2") == [D("498.5"), D("499.1"), D("500.2")]
    assert parse_sample_text("498,5; 499,1") == [D("498.5"), D("499.1")]
    assert parse_sample_text("498, 499, 500") == [D(498), D(499), D(500)]


def test_a_header_line_is_skipped():
    assert parse_sample_text("Khối lượng tịnh (g)\n498,5\n501") == [D("498.5"), D(501)]


def test_bad_lines_are_reported_with_their_number_and_why():
    with pytest.raises(ValidationError) as exc:
        parse_sample_text("498,5\n49x\n500\n500,499\n1.002,5\n-3")
    messages = exc.value.messages
    assert messages[0] == "Line 2: “49x” is not a number."
    assert messages[1].startswith("Line 4: “500,499” could be one number or two")
    assert messages[2].startswith("Line 5: “1.002,5” uses a point between thousands")
    assert messages[3] == "Line 6: “-3” is negative; a net content cannot be."


def test_empty_sample_is_refused():
    with pytest.raises(ValidationError, match="no values"):
        parse_sample_text("\n \n")


def test_csv_first_numeric_column_with_header_and_decimal_commas():
    data = "STT;Khối lượng (g)\n1;498,5\n2;501,0\n3;499,9\n".encode()
    values = parse_sample_file(SimpleUploadedFile("mau.csv", data, content_type="text/csv"))
    assert values == [D(1), D(2), D(3)]  # the first numeric column is the row number here…
    data = "Khối lượng (g);Ghi chú\n498,5;\n501,0;bao rách\n".encode()
    assert parse_sample_file(SimpleUploadedFile("mau.csv", data)) == [D("498.5"), D("501.0")]


def test_csv_bad_row_is_reported_with_its_row_number():
    data = b"net\n498.5\n501\nabc\n"
    with pytest.raises(ValidationError) as exc:
        parse_sample_file(SimpleUploadedFile("mau.csv", data))
    assert exc.value.messages == ["Row 4: “abc” is not a number."]


def xlsx(rows) -> bytes:
    """A minimal .xlsx with one sheet (inline strings and numbers), enough for calamine."""
    def cell(ref, v):
        if isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        return f'<c r="{ref}"><v>{v}</v></c>'
    sheet_rows = "".join(
        f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(r) if v is not None) + "</row>"
        for i, r in enumerate(rows, start=1))
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',  # noqa: E501
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',  # noqa: E501
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Mau" sheetId="1" r:id="rId1"/></sheets></workbook>',  # noqa: E501
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',  # noqa: E501
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + sheet_rows + "</sheetData></worksheet>",  # noqa: E501
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_xlsx_first_numeric_column():
    data = xlsx([["Gói", "Khối lượng (g)"], ["A", 498.5], ["B", 501], ["C", "499,7"]])
    values = parse_sample_file(SimpleUploadedFile("mau.xlsx", data))
    assert values == [D("498.5"), D("501.0"), D("499.7")]


def test_xlsx_bad_cell_is_reported_with_its_row():
    data = xlsx([["Khối lượng (g)"], [498.5], ["thiếu"], [500]])
    with pytest.raises(ValidationError) as exc:
        parse_sample_file(SimpleUploadedFile("mau.xlsx", data))
    assert exc.value.messages == ["Row 3: “thiếu” is not a number."]
