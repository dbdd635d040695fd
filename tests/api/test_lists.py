"""Paging and filtering as the lists: at most 250 a page; bad paging or filters are 400 with a message."""

import pytest

from doluong.core.roles import Role
from doluong.records.models import ServiceRecord
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db
RECORDS = "/api/records/servicerecord/"


@pytest.fixture
def records(world):
    return [RecordFactory(provider=world.provider, instrument=world.instrument, notes=f"n{i}") for i in range(7)]


def test_pages(world, records, api_as):
    client = api_as(Role.OFFICER)
    total = ServiceRecord.objects.count()
    first = client.get(RECORDS, {"page_size": 3}).json()
    assert first["count"] == total and len(first["results"]) == 3 and first["next"]
    last = client.get(RECORDS, {"page_size": 3, "page": (total + 2) // 3}).json()
    assert last["next"] is None
    assert len(client.get(RECORDS, {"page_size": 250}).json()["results"]) == total


@pytest.mark.parametrize("params,key", [
    ({"page_size": 251}, "page_size"), ({"page_size": 0}, "page_size"), ({"page_size": "-1"}, "page_size"),
    ({"page_size": "lots"}, "page_size"), ({"page": "x"}, "page"), ({"page": 0}, "page"), ({"page": 999}, "page"),
    ({"page": "1" * 40}, "page"), ({"activity": "nope"}, "activity"), ({"result": "x"}, "result"),
    ({"instrument__kind__field": "abc"}, "instrument__kind__field"),
])
def test_bad_paging_and_filters_are_400(world, records, api_as, params, key):
    r = api_as(Role.OFFICER).get(RECORDS, params)
    assert r.status_code == 400, r.content
    assert key in r.json() and r.json()[key][0]


def test_filters_search_pins_and_ordering(world, records, api_as):
    client = api_as(Role.OFFICER)
    rec = records[0]
    found = client.get(RECORDS, {"q": rec.certificate_number}).json()["results"]
    assert [o["id"] for o in found] == [rec.pk]
    assert client.get(RECORDS, {"activity": "calibration"}).json()["count"] == ServiceRecord.objects.filter(
        activity="calibration").count()
    assert client.get(RECORDS, {"instrument": world.instrument.pk}).json()["count"] == ServiceRecord.objects.filter(
        instrument=world.instrument).count()
    assert client.get(RECORDS, {"instrument": 10**20}).json()["count"] == 0
    ids = [o["id"] for o in client.get(RECORDS, {"ordering": "id", "page_size": 250}).json()["results"]]
    assert ids == sorted(ids)


def test_the_filter_choices_are_restricted_like_the_lists(world, api_as):
    """A provider filtering on a kind's field still sees only its records (the FilterSet is the list's)."""
    client = api_as(Role.PROVIDER)
    r = client.get(RECORDS, {"instrument__kind__field": world.field.pk, "page_size": 250})
    assert r.status_code == 200
    assert {o["provider"] for o in r.json()["results"]} <= {world.provider.pk}
