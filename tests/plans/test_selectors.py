"""Late and awaited reports; budget totals."""

import datetime as dt
from decimal import Decimal

import pytest

from doluong.plans.models import FundingSource, ProgressReport, ReportStatus
from doluong.plans.selectors import budget_summary, late_reports
from tests.plans.factories import BudgetLineFactory, PlanFactory, ReportFactory, TaskFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 1)


def test_late_and_awaited(task):
    def make(status, due):
        return ReportFactory(task=task, status=status, due_on=due)

    late_draft = make(ReportStatus.DRAFT, DAY - dt.timedelta(days=1))
    late_returned = make(ReportStatus.RETURNED, DAY - dt.timedelta(days=30))
    due_today = make(ReportStatus.DRAFT, DAY)  # due today is not late yet
    future = make(ReportStatus.DRAFT, DAY + dt.timedelta(days=10))
    make(ReportStatus.SUBMITTED, DAY - dt.timedelta(days=5))  # submitted in time or not: no longer owed
    make(ReportStatus.ACCEPTED, DAY - dt.timedelta(days=5))
    assert set(ProgressReport.objects.late(on=DAY)) == {late_draft, late_returned}
    assert set(ProgressReport.objects.awaited()) == {late_draft, late_returned, due_today, future}
    assert list(late_reports(on=DAY)) == [late_returned, late_draft]  # most overdue first
    assert late_draft.is_late(DAY) and not due_today.is_late(DAY)
    assert ProgressReport.objects.late().count() >= 2  # defaults to today (after 2026-06-01)


def test_budget_summary_by_year_and_source():
    plan = PlanFactory()
    t1, t2 = TaskFactory(plan=plan), TaskFactory(plan=plan)
    BudgetLineFactory(plan=plan, year=2025, task=t1, source=FundingSource.RECURRENT_ST,
                      estimate=100_000_000, approved=80_000_000, spent=60_000_000)
    BudgetLineFactory(plan=plan, year=2025, task=t2, source=FundingSource.RECURRENT_ST,
                      estimate=50_000_000, approved=40_000_000, spent=40_000_000)
    BudgetLineFactory(plan=plan, year=2025, task=None, source=FundingSource.DEVELOPMENT_INVESTMENT,
                      estimate=300_000_000, approved=0, spent=0)
    BudgetLineFactory(plan=plan, year=2026, task=None, source=FundingSource.ENTERPRISE,
                      estimate=30_000_000, approved=30_000_000, spent=10_000_000)
    BudgetLineFactory(year=2025)  # another plan: not counted
    rows = budget_summary(plan=plan)
    got = [(r.year, r.source, r.estimate, r.approved, r.spent, r.spent_share) for r in rows]
    m = Decimal(1_000_000)
    assert got == [
        (2026, "enterprise", 30 * m, 30 * m, 10 * m, Decimal("33.3")),
        (2026, "", 30 * m, 30 * m, 10 * m, Decimal("33.3")),
        (2025, "recurrent_st", 150 * m, 120 * m, 100 * m, Decimal("83.3")),
        (2025, "development_investment", 300 * m, 0, 0, None),  # nothing approved: no share
        (2025, "", 450 * m, 120 * m, 100 * m, Decimal("83.3")),
    ]
    assert rows[0].source_label and rows[1].source_label == ""
