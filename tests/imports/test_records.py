import datetime as dt

import pytest

from doluong.core.models import ObjectChange
from doluong.imports.models import Policy, Status
from doluong.imports.services import RevertRefused, revert_batch
from doluong.instruments.models import Instrument
from doluong.records.models import ServiceRecord, Source
from tests.imports.conftest import RECORD_HEADER, record_rows, write
from tests.imports.conftest import run as import_file

pytestmark = pytest.mark.django_db(transaction=False)


def csv_file(tmp_path, world, rows=None, name="r.csv", **kw):
    return write(tmp_path, name, "\n".join([RECORD_HEADER, *(rows or record_rows(world, **kw))]) + "\n")


def test_import_creates_records_with_valid_until_and_due_dates(tmp_path, world):
    out = import_file("records", csv_file(tmp_path, world))
    b = out.batch
    assert (b.status, b.created_count, b.rejected_count) == (Status.DONE, 5, 0), out.errors
    rec = ServiceRecord.objects.get(certificate_number="GCN-0001")
    assert rec.valid_until == dt.date(2025, 3, 4)
    assert rec.source == Source.IMPORT
    assert rec.unit_id == world.geo.old_commune.pk
    assert rec.search_text == "gcn-0001"
    assert Instrument.objects.get(serial_number="SN-001").verification_due_on == dt.date(2025, 3, 4)
    assert b.created_id_count() == 5 and len(b.created_ids) == 1


def test_reimport_changes_nothing_and_changed_row_is_logged(tmp_path, world):
    path = csv_file(tmp_path, world)
    import_file("records", path)
    again = import_file("records", path).batch
    assert (again.created_count, again.changed_count, again.unchanged_count) == (0, 0, 5)
    rows = record_rows(world)
    rows[1] = rows[1].replace("05/03/2024", "06/03/2024")
    third = import_file("records", csv_file(tmp_path, world, rows, name="r2.csv")).batch
    assert (third.created_count, third.changed_count, third.unchanged_count) == (0, 1, 4)
    change = ObjectChange.objects.get(request_id=third.uuid)
    assert change.prechange_data["performed_on"] == "2024-03-05"
    assert change.postchange_data["performed_on"] == "2024-03-06"
    assert change.postchange_data["valid_until"] == "2025-03-05"
    assert ServiceRecord.objects.count() == 5


def test_dry_run_writes_nothing(tmp_path, world):
    b = import_file("records", csv_file(tmp_path, world), dry_run=True).batch
    assert (b.status, b.created_count) == (Status.PREVIEWED, 5)
    assert ServiceRecord.objects.count() == 0


def test_all_or_nothing_and_keep_good(tmp_path, world):
    rows = record_rows(world)
    rows[2] = rows[2].replace("05/03/2024", "31/02/2024")
    rows[3] = rows[3].replace("CAN-OTO", "NOPE")
    path = csv_file(tmp_path, world, rows)
    out = import_file("records", path)
    assert out.batch.status == Status.REJECTED and out.batch.rejected_count == 2
    assert ServiceRecord.objects.count() == 0
    first = out.errors[0]
    assert first["row"] == 4 and first["column"] == "Ngày kiểm định" and first["value"] == "31/02/2024"
    assert "calendar" in first["message"]
    assert out.errors[1]["row"] == 5 and out.errors[1]["column"] == "Mã loại phương tiện"
    assert out.batch.error_file
    kept = import_file("records", path, policy=Policy.KEEP_GOOD).batch
    assert (kept.status, kept.created_count, kept.rejected_count) == (Status.DONE, 3, 2)
    assert ServiceRecord.objects.count() == 3


def test_scope_rule_and_verification_result(tmp_path, world):
    rows = record_rows(world, n=2)
    rows[0] = rows[0].replace("05/03/2024", "05/03/2017")  # before the designation
    rows[1] = rows[1].replace("Đạt", "Done (no verdict)")
    out = import_file("records", csv_file(tmp_path, world, rows))
    messages = [e["message"] for e in out.errors]
    assert "no designation in force on 05/03/2017" in messages[0], messages
    assert messages[1] == "A verification ends in pass or fail."


def test_duplicate_in_file(tmp_path, world):
    rows = record_rows(world, n=2)
    rows.append(rows[0])
    out = import_file("records", csv_file(tmp_path, world, rows))
    assert out.errors[0]["row"] == 4 and "earlier row" in out.errors[0]["message"]


def test_revert(tmp_path, world):
    first = import_file("records", csv_file(tmp_path, world, n=3)).batch
    rows = record_rows(world, n=4)
    rows[0] = rows[0].replace("05/03/2024", "07/03/2024")
    second = import_file("records", csv_file(tmp_path, world, rows, name="b.csv")).batch
    assert (second.created_count, second.changed_count) == (1, 1)
    result = revert_batch(second)
    assert result == {"deleted": 1, "restored": 1}
    assert ServiceRecord.objects.count() == 3
    assert ServiceRecord.objects.get(certificate_number="GCN-0001").performed_on == dt.date(2024, 3, 5)
    assert Instrument.objects.get(serial_number="SN-001").verification_due_on == dt.date(2025, 3, 4)
    second.refresh_from_db()
    assert second.status == Status.REVERTED
    with pytest.raises(RevertRefused):
        revert_batch(second)
    with pytest.raises(RevertRefused):  # GCN-0001 was restored (changed) after the first batch
        revert_batch(first)
    revert_batch(first, force=True)
    assert ServiceRecord.objects.count() == 0


def test_provider_user_scoped(tmp_path, world):
    from tests.factories import make_user

    user = make_user("provider", organization=world.other_provider)
    out = import_file("records", csv_file(tmp_path, world), user=user)
    assert out.batch.status == Status.REJECTED
    assert ServiceRecord.objects.count() == 0
