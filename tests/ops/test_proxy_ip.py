"""The client's address behind a reverse proxy (DOLUONG_TRUSTED_PROXIES, doluong.core.client_ip).

Behind nginx every request comes from the proxy's address; X-Forwarded-For carries the client's, but anybody
can write that header. So: with the proxies configured, two clients behind the same proxy are locked out (axes)
and throttled (the public certificate check) separately; without, or from a peer that is not a trusted proxy,
a forged header changes nothing — an attacker cannot escape a lock-out by inventing a new address per attempt.
"""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from doluong.accounts.models import Outcome, SignInEvent
from doluong.core.client_ip import client_ip, parse_trusted_proxies
from doluong.core.roles import Role
from tests.factories import make_user

PASSWORD = "pw-Test-12345"
PROXY = "127.0.0.1"  # nginx on the same host, as in docs/operations.md
ALICE, BOB, MALLORY = "203.0.113.5", "198.51.100.7", "192.0.2.66"


def sign_in(client, username, password, *, remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def enterprise(db):
    return make_user(Role.ENTERPRISE)


def lock_out(client, username, **where):
    for _ in range(3):
        r = sign_in(client, username, "wrong", **where)
    assert r.status_code == 429 and 'data-testid="locked"' in r.text
    return r


# --- axes: lock-outs by user name and address ------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [1, ["127.0.0.1", "::1"], "10.0.0.0/8, 127.0.0.0/8"])
def test_behind_the_configured_proxy_two_clients_are_locked_out_separately(client, axes_on, enterprise, trusted):
    axes_on.DOLUONG_TRUSTED_PROXIES = parse_trusted_proxies(trusted)
    lock_out(client, enterprise.username, forwarded=ALICE)
    # Bob, behind the same proxy, signs in with the same user name: his address is not the one locked out.
    assert sign_in(client, enterprise.username, PASSWORD, forwarded=BOB).status_code == 302
    client.logout()
    # Alice stays locked, the right password too, and whatever she writes in the header herself: nginx appends
    # her real address ($proxy_add_x_forwarded_for), and the right-most address no trusted proxy vouches for wins.
    assert sign_in(client, enterprise.username, PASSWORD, forwarded=ALICE).status_code == 429
    assert sign_in(client, enterprise.username, PASSWORD, forwarded=f"{BOB}, {ALICE}").status_code == 429
    events = SignInEvent.objects.order_by("pk")
    assert {e.ip_address for e in events if e.outcome in (Outcome.FAILURE, Outcome.LOCKED)} == {ALICE}
    assert [e.ip_address for e in events if e.outcome == Outcome.SUCCESS] == [BOB]


@pytest.mark.django_db
def test_without_the_setting_a_forged_header_does_not_escape_the_lock_out(client, axes_on, enterprise):
    axes_on.DOLUONG_TRUSTED_PROXIES = 0
    lock_out(client, enterprise.username, remote=MALLORY, forwarded="10.0.0.1")
    for forged in ("10.0.0.2", ALICE, f"{ALICE}, {BOB}", "unknown", ""):
        assert sign_in(client, enterprise.username, PASSWORD, remote=MALLORY, forwarded=forged).status_code == 429
    # The sign-in log shows the peer's address, never what the header claimed.
    assert set(SignInEvent.objects.values_list("ip_address", flat=True)) == {MALLORY}


@pytest.mark.django_db
def test_a_peer_that_is_not_a_trusted_proxy_is_not_believed(client, axes_on, enterprise):
    """With a list, the header counts only when the request comes from one of the listed proxies."""
    axes_on.DOLUONG_TRUSTED_PROXIES = parse_trusted_proxies("127.0.0.1")
    lock_out(client, enterprise.username, remote=MALLORY)  # straight to gunicorn, around nginx
    assert sign_in(client, enterprise.username, PASSWORD, remote=MALLORY, forwarded=ALICE).status_code == 429
    assert sign_in(client, enterprise.username, PASSWORD, forwarded=ALICE).status_code == 302  # the real Alice


@pytest.mark.django_db
def test_without_the_setting_everyone_behind_the_proxy_shares_one_address(client, axes_on, enterprise):
    """What the setting is for: unset, behind nginx, one client's failures lock the user name out for all."""
    axes_on.DOLUONG_TRUSTED_PROXIES = 0
    lock_out(client, enterprise.username, forwarded=ALICE)
    assert sign_in(client, enterprise.username, PASSWORD, forwarded=BOB).status_code == 429


# --- the public certificate check's throttle -------------------------------------------------------

def check(client, **extra):
    return client.get(reverse("certificate_check"), {"number": "GCN-KHONG-CO"}, **extra)


@pytest.fixture
def throttle(settings, db):
    settings.CERTIFICATE_CHECK_PER_MINUTE = 3
    cache.clear()
    yield settings
    cache.clear()


def test_the_check_throttle_counts_each_client_behind_the_proxy(client, throttle):
    throttle.DOLUONG_TRUSTED_PROXIES = 1
    for _ in range(3):
        assert check(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE).status_code == 200
    assert check(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ALICE).status_code == 429
    assert check(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{BOB}, {ALICE}").status_code == 429
    assert check(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=BOB).status_code == 200


def test_without_the_setting_a_forged_header_does_not_escape_the_throttle(client, throttle):
    throttle.DOLUONG_TRUSTED_PROXIES = 0
    for n in range(3):
        assert check(client, REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 200
    for forged in ("10.0.0.9", ALICE, "garbage"):
        assert check(client, REMOTE_ADDR=MALLORY, HTTP_X_FORWARDED_FOR=forged).status_code == 429
    assert check(client, REMOTE_ADDR=BOB).status_code == 200  # another peer is another client


# --- the reading itself -------------------------------------------------------------------------------

def address(settings, trusted, remote, forwarded=None):
    settings.DOLUONG_TRUSTED_PROXIES = parse_trusted_proxies(trusted)
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "expected"), [
    (0, PROXY, ALICE, PROXY),                                  # not configured: the header is ignored
    ("", PROXY, ALICE, PROXY),
    (1, PROXY, None, PROXY),                                   # configured, no header: the peer
    (1, PROXY, ALICE, ALICE),
    (1, PROXY, f"{MALLORY}, {ALICE}", ALICE),                  # a client's own entry sits left of the proxy's
    (1, PROXY, f" {ALICE} ,", ALICE),
    (2, PROXY, f"{MALLORY}, {ALICE}, 10.0.0.2", ALICE),        # two proxies: CDN 10.0.0.2, then nginx
    (2, PROXY, ALICE, ALICE),                                  # a shorter chain: as far as it goes
    (1, PROXY, "not-an-address", PROXY),                       # garbage: the nearest proxy's address
    (2, PROXY, f"{ALICE}, garbage", PROXY),
    (1, PROXY, "2001:db8::7", "2001:db8::7"),
    (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
    (1, "::ffff:127.0.0.1", "::ffff:203.0.113.5", ALICE),      # IPv4 mapped into IPv6 is read as IPv4
    ("127.0.0.1", PROXY, ALICE, ALICE),
    ("127.0.0.1", MALLORY, ALICE, MALLORY),                    # the peer is not a trusted proxy
    ("127.0.0.1, 10.0.0.0/8", PROXY, f"{MALLORY}, {ALICE}, 10.1.2.3", ALICE),
    ("127.0.0.1, 10.0.0.0/8", PROXY, "10.1.2.3, 10.4.5.6", "10.1.2.3"),   # every hop trusted: the left-most
    ("127.0.0.1", PROXY, f"{ALICE}, bad", PROXY),
    (0, "", ALICE, None),                                      # no peer address at all
    (0, "unknown", None, None),
])
def test_the_client_is_the_right_most_untrusted_address(settings, trusted, remote, forwarded, expected):
    assert address(settings, trusted, remote, forwarded) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, 0), ("", 0), ("  ", 0), ("0", 0), ("2", 2), (1, 1),
    ("127.0.0.1", ("127.0.0.1",)), ("127.0.0.1, 10.0.0.0/8 ,::1", ("127.0.0.1", "10.0.0.0/8", "::1")),
    (["172.16.0.0/12"], ("172.16.0.0/12",)),
])
def test_the_setting_is_a_count_or_a_list(value, expected):
    assert parse_trusted_proxies(value) == expected


