"""Import benchmark (issue 5): ``.venv/bin/python bench/import_bench.py [--rows 1000000]``.

Needs PostgreSQL: ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/doluong_imp_bench; the
database must exist and is emptied). Generates its own data: owners, instruments, one provider with
designations, then a CSV of verification records, and measures

The registry it creates is vacuumed and analysed before the imports, as an existing database would be.

1. ``doluong import records FILE`` (a separate process, timed, peak RSS from wait4) — all new;
2. the same file again — all unchanged, nothing written;
3. a raw ``COPY`` of the same file into a bare table (the physical limit), and a ``COPY`` of the records the
   import wrote, already resolved, back into the real table with its indexes and foreign keys (the floor
   for that table: what is left once validation and lookups cost nothing);
4. django-import-export on the first ``--die-rows`` rows of the same file (rate per row);
5. 100,000 rows from XLSX (``--xlsx-rows``).
"""

import argparse
import csv
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/doluong_imp_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doluong.settings")
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


def run_import(path, *extra) -> tuple[float, int, str]:
    """Run the import command in its own process: (seconds, peak RSS in MB, its output)."""
    cmd = [str(ROOT / ".venv/bin/doluong"), "import", "records", str(path), *extra]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status:
        raise SystemExit(f"import failed:\n{out}")
    return seconds, usage.ru_maxrss // 1024, out.strip().splitlines()[0]


def setup(instruments: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE records_servicerecord, instruments_instrument, providers_designationscope, "
                    "providers_designation, imports_importbatch, core_objectchange, orgs_organization, "
                    "instruments_instrumentkind, instruments_metrologyfield RESTART IDENTITY CASCADE")
    from doluong.instruments.models import Instrument, InstrumentKind, MetrologyField
    from doluong.orgs.models import Organization
    from doluong.providers.models import Activity, Designation, DesignationScope
    from tests.factories import valid_tax_code

    field = MetrologyField.objects.create(code="mass", name="Khối lượng")
    kinds = [InstrumentKind.objects.create(code=f"K{i}", name=f"Loại {i}", field=field, verification_interval_months=12)
             for i in range(5)]
    provider = Organization.objects.create(name="Trung tâm Kiểm định", kind="provider", provider_code="TTKD",
                                           tax_code=valid_tax_code(1))
    designation = Designation.objects.create(provider=provider, decision_number="1/QĐ",
                                             decision_date=dt.date(2015, 1, 1))
    for k in kinds:
        DesignationScope.objects.create(designation=designation, kind=k, activity=Activity.VERIFICATION)
    owners = Organization.objects.bulk_create(
        [Organization(name=f"Công ty {i}", tax_code=valid_tax_code(10 + i)) for i in range(200)])
    batch = []
    for i in range(instruments):
        batch.append(Instrument(owner_id=owners[i % 200].pk, kind_id=kinds[i % 5].pk, serial_number=f"S{i:07d}"))
        if len(batch) == 20000:
            Instrument.objects.bulk_create(batch)
            batch = []
    Instrument.objects.bulk_create(batch)
    # A registry that exists before the import has been vacuumed and analysed (autovacuum, which is off
    # on some machines): do so here, or the first import pays for setting the fresh rows' hint bits.
    with connection.cursor() as cur:
        for table in ("orgs_organization", "instruments_instrumentkind", "instruments_instrument",
                      "providers_designation", "providers_designationscope", "records_servicerecord"):
            cur.execute(f"VACUUM ANALYZE {table}")
    return {"owners": [(o.tax_code) for o in owners], "kinds": [k.code for k in kinds]}


HEADER = ["Mã tổ chức kiểm định", "Số giấy chứng nhận", "Mã số thuế chủ sở hữu", "Mã loại phương tiện",
          "Số sản xuất", "Ngày kiểm định", "Kết quả", "Số tem"]


def record_row(i: int, info: dict, instruments: int, prefix: str = "GCN") -> list:
    n = i % instruments
    day = dt.date(2020, 1, 1) + dt.timedelta(days=i % 1800)
    return ["TTKD", f"{prefix}-{i:08d}", info["owners"][n % 200], info["kinds"][n % 5], f"S{n:07d}",
            day.strftime("%d/%m/%Y"), "Đạt" if i % 10 else "Không đạt", f"T{i:08d}"]


