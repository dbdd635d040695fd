"""doluong summaries [--rebuild | --refresh | --check]: the dashboards' summary tables (indicators.summaries)."""

import time

from django.core.management.base import BaseCommand, CommandError

from doluong.indicators import summaries
from doluong.indicators.models import DueSummary, FactSummary, SummaryDirty, SummaryState


class Command(BaseCommand):
    help = ("Rebuild, refresh or check the summary tables behind the dashboards. Without an option: what state "
            "they are in.")

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rebuild", action="store_true", help="compute every summary again from the records")
        action.add_argument("--refresh", action="store_true",
                            help="recompute the months writes marked dirty (what the background task does)")
        action.add_argument("--check", action="store_true",
                            help="compare every summary row with a direct count of the records; fails on a difference")

    def handle(self, *args, rebuild=False, refresh=False, check=False, **options):
        started = time.perf_counter()
        if rebuild:
            for key, state in summaries.rebuild_all().items():  # the record counts, then the overdue share
                self.stdout.write(f"{key}: {state.rows} rows in {state.seconds:.2f} s")
        elif refresh:
            for key, n in summaries.refresh().items():
                self.stdout.write(f"{key}: " + ("built whole" if n < 0 else f"{n} months refreshed"))
        elif check:
            problems = []
            for comp in summaries.summarised():
                if not SummaryState.objects.filter(computation=comp.key).exists():
                    self.stdout.write(f"{comp.key}: not built yet (the dashboards count the records)")
                    continue
                found = summaries.check(comp.key)
                problems += found
                self.stdout.write(f"{comp.key}: " + ("summary equals the records" if not found
                                                     else f"{len(found)} differences"))
            if SummaryState.objects.filter(computation=summaries.OVERDUE).exists():
                found = summaries.check_due()
                problems += found
                self.stdout.write(f"{summaries.OVERDUE}: " + ("spells and sums equal the records" if not found
                                                              else f"{len(found)} differences"))
            for line in problems[:50]:
                self.stderr.write(line)
            if problems:
                raise CommandError(f"{len(problems)} summary rows differ from the records (run --rebuild).")
        tables = {c.key: FactSummary.objects.filter(computation=c.key) for c in summaries.summarised()}
        tables[summaries.OVERDUE] = DueSummary.objects.all()
        for key, rows in tables.items():
            state = SummaryState.objects.filter(computation=key).first()
            self.stdout.write(
                f"{key}: " + (f"built {state.built_at:%d/%m/%Y %H:%M}" if state else "not built") +
                f", {rows.count()} rows, {SummaryDirty.objects.filter(computation=key).count()} months dirty")
        self.stdout.write(f"({time.perf_counter() - started:.2f} s)")
