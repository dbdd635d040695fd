"""Time the plan's documents on the demo data: figures, Word and PDF of the yearly report, sơ kết, budget.

Usage (SQLite file under var/ by default; set DATABASE_URL for PostgreSQL):

    .venv/bin/python bench/report_bench.py [--scale 1] [--repeat 5] [--var-dir /tmp/bench-var]

If the database has no demo data yet it is migrated and loaded at --scale first. Each document is generated
once to warm up (fonts, templates), then --repeat times through the same service the web button and the
``doluong report`` command use (figures, rendering and the stored files); the median and maximum are printed.
Goal on the project's machine (2 cores): the yearly report within 5 s.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--var-dir", default=None, help="where the SQLite file lives (default: the project's var/)")
    args = parser.parse_args()
    if args.var_dir:
        os.environ["DOLUONG_VAR_DIR"] = args.var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doluong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection

    from doluong.core import writes
    from doluong.orgs.models import User
    from doluong.plans.models import Plan
    from doluong.records.models import ServiceRecord
    from doluong.reports import services
    from doluong.reports.models import DocumentKind, PlanDocument

    call_command("migrate", verbosity=0)
    if not ServiceRecord.objects.exists():
        t0 = time.perf_counter()
        call_command("load_reference", verbosity=0)
        call_command("load_demo", scale=args.scale, verbosity=0)
        print(f"loaded demo at scale {args.scale} in {time.perf_counter() - t0:.1f} s")
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    plan = Plan.objects.filter(targets__isnull=False).order_by("start_year").first()
    print(f"database: {connection.vendor}; plan {plan.number}; records: {ServiceRecord.objects.count():,}")
    cases = [("yearly report 2026", {"kind": DocumentKind.ANNUAL, "year": 2026}),
             ("sơ kết phase 1", {"kind": DocumentKind.PHASE_REVIEW, "phase": plan.phases.order_by("number").first()}),
             ("tổng kết", {"kind": DocumentKind.FINAL_REVIEW}),
             ("budget estimate 2027", {"kind": DocumentKind.BUDGET, "year": 2027}),
             ("workplan 2026", {"kind": DocumentKind.WORKPLAN, "year": 2026})]
    print(f"{'document':28} {'median s':>9} {'max s':>7}  files")
    for name, values in cases:
        doc = PlanDocument(plan=plan, **values)
        writes.save(doc, user=user, via=writes.Via.SERVICE)
        services.start(doc, user=user, run_now=True)  # warm-up
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            gen = services.start(doc, user=user, run_now=True)
            times.append(time.perf_counter() - t)
        sizes = ", ".join(f"{key} {f.size // 1024} KB" for key, _label, f in gen.files())
        print(f"{name:28} {statistics.median(times):9.2f} {max(times):7.2f}  {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
