"""Time the generation of one certificate PDF on the demo data; print the median of N.

Usage (SQLite file under --var-dir, loaded with the demo province at --scale the first time; set DATABASE_URL
for PostgreSQL):

    .venv/bin/python bench/certificate_bench.py [--repeat 20] [--scale 1] [--var-dir /tmp/cert-bench-var]

Each round renders the PDF of another issued verification record (and a calibration every fourth round) through
``records.certificates.render_pdf`` — the same call the ``certificate.pdf`` route makes: statement, state, QR
code, template, WeasyPrint — after one warm-up round (fonts, templates). The goal is at most 0.5 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--var-dir", default=None, help="where the SQLite file lives (default: the project's var/)")
    args = parser.parse_args()
    if args.var_dir:
        os.environ["DOLUONG_VAR_DIR"] = args.var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doluong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from doluong.providers.models import Activity
    from doluong.records import certificates
    from doluong.records.models import ServiceRecord

    call_command("migrate", verbosity=0)
    if not ServiceRecord.objects.exists():
        t0 = time.perf_counter()
        call_command("load_reference", verbosity=0)
        call_command("load_demo", scale=args.scale, verbosity=0)
        print(f"loaded demo at scale {args.scale} in {time.perf_counter() - t0:.1f} s")
    print(f"database: {connection.vendor}; records: {ServiceRecord.objects.count():,}")
    issued = ServiceRecord.objects.exclude(certificate_number="").select_related(
        "instrument", "instrument__kind", "instrument__owner", "provider", "officer", "superseded_by")
    verifications = list(issued.filter(activity=Activity.VERIFICATION).order_by("-pk")[:args.repeat + 1])
    calibrations = list(issued.filter(activity=Activity.CALIBRATION).order_by("-pk")[:args.repeat + 1])
    if not verifications:
        print("no issued records")
        return 1
    # The demo generator writes records around the write path, without their statement: freeze those first (a
    # record issued through the write path has it already), so each round times what a request does.
    t0 = time.perf_counter()
    ids = [r.pk for r in verifications + calibrations]
    frozen = certificates.freeze_missing(ServiceRecord.objects.filter(pk__in=ids))
    print(f"froze {frozen} statements of demo records in {time.perf_counter() - t0:.2f} s")
    chosen = issued.filter(pk__in=ids).in_bulk()
    verifications = [chosen[r.pk] for r in verifications]
    calibrations = [chosen[r.pk] for r in calibrations]
    times, sizes = [], []
    for i in range(args.repeat + 1):
        pool = calibrations if calibrations and i % 4 == 3 else verifications
        record = pool[i % len(pool)]
        url = f"https://doluong.example/check/?number={record.certificate_number}"
        t0 = time.perf_counter()
        pdf = certificates.render_pdf(record, url)
        elapsed = time.perf_counter() - t0
        if i:  # the first round warms up fonts and templates
            times.append(elapsed)
            sizes.append(len(pdf))
    print(f"certificate PDF: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
          f"over {len(times)} ({statistics.median(sizes) / 1024:.0f} KiB median); goal ≤ 500 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
