import pytest
from django.utils import translation

from doluong.core.roles import Role
from tests.factories import OrganizationFactory, make_user
from tests.plans.factories import ReportFactory, TaskFactory


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    """Uploads go to a temporary folder; messages are asserted in English (the source language)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"  # English pages for English assertions
    return client


@pytest.fixture
def task(db):
    return TaskFactory()


@pytest.fixture
def agency(db):
    return OrganizationFactory(name="Sở Công Thương", kind="department", tax_code=None)


@pytest.fixture
def other_agency(db):
    return OrganizationFactory(name="Sở Tài chính", kind="department", tax_code=None)


@pytest.fixture
def agency_user(agency):
    return make_user(Role.AGENCY, agency)


@pytest.fixture
def officer(db):
    return make_user(Role.OFFICER)


@pytest.fixture
def leader(db):
    return make_user(Role.LEADER)


@pytest.fixture
def report(task, agency):
    return ReportFactory(task=task, agency=agency)
