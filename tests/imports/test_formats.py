import datetime as dt
import os
import signal
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doluong.imports import values
from doluong.imports.models import Status
from doluong.instruments.models import Instrument
from doluong.records.models import ServiceRecord
from tests.imports.conftest import RECORD_HEADER, record_rows, run, write

pytestmark = pytest.mark.django_db


# --- values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["05/03/2024", "5-3-2024", "5.3.2024", "2024-03-05", 45356, 45356.0, "45356",
                                 dt.date(2024, 3, 5), dt.datetime(2024, 3, 5, 10, 0)])
def test_dates(raw):
    assert values.date(raw) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("raw,expected", [("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1234,5", "1234.5"),
                                          ("0,125", "0.125"), ("1.234.567", "1234567"), ("1 234,5", "1234.5"),
                                          (12.5, "12.5"), (3, "3"), ("-2,5", "-2.5"),
                                          ("1,234", "1.234"), ("10,006", "10.006"), ("2.5025", "2.5025"),
                                          ("1,5E-3", "0.0015"), ("2e3", "2000")])
def test_numbers(raw, expected):
    assert values.decimal(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["1.234", "10.006", "abc", "1,2,3"])
def test_ambiguous_or_bad_numbers(raw):
    with pytest.raises(values.ValueProblem):
        values.decimal(raw)


def test_choices_vietnamese_with_or_without_accents_or_english():
    from doluong.records.models import Result

    choice = values.Choice(Result)
    assert choice("Đạt") == choice("dat") == choice("PASS") == choice("pass") == "pass"
    assert choice("Không đạt") == choice("khong dat") == choice("Fail") == "fail"


