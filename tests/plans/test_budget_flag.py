"""Budget lines whose spending exceeds the approved amount are flagged, not refused."""

from decimal import Decimal

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse

from doluong.core import ui as registry
from doluong.plans.models import BudgetLine, FundingSource
from doluong.plans.ui import budget_line_warnings
from tests.plans.factories import BudgetLineFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("approved,spent,overspent,by", [
    (80, 60, False, 0),
    (80, 80, False, 0),  # spending the whole approved amount is fine
    (80, 95, True, 15),
])
def test_overspent(approved, spent, overspent, by):
    line = BudgetLine(approved=Decimal(approved), spent=Decimal(spent))
    assert line.overspent is overspent and line.overspent_by == by


def test_the_warning_after_a_save():
    line = BudgetLineFactory(approved=Decimal(80_000_000), spent=Decimal(95_500_000))
    assert budget_line_warnings(line) == [
        "Spending of 95,500,000 ₫ exceeds the approved amount of 80,000,000 ₫ by 15,500,000 ₫. The line was saved; "
        "check the figures or the approval."]
    assert budget_line_warnings(BudgetLineFactory(year=2026)) == []
    assert registry.get(BudgetLine).save_warnings is budget_line_warnings


def test_the_plan_page_marks_lines_over_budget(client, officer):
    plan = PlanFactory()
    task = TaskFactory(plan=plan, code="NV3")
    over = BudgetLineFactory(plan=plan, task=task, approved=Decimal(80_000_000), spent=Decimal(95_000_000))
    BudgetLineFactory(plan=plan, year=2026, approved=Decimal(80_000_000), spent=Decimal(10_000_000))
    BudgetLineFactory(year=2025, approved=Decimal(1), spent=Decimal(2))  # another plan's line: not shown
    client.cookies["django_language"] = "vi"  # the Vietnamese page first
    client.force_login(officer)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="overspent-lines"' in html and html.count('data-testid="overspent-line"') == 1
    assert f'href="{over.get_absolute_url()}"' in html
    assert "Vượt dự toán" in html and "15.000.000 ₫" in html
    client.cookies["django_language"] = "en"
    assert "Over budget" in client.get(plan.get_absolute_url()).content.decode()


def test_a_plan_within_budget_shows_no_flag(client, officer):
    plan = PlanFactory()
    BudgetLineFactory(plan=plan)
    client.force_login(officer)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert 'data-testid="budget-summary"' in html and "Vượt dự toán" not in html


def test_saving_an_overspent_line_through_the_form_saves_it_and_warns(client, officer):
    plan = PlanFactory()
    client.force_login(officer)
    client.cookies["django_language"] = "en"
    r = client.post(reverse("plans:budgetline_add"), {
        "plan": plan.pk, "year": 2025, "source": FundingSource.RECURRENT_ST, "estimate": "100000000",
        "approved": "80000000", "spent": "90000000", "notes": ""})
    assert r.status_code == 302
    line = BudgetLine.objects.get(plan=plan)
    assert line.spent == Decimal(90_000_000) and line.overspent
    warnings = [m for m in get_messages(r.wsgi_request) if m.level == constants.WARNING]
    assert [str(m) for m in warnings] == [
        "Spending of 90,000,000 ₫ exceeds the approved amount of 80,000,000 ₫ by 10,000,000 ₫. The line was saved; "
        "check the figures or the approval."]
    page = client.get(r["Location"]).content.decode()
    assert 'alert-warning' in page and "exceeds the approved amount" in page


def test_a_line_within_budget_saves_without_warning(client, officer):
    plan = PlanFactory()
    client.force_login(officer)
    r = client.post(reverse("plans:budgetline_add"), {
        "plan": plan.pk, "year": 2025, "source": FundingSource.RECURRENT_ST, "estimate": "100000000",
        "approved": "80000000", "spent": "80000000", "notes": ""})
    assert r.status_code == 302
    assert not [m for m in get_messages(r.wsgi_request) if m.level == constants.WARNING]
