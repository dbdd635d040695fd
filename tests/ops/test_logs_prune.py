"""Structured logs (DOLUONG_LOG_FORMAT=json) and retention (`doluong prune`)."""

import json
import logging
import os
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doluong.core.models import ObjectChange
from doluong.ops.logging import ConsoleFormatter, JsonFormatter, current_request_id
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def test_json_formatter_one_object_per_line():
    try:
        raise ValueError("boom")
    except ValueError:
        exc = sys.exc_info()
    record = logging.LogRecord("doluong.request", logging.INFO, __file__, 1, "GET %s %s", ("/x", 200), exc)
    record.request_id, record.path, record.status, record.duration_ms, record.user_id = "r-1", "/x", 200, 1.5, 7
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "doluong.request" and entry["message"] == "GET /x 200"
    assert (entry["request_id"], entry["path"], entry["status"], entry["duration_ms"], entry["user_id"]) == \
        ("r-1", "/x", 200, 1.5, 7)
    assert entry["time"].endswith("+00:00") and "ValueError: boom" in entry["exc"]
    token = current_request_id.set("r-2")  # any line logged while a request is served carries its id
    try:
        plain = logging.LogRecord("doluong.x", logging.WARNING, __file__, 1, "m", (), None)
        assert json.loads(JsonFormatter().format(plain))["request_id"] == "r-2"
        assert ConsoleFormatter().format(plain).endswith(" WARNING doluong.x: m [r-2]")
    finally:
        current_request_id.reset(token)


@pytest.mark.django_db
def test_every_request_logged_with_id_status_duration_and_user_id_not_name(client, caplog):
    user = make_user("officer", username="nguyen.van.a")
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="doluong.request")
    client.get("/search/?q=private+words")
    [record] = [r for r in caplog.records if r.name == "doluong.request"]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["path"] == "/search/" and entry["method"] == "GET" and entry["status"] == 200
    assert entry["user_id"] == user.pk and entry["duration_ms"] >= 0 and len(entry["request_id"]) == 36
    line = json.dumps(entry, ensure_ascii=False)
    assert "nguyen.van.a" not in line and "private" not in line


def test_json_logs_from_a_real_process(tmp_path):
    env = {**os.environ, "DOLUONG_LOG_FORMAT": "json", "DOLUONG_REQUEST_LOG_LEVEL": "INFO",
           "DOLUONG_VAR_DIR": str(tmp_path), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
           "DJANGO_SETTINGS_MODULE": "doluong.settings"}
    env.pop("DATABASE_URL", None)
    code = ("import django, logging; django.setup()\nfrom django.test import Client\n"
            "logging.getLogger('doluong.test').warning('một thông điệp %s', 1)\n"
            "Client().get('/accounts/login/')\nClient().get('/no-such-page/')\n")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    entries = [json.loads(line) for line in proc.stderr.splitlines() if line.strip()]  # every line is JSON
    assert {"time", "level", "logger", "message"} <= set(entries[0])
    assert entries[0]["message"] == "một thông điệp 1"
    requests = [e for e in entries if e["logger"] == "doluong.request"]
    assert [(e["path"], e["status"]) for e in requests] == [("/accounts/login/", 200), ("/no-such-page/", 404)]
    not_found = [e for e in entries if e["logger"] == "django.request"]
    assert not_found and not_found[0]["request_id"] == requests[1]["request_id"]  # same id on every line


def result(days_ago, status=TaskResultStatus.SUCCESSFUL):
    finished = timezone.now() - timedelta(days=days_ago) if status != TaskResultStatus.READY else None
    return DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="x.y", backend_name="default",
                                       status=status, finished_at=finished)


@pytest.mark.django_db
def test_prune_task_results_and_history_only_if_configured(settings):
    old, old_failed, recent, waiting = result(40), result(31, TaskResultStatus.FAILED), result(2), result(
        0, TaskResultStatus.READY)
    ct = ContentType.objects.get_for_model(DBTaskResult)
    changes = [ObjectChange.objects.create(action="create", content_type=ct, object_id=i, object_repr="x")
               for i in range(3)]
    ObjectChange.objects.filter(pk__in=[changes[0].pk, changes[1].pk]).update(time=timezone.now() - timedelta(days=400))
    settings.DOLUONG_TASK_RESULTS_KEEP_DAYS = 30
    settings.DOLUONG_HISTORY_KEEP_DAYS = None

    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "would delete 2" in out.getvalue() and "kept" in out.getvalue()
    assert DBTaskResult.objects.count() == 4

    out = StringIO()
    call_command("prune", stdout=out)
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old.pk, old_failed.pk]).exists()
    assert ObjectChange.objects.filter(content_type=ct).count() == 3  # history kept by default

    settings.DOLUONG_HISTORY_KEEP_DAYS = 365
    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "change history older than 365 day(s): would delete 2" in out.getvalue()
    assert ObjectChange.objects.filter(content_type=ct).count() == 3
    call_command("prune", stdout=StringIO())
    assert list(ObjectChange.objects.filter(content_type=ct).values_list("pk", flat=True)) == [changes[2].pk]