@pytest.mark.parametrize("value", ["nginx", "1, two", "300.1.1.1", -1, True])
def test_a_bad_setting_is_refused(value):
    with pytest.raises(ValueError):
        parse_trusted_proxies(value)


SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def settings_in(env: dict, expr: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DOLUONG_", "DATABASE_URL"))}
    full.update(env, PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", f"import doluong.settings as s; print(*({expr},))"], env=full,
                         capture_output=True, text=True, check=False)
    return out.stdout.strip() if not out.returncode else "ERROR " + out.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(("env", "expected"), [
    ({}, "0 doluong.core.client_ip.client_ip"),
    ({"DOLUONG_TRUSTED_PROXIES": "1"}, "1 doluong.core.client_ip.client_ip"),
    ({"DOLUONG_TRUSTED_PROXIES": "127.0.0.1,::1"}, "('127.0.0.1', '::1') doluong.core.client_ip.client_ip"),
])
def test_the_environment_sets_it(tmp_path, env, expected):
    assert settings_in({"DOLUONG_VAR_DIR": str(tmp_path), **env},
                       "s.DOLUONG_TRUSTED_PROXIES, s.AXES_CLIENT_IP_CALLABLE") == expected


def test_a_typo_in_the_environment_stops_the_start_up(tmp_path):
    out = settings_in({"DOLUONG_VAR_DIR": str(tmp_path), "DOLUONG_TRUSTED_PROXIES": "nginx"}, "1")
    assert out.startswith("ERROR ValueError") and "nginx" in out
