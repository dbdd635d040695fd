"""Factories for the plans app (the shared ones are in tests/factories.py)."""

import datetime as dt
from decimal import Decimal

import factory

from doluong.orgs.models import OrganizationKind
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    FundingSource,
    Period,
    Plan,
    PlanChange,
    PlanTask,
    ProgressReport,
    ReportStatus,
    Timeframe,
    WorkplanItem,
    WorkplanStatus,
)
from tests.factories import OrganizationFactory


class DepartmentFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Sở Thử Nghiệm {n}")
    kind = OrganizationKind.DEPARTMENT
    tax_code = None


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    number = factory.Sequence(lambda n: f"{n + 100}/KH-UBND")
    title = factory.Sequence(lambda n: f"Kế hoạch thử nghiệm {n}")
    issued_on = dt.date(2019, 8, 9)
    issuer_name = "Ủy ban nhân dân tỉnh Yên Bái"
    start_year = 2019
    end_year = 2030


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTask

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"X.{n}")
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Nhiệm vụ thử nghiệm {n}")
    lead_agency = factory.SubFactory(DepartmentFactory)
    timeframe = Timeframe.YEARLY


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    task = factory.SubFactory(TaskFactory)
    agency = factory.SubFactory(DepartmentFactory)
    year = 2025
    period = Period.YEAR
    due_on = dt.date(2025, 12, 15)
    status = ReportStatus.DRAFT
    done_text = "Đã tổ chức 2 hội nghị."


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanChange

    plan = factory.SubFactory(PlanFactory)
    reported_by = factory.SubFactory(DepartmentFactory)
    reported_on = dt.date(2026, 3, 1)
    difficulty = "Thiếu kinh phí."
    proposed_adjustment = "Lùi tiến độ sang năm sau."


class WorkplanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualWorkplan

    plan = factory.SubFactory(PlanFactory)
    year = 2025
    status = WorkplanStatus.APPROVED
    approved_on = dt.date(2025, 1, 20)


class WorkplanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkplanItem

    workplan = factory.SubFactory(WorkplanFactory)
    task = factory.LazyAttribute(lambda o: TaskFactory(plan=o.workplan.plan))
    planned_output = "Hội nghị phổ biến pháp luật"
    responsible = factory.SubFactory(DepartmentFactory)
    budget = Decimal(50_000_000)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    plan = factory.SubFactory(PlanFactory)
    year = 2025
    source = FundingSource.RECURRENT_ST
    estimate = Decimal(100_000_000)
    approved = Decimal(80_000_000)
    spent = Decimal(60_000_000)
