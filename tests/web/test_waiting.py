"""The home page says what is waiting for each role, counted through the same access rules as the lists."""

import datetime as dt

import pytest
from django.utils import timezone

from doluong.core.roles import Role
from doluong.plans.models import ReportStatus
from doluong.web.waiting import waiting_for
from tests.factories import DesignationFactory, InstrumentFactory, OrganizationFactory, ProviderFactory, make_user
from tests.plans.factories import ChangeFactory, ReportFactory, TaskFactory

pytestmark = pytest.mark.django_db


def counts(user):
    return {w.key: w.count for w in waiting_for(user, timezone.localdate())}


def test_each_role_sees_its_own_waiting_items(client):
    today = timezone.localdate()
    agency, other = OrganizationFactory(kind="department"), OrganizationFactory(kind="department")
    task = TaskFactory(lead_agency=agency)
    ReportFactory(task=task, agency=agency, year=today.year, due_on=today - dt.timedelta(days=3))  # late
    ReportFactory(task=TaskFactory(plan=task.plan, lead_agency=agency), agency=agency, year=today.year,
                  due_on=today + dt.timedelta(days=10), status=ReportStatus.RETURNED)
    ReportFactory(task=task, agency=other, year=today.year, due_on=today + dt.timedelta(days=5),
                  status=ReportStatus.SUBMITTED)
    ChangeFactory(plan=task.plan, reported_by=agency)
    provider = ProviderFactory()
    DesignationFactory(provider=provider, expires_on=today + dt.timedelta(days=20))
    enterprise = OrganizationFactory()
    InstrumentFactory(owner=enterprise, verification_due_on=today - dt.timedelta(days=1))

    leader = counts(make_user(Role.LEADER))
    assert leader["reports_to_review"] == 1 and leader["changes_to_decide"] == 1
    officer = counts(make_user(Role.OFFICER))
    assert officer["reports_late"] == 1 and officer["designations_expiring"] == 1
    assert officer["instruments_overdue"] == 1
    mine = counts(make_user(Role.AGENCY, agency))
    # a returned report due in 10 days is awaited (counted as due soon and as returned), the late one is late
    assert (mine["reports_late"], mine["reports_returned"], mine["reports_due"]) == (1, 1, 1)
    assert "reports_to_review" not in mine
    assert counts(make_user(Role.AGENCY, other)) == {}  # the submitted report waits for the department, not it
    assert counts(make_user(Role.PROVIDER, provider))["designations_expiring"] == 1
    assert "designations_expiring" not in counts(make_user(Role.PROVIDER, ProviderFactory()))
    assert counts(make_user(Role.ENTERPRISE, enterprise))["instruments_overdue"] == 1
    assert counts(make_user(Role.ENTERPRISE, OrganizationFactory())) == {}

    client.cookies["django_language"] = "en"
    client.force_login(make_user(Role.AGENCY, agency))
    page = client.get("/").content.decode()
    assert 'data-testid="waiting-reports_returned"' in page
    officer_user = make_user(Role.OFFICER)
    client.force_login(officer_user)
    for w in waiting_for(officer_user, today):
        assert client.get(w.url).status_code == 200, w.url  # every link opens its list
