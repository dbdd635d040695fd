import pytest

from tests.factories import MapFixture


@pytest.fixture
def geo_map(db):
    return MapFixture()


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
