"""Reads about plans: budget totals by year and source, reports still owed."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from doluong.plans.models import BudgetLine, FundingSource, Plan, ProgressReport


@dataclass(frozen=True)
class BudgetRow:
    """Totals in đồng of one year and one source (``source`` empty: all sources of the year)."""

    year: int
    source: str
    estimate: Decimal
    approved: Decimal
    spent: Decimal

    @property
    def source_label(self) -> str:
        return FundingSource(self.source).label if self.source else ""

    @property
    def spent_share(self) -> Decimal | None:
        """Spent as a percentage of the approved amount (one decimal); None when nothing is approved."""
        if not self.approved:
            return None
        return (self.spent * 100 / self.approved).quantize(Decimal("0.1"))


def budget_summary(*, plan: Plan, lines=None) -> list[BudgetRow]:
    """Per year (newest first) one row per source, then the year's total row (``source == ""``).

    ``lines`` lets the caller pass an already restricted queryset of budget lines; by default all
    lines of the plan. One query.
    """
    qs = (lines if lines is not None else BudgetLine.objects.all()).filter(plan=plan)
    totals = (qs.order_by().values("year", "source")
              .annotate(estimate=Sum("estimate"), approved=Sum("approved"), spent=Sum("spent")))
    order = {s: i for i, s in enumerate(FundingSource.values)}
    by_year: dict[int, list[BudgetRow]] = {}
    for t in totals:
        by_year.setdefault(t["year"], []).append(BudgetRow(
            year=t["year"], source=t["source"], estimate=t["estimate"] or Decimal(0),
            approved=t["approved"] or Decimal(0), spent=t["spent"] or Decimal(0)))
    rows: list[BudgetRow] = []
    for year in sorted(by_year, reverse=True):
        sources = sorted(by_year[year], key=lambda r: order.get(r.source, len(order)))
        rows.extend(sources)
        rows.append(BudgetRow(
            year=year, source="", estimate=sum((r.estimate for r in sources), Decimal(0)),
            approved=sum((r.approved for r in sources), Decimal(0)),
            spent=sum((r.spent for r in sources), Decimal(0))))
    return rows


def late_reports(*, on: dt.date | None = None, queryset=None):
    """Reports past their due date and not yet submitted (or returned and not resubmitted)."""
    qs = queryset if queryset is not None else ProgressReport.objects.all()
    return qs.late(on).select_related("task", "agency").order_by("due_on", "task__order")
