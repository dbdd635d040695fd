"""The demo plans: Plan 210 with its years of work, and a clearly marked demo plan of Lào Cai."""

import datetime as dt
import random

import pytest
from django.db import transaction

from doluong.plans.demo import DEMO_MARK, load_demo_plans
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    ChangeStatus,
    Plan,
    PlanChange,
    ProgressReport,
    ReportStatus,
)
from doluong.plans.selectors import budget_summary
from tests.plans.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def load(seed=7):
    dost = DepartmentFactory(name="Sở Khoa học và Công nghệ tỉnh Lào Cai")
    agencies = [DepartmentFactory() for _ in range(4)]
    return load_demo_plans(rng=random.Random(seed), dost=dost, agencies=agencies, today=TODAY), dost


def snapshot():
    rows = ProgressReport.objects.values_list("task__code", "year", "period", "status", "due_on", "share_done")
    return sorted((*r[:5], -1 if r[5] is None else r[5]) for r in rows)


def test_demo_plans(geo_map):
    counts, dost = load()
    plan = Plan.objects.get(number="210/KH-UBND")
    assert set(plan.tasks.values_list("lead_agency", flat=True)) == {dost.pk}
    demo = Plan.objects.exclude(pk=plan.pk).get()
    assert DEMO_MARK in demo.title and demo.province == geo_map.lao_cai and (demo.start_year, demo.end_year) == (
        2026, 2030)
    assert list(AnnualWorkplan.objects.filter(plan=plan).order_by("year").values_list("year", flat=True)) == list(
        range(2020, 2027))
    assert all(w.items.exists() for w in AnnualWorkplan.objects.all())
    past = ProgressReport.objects.filter(year__lte=2025)
    assert past.count() >= 13 * 6 and past.exclude(status=ReportStatus.ACCEPTED).count() == 0
    assert set(past.values_list("year", flat=True)) == set(range(2020, 2026))
    current = ProgressReport.objects.filter(year=2026)
    assert 2 <= current.late(on=TODAY).count() <= 3
    assert current.filter(status=ReportStatus.RETURNED).count() == 1
    assert current.filter(status=ReportStatus.SUBMITTED).exists() and current.awaited().exclude(
        pk__in=current.late(on=TODAY)).exists()
    assert sorted(PlanChange.objects.values_list("status", flat=True)) == [ChangeStatus.APPROVED,
                                                                           ChangeStatus.PENDING]
    assert set(BudgetLine.objects.filter(plan=plan).values_list("year", flat=True)) == set(range(2020, 2028))
    next_year = BudgetLine.objects.filter(plan=plan, year=2027)
    assert next_year.exists() and not next_year.exclude(approved=0, spent=0).exists()  # an estimate, not approved
    totals = {r.year: r for r in budget_summary(plan=plan) if not r.source}
    assert totals[2026].spent < totals[2026].approved  # the current year is partly spent
    assert all(r.spent <= r.approved <= r.estimate for r in totals.values())
    assert counts["reports"] == ProgressReport.objects.count()


def test_demo_is_deterministic_and_runs_once():
    with transaction.atomic():
        load(seed=3)
        first = snapshot()
        transaction.set_rollback(True)
    assert not ProgressReport.objects.exists()
    load(seed=3)
    assert snapshot() == first
    load(seed=3)  # a second run adds nothing
    assert snapshot() == first and Plan.objects.count() == 2
