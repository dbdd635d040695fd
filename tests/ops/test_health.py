"""/healthz: database liveness with its time, worker liveness from the task queue; 503 when the database is down."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from doluong.ops import tasks

ROOT = Path(__file__).resolve().parents[2]


def run_worker():
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run()


def result(**kw):
    defaults = {"args_kwargs": {"args": [], "kwargs": {}}, "task_path": "doluong.imports.jobs.run_batch",
                "backend_name": "default"}
    return DBTaskResult.objects.create(**{**defaults, **kw})


@pytest.mark.django_db(transaction=True)
def test_no_worker_yet_then_heartbeat_makes_it_alive(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    r = client.get("/healthz")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert "no-cache" in r["Cache-Control"] or "no-store" in r["Cache-Control"]
    body = r.json()
    assert body["database"]["ok"] is True and body["database"]["vendor"] == connection.vendor
    assert isinstance(body["database"]["ms"], float) and body["database"]["ms"] >= 0
    assert body["worker"]["ok"] is False and body["status"] == "degraded"
    assert body["worker"]["last_heartbeat_age_s"] is None
    assert tasks.waiting().count() == 1  # the check enqueued a heartbeat for the worker
    client.get("/healthz")
    assert tasks.waiting().count() == 1  # and only one

    run_worker()  # runs the due heartbeat; the next one is due in DOLUONG_HEARTBEAT_SECONDS
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["worker"]["ok"] is True
    assert 0 <= body["worker"]["last_heartbeat_age_s"] < 30
    nxt = tasks.waiting().get()
    assert nxt.run_after > timezone.now() + timedelta(seconds=30)
    assert body["worker"]["backlog"] == 0


@pytest.mark.django_db
def test_worker_states_from_the_queue(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    result(status=TaskResultStatus.SUCCESSFUL, finished_at=now - timedelta(hours=2))
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is False and body["worker"]["last_finished_age_s"] > 7000

    busy = result(status=TaskResultStatus.RUNNING, started_at=now - timedelta(minutes=10))
    result()  # queued behind it
    body = client.get("/healthz").json()
    assert body["worker"]["ok"] is True and body["status"] == "ok"  # busy with a long import
    assert body["worker"]["running"] == 1 and body["worker"]["backlog"] == 1
    assert body["worker"]["oldest_backlog_age_s"] is not None

    DBTaskResult.objects.filter(pk=busy.pk).update(started_at=now - timedelta(hours=5))  # died under the task
    assert client.get("/healthz").json()["worker"]["ok"] is False


@pytest.mark.django_db
def test_immediate_backend_needs_no_worker(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    body = client.get("/healthz").json()
    assert body["worker"] == {"ok": True, "mode": "immediate"} and body["status"] == "ok"
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_database_down_is_503_without_details(client):
    secret = "could not connect to server at 10.1.2.3 as user doluong_secret_user"
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError(secret)):
        r = client.get("/healthz")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "error" and body["database"] == {"ok": False, "error": "OperationalError"}
    assert "10.1.2.3" not in r.content.decode() and "secret" not in r.content.decode()


def test_unreachable_database_in_a_real_process_is_503(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
           "DOLUONG_VAR_DIR": str(tmp_path), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
           "DJANGO_SETTINGS_MODULE": "doluong.settings", "DOLUONG_LOG_LEVEL": "CRITICAL"}
    code = ("import django, json; django.setup()\nfrom django.test import Client\n"
            "r = Client().get('/healthz'); print(r.status_code); print(r.content.decode())")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    status, body = proc.stdout.strip().split("\n", 1)
    assert status == "503" and json.loads(body)["database"]["ok"] is False
    assert "nobody" not in body and "nothing" not in body


@pytest.mark.django_db
def test_no_login_no_language_redirect_no_https_redirect_no_private_data(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301  # everything else goes to HTTPS
    r = client.get("/healthz")
    assert r.status_code == 200
    text = r.content.decode()
    db = settings.DATABASES["default"]
    for private in (db.get("NAME"), db.get("HOST"), db.get("PASSWORD")):
        if private and len(str(private)) > 3:
            assert str(private) not in text
    assert client.post("/healthz").status_code == 405
