"""A plan with targets and facts whose figures are counted by hand, for the documents' tests."""

import datetime as dt
from decimal import Decimal

import pytest

from doluong.core.roles import Role
from doluong.indicators.services import load_plan_targets
from doluong.orgs.models import Ownership
from doluong.plans.models import FundingSource, PlanPhase
from doluong.programmes.models import Stage
from tests.factories import MapFixture, make_user
from tests.plans.factories import BudgetLineFactory, ChangeFactory, PlanFactory, ReportFactory, TaskFactory
from tests.programmes.factories import (
    AttendanceFactory,
    CaseFactory,
    DeliveryFactory,
    EnterpriseFactory,
    OutreachFactory,
    TrainingFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(db):
    return make_user(Role.OFFICER)


@pytest.fixture
def world(db):
    """Plan 2019–2030 of old Yên Bái with T3/T4 targets.

    Facts: T4 — a 2024 training with 3 attendances and a 2026 training with 2 (person-times: 3 by 2025, 5 by
    2026; 2 in 2026). T3 — 4 deliveries to a private enterprise in 2025 and 2 to a state one in 2026
    (enterprise-times: 4 in 2025, 2 in 2026, 6 cumulative). Budget: 2025 and 2026 lines of two sources.
    A change request in 2026 with a difficulty; two outreach events in 2026 (40 and 15 participants)."""
    geo = MapFixture()
    plan = PlanFactory(start_year=2019, end_year=2030, province=geo.yen_bai, number="210/KH-UBND")
    PlanPhase.objects.create(plan=plan, number=1, start_year=2019, end_year=2025)
    PlanPhase.objects.create(plan=plan, number=2, start_year=2026, end_year=2030)
    load_plan_targets(plan, [
        {"code": "T3", "label_vi": "Lượt doanh nghiệp được hỗ trợ", "by_2025": 10, "by_2030": 20},
        {"code": "T4", "label_vi": "Lượt người được bồi dưỡng", "by_2025": 100, "by_2030": 150},
    ])
    t2024 = TrainingFactory(starts_on=dt.date(2024, 5, 14), ends_on=dt.date(2024, 5, 15))
    t2026 = TrainingFactory(starts_on=dt.date(2026, 4, 2), ends_on=dt.date(2026, 4, 3), on_enterprise_demand=True)
    for _ in range(3):
        AttendanceFactory(training=t2024)
    for _ in range(2):
        AttendanceFactory(training=t2026)
    private = CaseFactory(enterprise=EnterpriseFactory(ownership=Ownership.PRIVATE), year=2025, stage=Stage.SELECTED,
                          surveyed_on=dt.date(2025, 1, 5), selected_on=dt.date(2025, 2, 1))
    for _ in range(4):
        DeliveryFactory(case=private, delivered_on=dt.date(2025, 6, 1))
    state = CaseFactory(enterprise=EnterpriseFactory(ownership=Ownership.STATE), year=2026, stage=Stage.SELECTED,
                        surveyed_on=dt.date(2026, 1, 5), selected_on=dt.date(2026, 2, 1))
    for _ in range(2):
        DeliveryFactory(case=state, delivered_on=dt.date(2026, 3, 1))
    task = TaskFactory(plan=plan, code="II.1")
    ReportFactory(task=task, agency=task.lead_agency, year=2026, due_on=dt.date(2026, 6, 30))  # late (draft)
    BudgetLineFactory(plan=plan, year=2025, task=task, source=FundingSource.RECURRENT_ST, estimate=Decimal(90_000_000),
                      approved=Decimal(80_000_000), spent=Decimal(60_000_000))
    BudgetLineFactory(plan=plan, year=2026, task=task, source=FundingSource.RECURRENT_ST,
                      estimate=Decimal(120_000_000), approved=Decimal(100_000_000), spent=Decimal(75_000_000))
    BudgetLineFactory(plan=plan, year=2026, task=None, source=FundingSource.DEVELOPMENT_INVESTMENT,
                      estimate=Decimal(500_000_000), approved=Decimal(400_000_000), spent=Decimal(0))
    BudgetLineFactory(plan=plan, year=2027, task=task, source=FundingSource.RECURRENT_ST,
                      estimate=Decimal(130_000_000), approved=Decimal(0), spent=Decimal(0))
    BudgetLineFactory(plan=plan, year=2027, task=None, source=FundingSource.DEVELOPMENT_INVESTMENT,
                      estimate=Decimal(450_000_000), approved=Decimal(0), spent=Decimal(0))
    ChangeFactory(plan=plan, task=task, reported_by=task.lead_agency, reported_on=dt.date(2026, 3, 1),
                  difficulty="Thiếu kinh phí cho lớp tập huấn.", proposed_adjustment="Bổ sung kinh phí năm 2027.")
    OutreachFactory(held_on=dt.date(2026, 1, 20), participants=40)
    OutreachFactory(held_on=dt.date(2026, 5, 5), participants=15)
    return {"plan": plan, "geo": geo, "task": task}