def to_cp1258(text: str) -> bytes:
    """As Windows writes Vietnamese: precomposed where cp1258 has the letter, else base + combining tone."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            shape = "".join(m for m in d[1:] if m in "\u0302\u0306\u031b")
            tones = "".join(m for m in d[1:] if m not in shape)
            out += unicodedata.normalize("NFC", d[0] + shape).encode("cp1258") + tones.encode("cp1258")
    return out


# --- files ----------------------------------------------------------------------------------------

def test_csv_bom_semicolon_english_headers_any_order_extra_column(tmp_path, world):
    tax = world.owner.tax_code
    text = ("Serial number;Certificate number;Provider code;Owner tax code;Instrument kind code;Date;Result;Màu\n"
            f"SN-001;GCN-1;TTKD-YB;{tax};CAN-OTO;5-3-2024;dat;xanh\n")
    path = write(tmp_path, "r.csv", "\ufeff" + text)
    out = run("records", path)
    assert out.batch.created_count == 1, out.errors
    assert any("Màu" in n for n in out.batch.notices)


def test_cp1258(tmp_path, world):
    lines = [RECORD_HEADER, *record_rows(world, n=2, result="Không đạt")]
    path = tmp_path / "r.csv"
    path.write_bytes(to_cp1258("\r\n".join(lines) + "\r\n"))
    out = run("records", path)
    assert out.batch.created_count == 2, (out.errors, out.batch.message)
    assert ServiceRecord.objects.filter(result="fail").count() == 2


def test_xlsx_any_sheet_excel_dates(tmp_path, world):
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Ghi chú").write(0, 0, "hello")
    sheet = book.add_worksheet("Dữ liệu")
    sheet.write(0, 0, "Báo cáo tháng 3")  # a title row above the headers
    sheet.write_row(1, 0, RECORD_HEADER.split(","))
    fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    for i, row in enumerate(record_rows(world, n=3), start=2):
        cells = row.split(",")
        sheet.write_row(i, 0, cells[:5])
        sheet.write_datetime(i, 5, dt.datetime(2024, 3, 5), fmt)
        sheet.write(i, 6, cells[6])
    sheet.write_row(5, 0, [*record_rows(world, n=1, start=9)[0].split(",")[:5], 45356, "Đạt"])  # serial number
    book.close()
    out = run("records", path)
    assert out.batch.created_count == 4, (out.errors, out.batch.message)
    assert set(ServiceRecord.objects.values_list("performed_on", flat=True)) == {dt.date(2024, 3, 5)}


@pytest.mark.parametrize("name,content,expect", [
    ("junk.csv", b"\x00\x01\x02binary\x00" * 100, "not a spreadsheet"),
    ("empty.csv", b"", "empty"),
    ("trunc.xlsx", None, "damaged"),
    ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 100, "damaged"),
    ("protected.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 600,
     "password"),
    ("bad-enc.csv", b"a,b\n\x81\x8d\x8f\x90\n", "encoding"),
    ("wide.csv", (",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode(), "columns"),
    ("bigcell.csv", None, "characters"),
    ("cut.csv", None, "cut off"),
])
def test_hostile_files_change_nothing(tmp_path, world, name, content, expect):
    path = tmp_path / name
    if name == "trunc.xlsx":
        good = tmp_path / "good.xlsx"
        book = xlsxwriter.Workbook(str(good))
        book.add_worksheet().write_row(0, 0, RECORD_HEADER.split(","))
        book.close()
        content = good.read_bytes()[:-200]
    elif name == "bigcell.csv":
        content = (RECORD_HEADER + "\n" + record_rows(world, n=1)[0] + ",\"" + "x" * 10_000_000 + "\"\n").encode()
    elif name == "cut.csv":
        content = (RECORD_HEADER + "\n" + record_rows(world, n=1)[0] + "\n" + 'TTKD-YB,"GCN-9').encode()
    path.write_bytes(content)
    before = ServiceRecord.objects.count()
    out = run("records", path)
    assert out.batch.status == Status.FAILED
    assert expect in out.batch.message.lower(), out.batch.message
    assert ServiceRecord.objects.count() == before


def test_zip_bomb_is_refused(tmp_path, world):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    out = run("records", path)
    assert out.batch.status == Status.FAILED and "bomb" in out.batch.message


def test_missing_required_columns(tmp_path, world):
    out = run("records", write(tmp_path, "r.csv", "Số giấy chứng nhận\nGCN-1\n"))
    assert out.batch.status == Status.FAILED and "missing" in out.batch.message


def test_vietnamese_messages(tmp_path, world):
    rows = record_rows(world, n=1, day="05/03/2017")
    out = run("records", write(tmp_path, "r.csv", "\n".join([RECORD_HEADER, *rows])), language="vi")
    assert out.errors[0]["message"].startswith("Vào ngày 05/03/2017")
    assert out.errors[0]["column"] == "Ngày kiểm định" and out.errors[0]["row"] == 2


# --- queries do not grow with rows ----------------------------------------------------------------

def test_queries_do_not_grow_with_rows(tmp_path, world):
    def count(n, start):
        path = write(tmp_path, f"q{n}.csv", "\n".join([RECORD_HEADER, *record_rows(world, n=n, start=start)]))
        with CaptureQueriesContext(connection) as ctx:
            out = run("records", path, batch_size=1000)
        assert out.batch.created_count == n
        return len(ctx.captured_queries)

    assert count(10, 1) == count(400, 100)


# --- instruments and organisations -----------------------------------------------------------------

def test_instruments_and_organisations(tmp_path, world, geo_map):
    from doluong.orgs.models import Organization
    from tests.factories import valid_tax_code

    tax = valid_tax_code(900)
    orgs = write(tmp_path, "o.csv", "Tên tổ chức;Mã số thuế;Loại hình sở hữu;Mã ĐVHC;Bản đồ\n"
                                    f"Công ty Mới;{tax};Khu vực kinh tế tư nhân;4252;VN-3L\n"
                                    "Công ty Sai;0100109107;Khu vực kinh tế tư nhân;;\n")
    out = run("organizations", orgs)
    assert out.batch.rejected_count == 1 and "check digit" in out.errors[0]["message"]
    out = run("organizations", orgs, policy="keep_good")
    assert Organization.objects.get(tax_code=tax).unit == geo_map.old_commune
    ins = write(tmp_path, "i.csv", "Mã số thuế chủ sở hữu,Mã loại phương tiện,Số sản xuất,Phạm vi đo,"
                                   "Đơn vị hành chính\n"
                                   f"{tax},CAN-OTO,N-1,60 tấn,Phường Yên Bái\n{world.owner.tax_code},CAN-OTO,SN-001,"
                                   "80 tấn,phuong yen bai\n")
    out = run("instruments", ins)
    assert (out.batch.created_count, out.batch.changed_count) == (1, 1), out.errors
    assert Instrument.objects.get(serial_number="SN-001").measuring_range == "80 tấn"
    assert Instrument.objects.get(serial_number="N-1").unit == geo_map.new_commune


# --- a killed import leaves the database as it was -------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_sigkill_leaves_database_unchanged(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DOLUONG_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": f"{root / 'src'}:{root}"}
    if connection.vendor == "postgresql":
        pytest.skip("the killed-process test runs against a file-backed SQLite database")
    env.pop("DATABASE_URL", None)
    doluong = [sys.executable, "-m", "doluong.cli"]
    subprocess.run([*doluong, "migrate", "-v0"], env=env, check=True)
    setup = (
        "import django; django.setup()\n"
        "from tests.imports.conftest import World\nfrom tests.factories import MapFixture\n"
        "w = World(MapFixture())\nprint(w.owner.tax_code)\n"
    )
    tax = subprocess.run([sys.executable, "-c", setup], env={**env, "DJANGO_SETTINGS_MODULE": "doluong.settings"},
                         check=True, capture_output=True, text=True).stdout.strip()
    rows = [f"TTKD-YB,GCN-{i:06d},{tax},CAN-OTO,SN-{i % 5 + 1:03d},05/03/2024,Đạt" for i in range(200_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join([RECORD_HEADER, *rows]) + "\n")
    db = tmp_path / "var" / "doluong.sqlite3"

    def dump():
        import sqlite3

        with sqlite3.connect(db) as c:
            return {t: c.execute(f"select count(*) from {t}").fetchone()[0]  # noqa: S608
                    for (t,) in c.execute("select name from sqlite_master where type='table'")}

    before = dump()
    proc = subprocess.Popen([*doluong, "import", "records", str(path), "--batch-size", "2000", "-v2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        line = proc.stderr.read1(200)
        if b"rows" in line and any(int(x) >= 4000 for x in line.replace(b"\r", b" ").split() if x.isdigit()):
            break
    assert proc.poll() is None, "the import finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert dump() == before
