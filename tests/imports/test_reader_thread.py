"""The reader thread: batches arrive in order, its errors surface, and nothing of it outlives an import."""

import sys
import threading
from dataclasses import replace

import pytest
from django.db import connection

from doluong.imports import spec as registry
from doluong.imports.engine import import_file
from doluong.imports.models import Status
from doluong.records.models import ServiceRecord
from tests.imports.conftest import RECORD_HEADER, record_rows, write

pytestmark = pytest.mark.django_db(transaction=False)


def readers_alive() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "doluong-import-reader"]


def test_small_batches_keep_row_order_and_errors(tmp_path, world):
    rows = record_rows(world, n=9)
    rows[4] = rows[4].replace("05/03/2024", "31/02/2024")  # row 6 of the file: a parse error in batch 3
    rows[7] = rows[7].replace("CAN-OTO", "NOPE")  # row 9: rejected by a step in batch 4
    path = write(tmp_path, "r.csv", "\n".join([RECORD_HEADER, *rows]) + "\n")
    out = import_file("records", path, batch_size=2, language="en", policy="keep_good")
    assert [(e["row"], e["column"]) for e in out.errors] == [(6, "Ngày kiểm định"), (9, "Mã loại phương tiện")]
    assert out.batch.created_count == 7 and out.batch.processed == 9
    assert not readers_alive()


def test_a_failing_step_stops_the_reader_and_leaves_nothing_behind(tmp_path, world):
    calls = []

    def explode(batch):
        calls.append(len(batch.rows))
        if len(calls) == 2:
            raise RuntimeError("boom")

    spec = registry.get("records")
    broken = replace(spec, steps=[*spec.steps, explode])
    path = write(tmp_path, "r.csv", "\n".join([RECORD_HEADER, *record_rows(world, n=20)]) + "\n")
    switch = sys.getswitchinterval()
    with pytest.raises(RuntimeError, match="boom"):
        import_file(broken, path, batch_size=3, language="en")
    assert calls == [3, 3]
    assert not readers_alive()
    assert connection.execute_wrappers == []
    assert sys.getswitchinterval() == switch
    assert ServiceRecord.objects.count() == 0


def test_a_file_cut_off_half_way_is_reported_from_the_reader(tmp_path, world):
    rows = record_rows(world, n=8)
    text = "\n".join([RECORD_HEADER, *rows[:6]]) + '\n"TTKD-YB,GCN-9999,' + "x" * 50  # an open quote, then EOF
    out = import_file("records", write(tmp_path, "cut.csv", text), batch_size=2, language="en")
    assert out.batch.status == Status.FAILED
    assert "cut off near line" in out.batch.message
    assert ServiceRecord.objects.count() == 0
    assert not readers_alive()


def test_a_failing_write_surfaces_and_no_thread_outlives_the_import(tmp_path, world, monkeypatch):
    """On PostgreSQL records are written by a writer thread while the next batch is prepared."""
    from doluong.imports import db

    real, calls = db.insert_rows, []

    def insert_rows(*args, **kwargs):
        calls.append(threading.current_thread().name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(db, "insert_rows", insert_rows)
    path = write(tmp_path, "r.csv", "\n".join([RECORD_HEADER, *record_rows(world, n=20)]) + "\n")
    with pytest.raises(RuntimeError, match="disk full"):
        import_file("records", path, batch_size=4, language="en")
    writer = connection.vendor == "postgresql"
    assert all(name.startswith("doluong-import-writer") == writer for name in calls)
    assert not [t for t in threading.enumerate() if t.name.startswith("doluong-import-")]
    assert ServiceRecord.objects.count() == 0
