"""The registry world of tests/core (one object of every model, a user of every role) and API clients."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from doluong.api.models import ApiToken
from tests.core.registry_world import World
from tests.factories import MapFixture


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = World(MapFixture())
        yield built
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _english_media_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # throttling counts
    with translation.override("en"):
        yield
    cache.clear()


def token_client(user, language: str = "en") -> APIClient:
    """A client that signs in as ``user`` with a fresh API token, asking for answers in ``language``."""
    _token, key = ApiToken.issue(user, "test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def api_as(world):
    def make(role, language="en"):
        return token_client(world.users[role], language)

    return make
