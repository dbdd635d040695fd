"""The web faces: upload → preview → confirm → result → revert; access; export; the background path."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from doluong.core.roles import Role
from doluong.imports.models import ImportBatch, Status
from doluong.records.models import ServiceRecord
from tests.factories import make_user
from tests.imports.conftest import RECORD_HEADER, record_rows

pytestmark = pytest.mark.django_db


def csv_upload(world, rows=None, name="records.csv", **kw):
    text = "\n".join([RECORD_HEADER, *(rows or record_rows(world, **kw))]) + "\n"
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def preview(client, world, **kw):
    response = client.post(reverse("imports:upload", args=["records"]),
                           {"file": csv_upload(world, **kw), "policy": "all"})
    assert response.status_code == 302, response.content[:500]
    return ImportBatch.objects.latest("pk")


def test_provider_previews_confirms_and_reverts(client, world):
    user = make_user(Role.PROVIDER, world.provider)
    client.force_login(user)
    rows = record_rows(world, n=5)
    rows[2] = rows[2].replace("05/03/2024", "31/02/2024")
    batch = preview(client, world, rows=rows)
    assert (batch.status, batch.dry_run, batch.created_count, batch.rejected_count) == (Status.PREVIEWED, True, 4, 1)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "31/02/2024" in page and "Ngày kiểm định" in page and 'data-testid="confirm-good"' in page
    assert ServiceRecord.objects.count() == 0

    batch = preview(client, world)  # the corrected file
    response = client.post(reverse("imports:confirm", args=[batch.pk]))
    done = ImportBatch.objects.latest("pk")
    assert response.url == done.get_absolute_url()
    assert (done.status, done.dry_run, done.created_count) == (Status.DONE, False, 5)
    assert ServiceRecord.objects.count() == 5
    assert client.post(reverse("imports:confirm", args=[batch.pk])).url == done.get_absolute_url()  # no double
    assert ImportBatch.objects.filter(dry_run=False).count() == 1
    page = client.get(done.get_absolute_url()).content.decode()
    assert 'data-testid="revert"' in page
    assert client.get(reverse("imports:revert", args=[done.pk])).status_code == 200
    client.post(reverse("imports:revert", args=[done.pk]))
    done.refresh_from_db()
    assert done.status == Status.REVERTED and ServiceRecord.objects.count() == 0


def test_rows_of_another_provider_are_rejected_with_a_reason(client, world):
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    batch = preview(client, world)
    assert batch.rejected_count == 5
    first = batch.errors[0]
    assert (first["row"], first["column"], first["message"]) == (
        2, "Mã tổ chức kiểm định", "nằm ngoài phạm vi mà tổ chức của bạn được phép sửa")


def test_who_may_import_what(client, world):
    client.force_login(make_user(Role.LEADER, world.owner))
    assert client.get(reverse("imports:upload", args=["records"])).status_code == 404
    client.force_login(make_user(Role.ENTERPRISE, world.owner))
    assert client.get(reverse("imports:upload", args=["records"])).status_code == 404
    assert client.get(reverse("imports:upload", args=["instruments"])).status_code == 200
    page = client.get(reverse("instruments:instrument_list")).content.decode()
    assert 'data-testid="import"' in page and 'data-testid="export-csv"' in page
    page = client.get(reverse("records:servicerecord_list")).content.decode()
    assert 'data-testid="import"' not in page and 'data-testid="export-csv"' in page


def test_batches_of_other_organisations_are_not_found(client, world):
    client.force_login(make_user(Role.PROVIDER, world.provider))
    batch = preview(client, world)
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    assert client.get(batch.get_absolute_url()).status_code == 404
    client.force_login(make_user(Role.OFFICER))
    assert client.get(batch.get_absolute_url()).status_code == 200


def test_export_is_restricted_and_filtered(client, world, tmp_path):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    batch = preview(client, world)
    client.post(reverse("imports:confirm", args=[batch.pk]))
    body = b"".join(client.get(reverse("imports:export", args=["records"]), {"format": "csv"}).streaming_content)
    assert body.decode("utf-8-sig").count("GCN-") == 5
    again = client.post(reverse("imports:upload", args=["records"]),  # the export reads back unchanged
                        {"file": SimpleUploadedFile("export.csv", body), "policy": "all"})
    again = ImportBatch.objects.get(pk=again.url.rstrip("/").split("/")[-1])
    assert (again.unchanged_count, again.created_count, again.rejected_count) == (5, 0, 0), again.errors
    body = b"".join(client.get(reverse("imports:export", args=["records"]),
                               {"format": "csv", "q": "gcn-0002"}).streaming_content)
    assert body.decode("utf-8-sig").count("GCN-") == 1
    client.force_login(make_user(Role.PROVIDER, world.other_provider))
    body = b"".join(client.get(reverse("imports:export", args=["records"]), {"format": "csv"}).streaming_content)
    assert "GCN-" not in body.decode("utf-8-sig")
    xlsx = client.get(reverse("imports:export", args=["records"]), {"format": "xlsx"})
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    client.force_login(officer)
    template = client.get(reverse("imports:template", args=["records"]))
    assert template.content[:2] == b"PK"


def test_large_file_runs_as_a_task(client, world, settings, django_capture_on_commit_callbacks):
    """More rows than DOLUONG_IMPORT_INLINE_ROWS: enqueued on the tasks backend (immediate in this test)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.DOLUONG_IMPORT_INLINE_ROWS = 100
    client.force_login(make_user(Role.OFFICER))
    rows = record_rows(world, n=2500)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("imports:upload", args=["records"]),
                               {"file": csv_upload(world, rows=rows), "policy": "all"})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == Status.PENDING and batch.total == 2500 and len(callbacks) == 1
    page = client.get(response.url).content.decode()
    assert 'data-testid="progress"' in page and "hx-get" in page
    callbacks[0]()  # the commit: the task runs (immediately)
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == (Status.PREVIEWED, 2500)
    poll = client.get(reverse("imports:progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[batch.pk]))
    done = ImportBatch.objects.latest("pk")
    assert (done.status, done.created_count) == (Status.DONE, 2500)
    assert ServiceRecord.objects.count() == 2500


def test_database_backend_queues_the_job_for_the_worker(client, world, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DOLUONG_IMPORT_INLINE_ROWS = 2
    client.force_login(make_user(Role.OFFICER))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:upload", args=["records"]), {"file": csv_upload(world), "policy": "all"})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == Status.PENDING and DBTaskResult.objects.count() == 1
    queued = DBTaskResult.objects.get().task_result
    assert queued.task.module_path == "doluong.imports.jobs.run_batch" and queued.args[0] == batch.pk
    queued.task.call(*queued.args, **queued.kwargs)  # what `doluong db_worker` does (it closes the test's connection)
    batch.refresh_from_db()
    assert (batch.status, batch.created_count) == (Status.PREVIEWED, 5)
