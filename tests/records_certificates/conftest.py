import pytest
from django.core.cache import cache
from django.utils import translation

from tests.imports.conftest import World


@pytest.fixture
def world(geo_map):
    return World(geo_map)


@pytest.fixture(autouse=True)
def _english_and_fresh_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # the public check's per-client counter
    with translation.override("en"):
        yield
    cache.clear()
