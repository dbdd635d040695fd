import pytest
from django.utils import translation

from tests.factories import MapFixture


@pytest.fixture
def geo_map(db):
    return MapFixture()


@pytest.fixture(autouse=True)
def _no_lockout(settings):
    settings.AXES_ENABLED = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _site_language(settings):
    """Every test starts in the site's language: a request answered in English (the API's Accept-Language, a
    language switch) must not leave the next test in the same worker reading English messages."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
