"""Time the main list and detail pages on the demo data; print server time and queries per page.

Usage (SQLite file under var/ by default; set DATABASE_URL for PostgreSQL):

    .venv/bin/python bench/pages_bench.py [--scale 1] [--repeat 5] [--var-dir /tmp/bench-var]

If the database has no demo data yet it is migrated and loaded at --scale first (that time is
printed separately). Pages are served in-process through Django's full stack (middleware,
sessions, templates) as the programme officer, so the time is the server's time per page without
network. Each page is fetched once to warm up, then --repeat times; the median is printed.
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
    parser.add_argument("--only", default="", help="time only pages whose name contains this text")
    args = parser.parse_args()
    if args.var_dir:
        os.environ["DOLUONG_VAR_DIR"] = args.var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doluong.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from doluong.core import ui as registry
    from doluong.instruments.models import Instrument
    from doluong.orgs.models import User
    from doluong.records.models import ServiceRecord

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    call_command("migrate", verbosity=0)
    if not ServiceRecord.objects.exists():
        t0 = time.perf_counter()
        call_command("load_reference", verbosity=0)
        call_command("load_demo", scale=args.scale, verbosity=0)
        print(f"loaded demo at scale {args.scale} in {time.perf_counter() - t0:.1f} s")
    vendor = connection.vendor
    print(f"database: {vendor}; instruments: {Instrument.objects.count():,}; "
          f"records: {ServiceRecord.objects.count():,}")

    officer = User.objects.filter(role="officer").first() or User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(officer)

    pages = [("home", "/")]
    for ui in registry.all_registered():
        if not ui.menu_group:
            continue
        base = f"/{ui.app_label}/{ui.model_name}/"
        pages.append((f"{ui.model_name} list", base))
        pages.append((f"{ui.model_name} list 250", base + "?per_page=250"))
        pages.append((f"{ui.model_name} search", base + "?q=yen+bai"))
        first = ui.model.objects.order_by("pk").values_list("pk", flat=True)[:1]
        if first:
            pages.append((f"{ui.model_name} detail", f"{base}{first[0]}/"))
    pages.append(("instruments overdue", "/instruments/instrument/?due=overdue"))
    pages.append(("dashboard", "/dashboard/"))
    pages.append(("dashboard, one year and field", "/dashboard/?year=2024&field=1"))
    pages.append(("dashboard, past date", "/dashboard/?as_of=31/12/2023"))
    pages.append(("T3 drill-down", "/indicators/T3/facts/?plan=1"))
    pages.append(("records drill-down", "/indicators/OP-REC/facts/"))
    pages.append(("global search", "/search/?q=can+dien+tu"))
    national = User.objects.filter(role="national").first()  # the national roll-up, read by the national role
    national_client = Client()
    if national is not None:
        national_client.force_login(national)
        pages.append(("national roll-up", "/dashboard/national/"))
        pages.append(("national roll-up, old map", "/dashboard/national/?map=record"))
        pages.append(("national roll-up, past date", "/dashboard/national/?as_of=31/12/2023"))

    print(f"{'page':40} {'median ms':>10} {'max ms':>8} {'queries':>8} {'status':>6}")
    for name, url in pages:
        if args.only and args.only not in name:
            continue
        queries = []
        browser = national_client if name.startswith("national") else client

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            browser.get(url)  # warm-up run, counting queries
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = browser.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{name:40} {statistics.median(times):10.1f} {max(times):8.1f} {len(queries):8d} "
              f"{r.status_code:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
