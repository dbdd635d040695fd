"""Bulk submission through the import engine: the same per-row checks and messages, all or nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from doluong.core.roles import Role
from doluong.imports.models import ImportBatch, Status
from doluong.records.models import ServiceRecord, Source
from tests.factories import InstrumentFactory, designate

pytestmark = pytest.mark.django_db
BULK = "/api/records/servicerecord/bulk/"


@pytest.fixture
def lims(world):
    designate(world.provider, world.kind, decision_date=dt.date(2018, 1, 1), expires_on=dt.date(2030, 12, 31))
    instruments = [InstrumentFactory(owner=world.enterprise, kind=world.kind, serial_number=f"BULK-{i}",
                                     unit=world.geo.old_commune) for i in range(3)]
    return instruments


def rows(world, n=3, **kw):
    return [{"certificate_number": f"B-{i:04d}", "owner_tax_code": world.enterprise.tax_code,
             "kind_code": world.kind.code, "serial_number": f"BULK-{i}", "performed_on": "2024-03-05",
             "result": "pass", **kw} for i in range(n)]


def test_rows_are_written_as_one_batch_with_source_api(world, lims, api_as):
    r = api_as(Role.PROVIDER).post(BULK, rows(world), format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["created"], body["rejected"], body["errors"]) == (Status.DONE, 3, 0, [])
    batch = ImportBatch.objects.get(pk=body["batch"])
    assert batch.user == world.users[Role.PROVIDER] and body["url"] == batch.get_absolute_url()
    made = ServiceRecord.objects.filter(certificate_number__startswith="B-")
    assert made.count() == 3 and set(made.values_list("source", flat=True)) == {Source.API}
    assert set(made.values_list("provider_id", flat=True)) == {world.provider.pk}
    assert made.get(certificate_number="B-0000").valid_until == dt.date(2025, 3, 4)
    again = api_as(Role.PROVIDER).post(BULK, rows(world), format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 3)


def test_one_bad_row_rejects_all_with_the_import_messages(world, lims, api_as):
    data = rows(world)
    data[1]["performed_on"] = "31/02/2024"
    data[2]["kind_code"] = "NOPE"
    r = api_as(Role.PROVIDER).post(BULK, data, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == Status.REJECTED and body["rejected"] == 2
    first, second = body["errors"]
    assert (first["index"], first["row"], first["value"]) == (1, 3, "31/02/2024")
    assert "calendar" in first["message"]
    assert second["index"] == 2 and second["column"] == "kind_code"
    assert not ServiceRecord.objects.filter(certificate_number__startswith="B-").exists()
    vi = api_as(Role.PROVIDER, "vi").post(BULK, data, format="json").json()
    assert vi["errors"][0]["message"] != first["message"]


def test_dry_run_and_files(world, lims, api_as):
    client = api_as(Role.PROVIDER)
    r = client.post(BULK + "?dry_run=1", rows(world), format="json")
    assert r.status_code == 200 and r.json()["status"] == Status.PREVIEWED and r.json()["created"] == 3
    assert not ServiceRecord.objects.filter(certificate_number__startswith="B-").exists()
    header = "certificate_number,owner_tax_code,kind_code,serial_number,performed_on,result"
    lines = [f"C-{i},{world.enterprise.tax_code},{world.kind.code},BULK-{i},05/03/2024,Đạt" for i in range(2)]
    upload = SimpleUploadedFile("lims.csv", "\n".join([header, *lines]).encode(), content_type="text/csv")
    r = client.post(BULK, {"file": upload}, format="multipart")
    assert r.status_code == 201, r.content
    assert ServiceRecord.objects.filter(certificate_number__startswith="C-", source=Source.API).count() == 2


@pytest.mark.parametrize("payload", [{"a": 1}, [], [1, 2], [{"notes": {"x": 1}}], "text"])
def test_malformed_submissions_are_400(world, lims, api_as, payload):
    r = api_as(Role.PROVIDER).post(BULK, payload, format="json")
    assert r.status_code == 400, r.content


def test_too_many_rows_is_400(world, lims, api_as, settings):
    settings.DOLUONG_API_BULK_MAX_ROWS = 2
    r = api_as(Role.PROVIDER).post(BULK, rows(world), format="json")
    assert r.status_code == 400 and "At most 2 rows" in r.json()["rows"][0]


def test_rows_for_another_provider_are_refused(world, lims, api_as):
    other = world.stranger(Role.PROVIDER)
    r = api_as(Role.PROVIDER).post(BULK, rows(world, provider_code=other.provider_code), format="json")
    assert r.status_code == 400 and r.json()["rejected"] == 3
    assert not ServiceRecord.objects.filter(certificate_number__startswith="B-").exists()
