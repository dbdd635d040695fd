"""Who sees and edits what in the plans app."""

import pytest

from doluong.core import access
from doluong.core.roles import Role
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    Plan,
    PlanChange,
    PlanPhase,
    PlanTask,
    ProgressReport,
    ReportEvidence,
    WorkplanItem,
)
from tests.factories import OrganizationFactory, ProviderFactory, make_user
from tests.plans.factories import BudgetLineFactory, ChangeFactory, ReportFactory, WorkplanItemFactory

pytestmark = pytest.mark.django_db

PLAN_MODELS = (Plan, PlanPhase, PlanTask)
PROVINCE_MODELS = (AnnualWorkplan, WorkplanItem, BudgetLine)
OWN_MODELS = (ProgressReport, PlanChange, ReportEvidence)


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.ENTERPRISE])
def test_providers_and_enterprises_read_only_the_plan(role):
    org = ProviderFactory() if role == Role.PROVIDER else OrganizationFactory()
    user = make_user(role, org)
    for model in PLAN_MODELS:
        assert access.can(user, model, "view") and not access.can(user, model, "change"), model
    for model in PROVINCE_MODELS + OWN_MODELS:
        assert not access.can(user, model, "view"), model


def test_provider_cannot_see_reports_even_with_their_own_org(task):
    provider = ProviderFactory()
    ReportFactory(task=task, agency=provider)  # even a report filed in the provider's name
    user = make_user(Role.PROVIDER, provider)
    assert not access.restrict(ProgressReport.objects.all(), user).exists()


def test_agency_sees_and_edits_only_its_own_reports_and_changes(task, agency, other_agency, agency_user):
    mine, theirs = ReportFactory(task=task, agency=agency), ReportFactory(task=task, agency=other_agency)
    my_change, their_change = ChangeFactory(reported_by=agency), ChangeFactory(reported_by=other_agency)
    for action in ("view", "change"):
        assert list(access.restrict(ProgressReport.objects.all(), agency_user, action)) == [mine]
        assert list(access.restrict(PlanChange.objects.all(), agency_user, action)) == [my_change]
    assert not access.restrict(ProgressReport.objects.all(), agency_user, "delete").exists()
    assert access.owner_field(ProgressReport, agency_user, "add") == "agency"
    assert access.owner_field(PlanChange, agency_user, "add") == "reported_by"
    assert theirs.pk and their_change.pk


def test_agency_reads_plans_workplans_and_budget_but_does_not_write_them(agency_user):
    WorkplanItemFactory()
    BudgetLineFactory()
    for model in PLAN_MODELS + PROVINCE_MODELS:
        assert access.can(agency_user, model, "view"), model
        assert not access.can(agency_user, model, "add"), model
    assert access.restrict(WorkplanItem.objects.all(), agency_user).count() == 1
    assert access.restrict(BudgetLine.objects.all(), agency_user).count() == 1


def test_leader_reads_everything_and_writes_nothing(leader, task, agency):
    ReportFactory(task=task, agency=agency)
    for model in PLAN_MODELS + PROVINCE_MODELS + OWN_MODELS:
        assert access.can(leader, model, "view"), model
        assert not access.can(leader, model, "change"), model
    assert access.restrict(ProgressReport.objects.all(), leader).count() == 1
