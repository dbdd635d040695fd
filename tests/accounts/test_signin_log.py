"""The sign-in log: what is recorded, who sees it, filters and paging; the user's own recent sign-ins."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from doluong.accounts.models import Outcome, SignInEvent
from doluong.core.roles import Role
from tests.accounts.conftest import sign_in
from tests.factories import OrganizationFactory, make_user

pytestmark = pytest.mark.django_db
LOG = "/accounts/sign-ins/"


def test_sign_in_wrong_password_and_sign_out_are_recorded(client, officer):
    assert sign_in(client, officer, "wrong").status_code == 200
    sign_in(client, officer, HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400)
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    events = list(SignInEvent.objects.order_by("pk"))
    assert [e.outcome for e in events] == [Outcome.FAILURE, Outcome.SUCCESS, Outcome.LOGOUT, Outcome.FAILURE]
    assert events[0].user == officer and events[0].ip_address == "127.0.0.1"
    assert len(events[1].user_agent) == 200 and events[1].user_agent.startswith("Mozilla/5.0")
    assert events[3].user is None and events[3].username == "nobody"


def test_a_lock_out_is_recorded_once(client, officer, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        r = sign_in(client, officer, "wrong")
    assert r.status_code == 429 and 'data-testid="locked"' in r.text
    outcomes = list(SignInEvent.objects.order_by("pk").values_list("outcome", flat=True))
    assert outcomes == [Outcome.FAILURE, Outcome.LOCKED, Outcome.LOCKED]
    assert sign_in(client, officer).status_code == 429  # the right password too, while locked


@pytest.mark.parametrize("role", [Role.LEADER, Role.AGENCY, Role.PROVIDER, Role.ENTERPRISE])
def test_the_log_is_for_officers_only(client, role):
    org = None if role == Role.LEADER else OrganizationFactory()
    client.force_login(make_user(role, org))
    assert client.get(LOG).status_code == 404
    assert LOG not in client.get("/").text


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(LOG)["Location"].startswith(reverse("login"))


def test_officers_filter_and_page_the_log(client, officer, enterprise):
    now = timezone.now()
    SignInEvent.objects.bulk_create(
        [SignInEvent(user=enterprise, username=enterprise.username, outcome=Outcome.FAILURE,
                     time=now - dt.timedelta(days=10, minutes=i)) for i in range(60)]
        + [SignInEvent(username="attacker", outcome=Outcome.LOCKED, time=now - dt.timedelta(days=1))])
    client.force_login(officer)
    home = client.get("/").text
    assert LOG in home  # the Tools menu
    page = client.get(LOG)
    assert page.status_code == 200 and "attacker" in page.text
    assert page.text.count("<tr") == 50 + 1  # 50 a page, and the header
    assert client.get(LOG, {"page": 2}).text.count("<tr") == 12 + 1  # 60 + 1 + officer's own sign-in = 62
    locked = client.get(LOG, {"outcome": Outcome.LOCKED}).text
    assert "attacker" in locked and enterprise.username not in locked
    mine = client.get(LOG, {"username": enterprise.username.upper()}).text
    assert "attacker" not in mine and mine.count("<tr") == 51
    since = (now - dt.timedelta(days=2)).date().isoformat()
    recent = client.get(LOG, {"since": since}).text
    assert "attacker" in recent and enterprise.username not in recent
    until = (now - dt.timedelta(days=5)).date().isoformat()
    old = client.get(LOG, {"until": until, "username": "attacker"}).text
    assert "attacker" not in old.split("<tbody")[1]


def test_the_security_page_shows_my_recent_sign_ins_only(client, officer, enterprise):
    SignInEvent.objects.create(user=officer, username=officer.username, outcome=Outcome.FAILURE,
                               ip_address="203.0.113.9")
    SignInEvent.objects.create(user=enterprise, username=enterprise.username, outcome=Outcome.FAILURE,
                               ip_address="198.51.100.7")
    client.force_login(officer)
    page = client.get(reverse("accounts:security")).text
    section = page.split('data-testid="my-sign-ins"')[1]
    assert "203.0.113.9" in section and "198.51.100.7" not in section
    assert reverse("accounts:security") in client.get("/").text  # the user menu