def write_csv(path, rows: int, info: dict, instruments: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            w.writerow(record_row(i, info, instruments))


def write_xlsx(path, rows: int, info: dict, instruments: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for i in range(rows):
        sheet.write_row(i + 1, 0, record_row(i, info, instruments, prefix="XL"))
    book.close()


def raw_copy(path) -> float:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_bare")
        cur.execute("CREATE TABLE bench_bare (provider text, certificate text, owner text, kind text, serial text, "
                    "performed text, result text, stamp text)")
        start = time.perf_counter()
        with open(path, "rb") as f, cur.cursor.copy("COPY bench_bare FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while data := f.read(1 << 20):
                copy.write(data)
        seconds = time.perf_counter() - start
        cur.execute("DROP TABLE bench_bare")
    return seconds


def table_copy(tmp: Path) -> float:
    """The floor for this table: the records our import wrote, already resolved (ids, foreign keys, derived
    fields), COPYed back into the real table with its indexes and foreign-key checks, committed."""
    from django.db import connection, transaction

    resolved = tmp / "resolved.copy"
    with connection.cursor() as cur:
        with open(resolved, "wb") as f, cur.cursor.copy("COPY records_servicerecord TO STDOUT") as copy:
            for data in copy:
                f.write(data)
        cur.execute("TRUNCATE records_servicerecord CASCADE")
        start = time.perf_counter()
        with transaction.atomic(), open(resolved, "rb") as f, \
                cur.cursor.copy("COPY records_servicerecord FROM STDIN") as copy:
            while data := f.read(1 << 20):
                copy.write(data)
        seconds = time.perf_counter() - start
    resolved.unlink()
    return seconds


def django_import_export(path, rows: int) -> float:
    import tablib
    from import_export import fields, resources, widgets

    from doluong.instruments.models import Instrument
    from doluong.orgs.models import Organization
    from doluong.records.models import ServiceRecord

    class RecordResource(resources.ModelResource):
        provider = fields.Field(attribute="provider", column_name="Mã tổ chức kiểm định",
                                widget=widgets.ForeignKeyWidget(Organization, "provider_code"))
        certificate_number = fields.Field(attribute="certificate_number", column_name="Số giấy chứng nhận")
        instrument = fields.Field(attribute="instrument", column_name="Số sản xuất",
                                  widget=widgets.ForeignKeyWidget(Instrument, "serial_number"))
        performed_on = fields.Field(attribute="performed_on", column_name="Ngày kiểm định",
                                    widget=widgets.DateWidget("%d/%m/%Y"))
        stamp_number = fields.Field(attribute="stamp_number", column_name="Số tem")

        class Meta:
            model = ServiceRecord
            fields = ("provider", "certificate_number", "instrument", "performed_on", "stamp_number")
            import_id_fields = ("certificate_number",)
            use_bulk = False

    with open(path, encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        data = tablib.Dataset(headers=header)
        for i, row in enumerate(reader):
            if i >= rows:
                break
            data.append([r.replace("GCN", "DIE") if j == 1 else r for j, r in enumerate(row)])
    start = time.perf_counter()
    result = RecordResource().import_data(data, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - start
    assert not result.has_errors()
    ServiceRecord.objects.filter(certificate_number__startswith="DIE").delete()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--instruments", type=int, default=200_000)
    parser.add_argument("--die-rows", type=int, default=2_000)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    info = setup(args.instruments)
    tmp = Path(tempfile.mkdtemp(prefix="doluong-bench-"))
    csv_path, xlsx_path = tmp / "records.csv", tmp / "records.xlsx"
    write_csv(csv_path, args.rows, info, args.instruments)
    write_xlsx(xlsx_path, args.xlsx_rows, info, args.instruments)
    print(f"setup: {args.instruments:,} instruments, files of {args.rows:,} (CSV, "
          f"{csv_path.stat().st_size / 2**20:.0f} MB) and {args.xlsx_rows:,} rows (XLSX) in "
          f"{time.perf_counter() - t0:.0f} s")

    s1, rss1, out1 = run_import(csv_path)
    print(f"import {args.rows:,} new records (CSV → PostgreSQL): {s1:.1f} s, {args.rows / s1:,.0f} rows/s, "
          f"peak RSS {rss1} MB  [{out1}]")
    s2, rss2, out2 = run_import(csv_path)
    print(f"same file again (all unchanged): {s2:.1f} s, {args.rows / s2:,.0f} rows/s, peak RSS {rss2} MB  [{out2}]")
    from django.db import connection

    connection.close()
    copy_s = raw_copy(csv_path)
    print(f"raw COPY into a bare table: {copy_s:.1f} s, {args.rows / copy_s:,.0f} rows/s")
    table_s = table_copy(tmp)
    print(f"COPY of the same records, already resolved, into the real table (its indexes and foreign keys): "
          f"{table_s:.1f} s, {args.rows / table_s:,.0f} rows/s")
    die_s = django_import_export(csv_path, args.die_rows)
    die_rate = args.die_rows / die_s
    print(f"django-import-export, {args.die_rows:,} rows: {die_s:.1f} s, {die_rate:,.0f} rows/s")
    s3, rss3, out3 = run_import(xlsx_path)
    print(f"import {args.xlsx_rows:,} new records from XLSX: {s3:.1f} s, {args.xlsx_rows / s3:,.0f} rows/s, "
          f"peak RSS {rss3} MB  [{out3}]")
    ours = args.rows / s1
    print(f"ratios (rows per second, each measured on this run's own rows): raw COPY / ours = "
          f"{(args.rows / copy_s) / ours:.1f}× (goal ≤ 3×); ours / django-import-export = {ours / die_rate:.0f}× "
          f"(goal ≥ 50×; django-import-export ran {args.die_rows:,} rows, ours {args.rows:,}); ours / COPY of "
          f"resolved rows into the real table = {s1 / table_s:.1f}× the time")
    print("targets: " + "; ".join(verdicts(args, s1, s2, rss1, rss2, s3)))


def verdicts(args, s1, s2, rss1, rss2, s3) -> list[str]:
    """Judge each target only on a run of the target's own size (a smaller run says nothing about it)."""

    def judge(label, ok, rows, target_rows):
        if rows != target_rows:
            return f"{label}: not judged (this run had {rows:,} rows, the target is for {target_rows:,})"
        return f"{label}: {'OK' if ok else 'MISSED'}"

    return [
        judge(f"1M new ≤ 60 s ({s1:.1f} s)", s1 <= 60, args.rows, 1_000_000),
        judge(f"1M unchanged ≤ 60 s ({s2:.1f} s)", s2 <= 60, args.rows, 1_000_000),
        judge(f"peak RSS ≤ 300 MB ({max(rss1, rss2)} MB)", max(rss1, rss2) <= 300, args.rows, 1_000_000),
        judge(f"XLSX 100k ≤ 15 s ({s3:.1f} s)", s3 <= 15, args.xlsx_rows, 100_000),
    ]

if __name__ == "__main__":
    main()
