"""API tokens: only the hash is stored, the key is shown once; revoked and expired tokens are refused."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from doluong.api.models import ApiToken
from doluong.core.roles import Role

pytestmark = pytest.mark.django_db


def _client(key):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    return c


def test_only_the_hash_and_a_prefix_are_kept(world):
    token, key = ApiToken.issue(world.users[Role.PROVIDER], "LIMS", days=30)
    assert key.startswith("dl_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in stored.key_hash
    assert stored.prefix == key[:11]
    assert dt.timedelta(days=29) < stored.expires - timezone.now() <= dt.timedelta(days=30)


def test_a_token_acts_as_its_owner_until_revoked_or_expired(world):
    token, key = ApiToken.issue(world.users[Role.PROVIDER], "LIMS")
    client = _client(key)
    assert client.get("/api/records/servicerecord/").status_code == 200
    token.refresh_from_db()
    assert token.last_used is not None
    token.revoke()
    r = client.get("/api/records/servicerecord/")
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert r["WWW-Authenticate"].startswith("Bearer")
    old, old_key = ApiToken.issue(world.users[Role.PROVIDER], "old", days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert _client(old_key).get("/api/records/servicerecord/").status_code == 401
    assert _client("dl_not-a-key").get("/api/records/servicerecord/").status_code == 401
    assert APIClient().get("/api/records/servicerecord/").status_code in (401, 403)


def test_an_inactive_owner_cannot_use_the_token(world):
    from tests.core.registry_world import user_for

    user = user_for(Role.PROVIDER, world.provider, is_active=False)
    _token, key = ApiToken.issue(user, "LIMS")
    assert _client(key).get("/api/records/servicerecord/").status_code == 401


def test_the_command_creates_lists_and_revokes(world):
    user = world.users[Role.PROVIDER]
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "--user", user.username, "--name", "LIMS", "--days", "90", stdout=out,
                 stderr=err)
    key = out.getvalue().strip()
    token = ApiToken.for_key(key)
    assert token is not None and token.user == user and token.name == "LIMS" and token.expires is not None
    assert "shown only once" in err.getvalue()
    listing = io.StringIO()
    call_command("api_token", "list", "--user", user.username, stdout=listing)
    assert token.prefix in listing.getvalue() and key not in listing.getvalue()
    call_command("api_token", "revoke", "--prefix", token.prefix, stdout=io.StringIO())
    assert ApiToken.for_key(key) is None
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "--prefix", token.prefix, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "create", "--user", "nobody", "--name", "x", stdout=io.StringIO())
    call_command("api_token", "create", "--user", user.username, "--name", "B", stdout=io.StringIO(),
                 stderr=io.StringIO())
    call_command("api_token", "revoke", "--user", user.username, "--name", "B", stdout=io.StringIO())
    assert not ApiToken.objects.active().filter(name="B").exists()


def test_the_tokens_page_creates_shows_once_and_revokes(world, client):
    user = world.users[Role.PROVIDER]
    other = world.users[Role.ENTERPRISE]
    theirs, _key = ApiToken.issue(other, "theirs")
    client.force_login(user)
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200 and "theirs" not in page.content.decode()
    r = client.post(reverse("api:tokens"), {"name": "LIMS", "days": "90"})
    assert r.status_code == 201 and r["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=user, name="LIMS")
    text = r.content.decode()
    key = text.split('readonly value="')[1].split('"')[0]
    assert ApiToken.for_key(key) == token
    assert key not in client.get(reverse("api:tokens")).content.decode()  # shown once
    assert client.post(reverse("api:tokens"), {"name": "", "days": "90"}).status_code == 400
    assert client.post(reverse("api:tokens"), {"name": "x", "days": "7"}).status_code == 400
    assert client.post(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 302
    assert ApiToken.for_key(key) is None and ApiToken.objects.get(pk=theirs.pk).is_active


def test_the_page_is_for_signed_in_people(client, db):
    assert client.get(reverse("api:tokens")).status_code == 302
