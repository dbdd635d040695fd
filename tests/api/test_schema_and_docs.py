"""The OpenAPI schema generates without a warning; the docs load nothing from outside; rates; languages."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from doluong.core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_schema_generates_and_validates_with_warnings_as_errors(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=io.StringIO(),
                 stderr=io.StringIO())
    text = out.read_text()
    assert "/api/records/servicerecord/bulk/" in text and "/api/indicator-values/" in text
    assert "bearer" in text


def test_the_schema_and_docs_are_served_to_signed_in_people_offline(world, client):
    assert client.get(reverse("api:schema")).status_code in (401, 403)
    client.force_login(world.users[Role.PROVIDER])
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3")
    for name in ("api:docs", "api:redoc"):
        page = client.get(reverse(name))
        assert page.status_code == 200
        text = page.content.decode()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), text  # nothing from a CDN
        assert "<script>" not in text and "<style>" not in text  # the strict CSP allows no inline code
        for asset in re.findall(r"(?:src|href)=\"([^\"]+)\"", text):
            if asset.startswith("/static/"):
                assert client.get(asset).status_code == 200, asset
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_token_clients_are_rate_limited(world, api_as, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        client = api_as(Role.PROVIDER)
        codes = [client.get("/api/orgs/sector/").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        assert api_as(Role.PROVIDER).get("/api/orgs/sector/").status_code == 200  # per token
        session = APIClient()
        session.force_login(world.users[Role.PROVIDER])
        assert {session.get("/api/orgs/sector/").status_code for _ in range(5)} == {200}


def test_answers_follow_accept_language(world, api_as):
    url = "/api/records/servicerecord/?activity=nope"
    en = api_as(Role.PROVIDER, "en").get(url)
    vi = api_as(Role.PROVIDER, "vi").get(url)
    assert en["Content-Language"] == "en" and vi["Content-Language"] == "vi"
    assert en.json() != vi.json()
    default = APIClient()
    default.force_login(world.users[Role.PROVIDER])
    assert default.get(url)["Content-Language"] == "vi"  # no header: Vietnamese, as the web


def test_the_index_lists_what_the_user_may_read(world, api_as):
    body = api_as(Role.ENTERPRISE).get("/api/").json()
    assert "records.servicerecord" in body["models"] and "orgs.user" not in body["models"]
    assert body["docs"].endswith("/api/docs/")
