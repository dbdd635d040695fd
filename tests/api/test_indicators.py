"""The indicator values of the dashboard, for integrations."""

import pytest

from doluong.core.roles import Role
from doluong.indicators.computations import Scope
from doluong.indicators.selectors import plan_progress

pytestmark = pytest.mark.django_db
VALUES = "/api/indicator-values/"


@pytest.mark.parametrize("role", [Role.OFFICER, Role.LEADER, Role.AGENCY])
def test_province_readers_get_the_dashboard_figures(world, api_as, role):
    r = api_as(role).get(VALUES, {"as_of": "2024-12-31", "plan": world.plan.pk})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["as_of"] == "2024-12-31"
    [plan] = body["plans"]
    import datetime as dt

    expected = plan_progress(world.plan, Scope(as_of=dt.date(2024, 12, 31)))
    assert [(t["target"], t["value"], t["status"]) for t in plan["targets"]] == [
        (p.target.pk, float(p.value), p.status) for p in expected]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.ENTERPRISE])
def test_others_do_not(world, api_as, role):
    assert api_as(role).get(VALUES).status_code == 403


@pytest.mark.parametrize("params,key", [
    ({"as_of": "31/31/2024"}, "as_of"), ({"as_of": "yesterday"}, "as_of"), ({"plan": "x"}, "plan"),
    ({"plan": 999999}, "plan"), ({"year": 3000}, "year"), ({"unit": 999999}, "unit"), ({"ownership": "x"}, "ownership"),
    ({"map": "x"}, "map"),
])
def test_bad_parameters_are_400(world, api_as, params, key):
    r = api_as(Role.LEADER).get(VALUES, params)
    assert r.status_code == 400 and key in r.json()


def test_one_indicator(world, api_as):
    code = world.indicator.code
    body = api_as(Role.LEADER).get(VALUES, {"indicator": code, "as_of": "2025-06-30"}).json()
    assert all(t["indicator"] == code for p in body["plans"] for t in p["targets"])
