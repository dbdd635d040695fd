"""In-file duplicates are refused wherever they are in the file, however small the batches.

The engine keeps the keys of the last two batches only; an earlier duplicate is found in the table (a row
this import created or changed), or, for batches that were not written (a preview), in the kept keys."""

import pytest

from doluong.imports.engine import import_file
from doluong.records.models import ServiceRecord
from tests.imports.conftest import RECORD_HEADER, record_rows, write

pytestmark = pytest.mark.django_db(transaction=False)


def duplicates(out) -> list[int]:
    return [e["row"] for e in out.errors if "earlier row" in e["message"]]


@pytest.mark.parametrize("dry_run", [False, True])
def test_far_apart_duplicates_of_new_rows(tmp_path, world, dry_run):
    rows = record_rows(world, n=12)
    rows += [rows[0], rows[5], rows[11]]  # file rows 14, 15, 16 repeat rows 2, 7, 13
    path = write(tmp_path, "r.csv", "\n".join([RECORD_HEADER, *rows]) + "\n")
    out = import_file("records", path, batch_size=2, language="en", policy="keep_good", dry_run=dry_run)
    assert duplicates(out) == [14, 15, 16]
    assert out.batch.created_count == 12
    assert ServiceRecord.objects.count() == (0 if dry_run else 12)


def test_far_apart_duplicates_of_changed_and_unchanged_rows(tmp_path, world):
    first = record_rows(world, n=6)
    write(tmp_path, "a.csv", "\n".join([RECORD_HEADER, *first]) + "\n")
    assert import_file("records", tmp_path / "a.csv", language="en").batch.created_count == 6
    changed = [r.replace("05/03/2024", "06/03/2024") for r in first]
    filler = record_rows(world, n=6, start=7)
    # rows 2-4 change, 5-7 are unchanged, 8-13 are new, then 14 repeats row 2 (changed), 15 row 5 (unchanged)
    # and 16 row 8 (new): each more than two batches after the row it repeats.
    rows = [*changed[:3], *first[3:], *filler, changed[0], first[3], filler[0]]
    path = write(tmp_path, "b.csv", "\n".join([RECORD_HEADER, *rows]) + "\n")
    out = import_file("records", path, batch_size=2, language="en", policy="keep_good")
    assert (out.batch.created_count, out.batch.changed_count) == (6, 3)
    assert sorted(duplicates(out)) == [14, 16]
    # An unchanged row repeated out of the window cannot be told from a re-import (nothing was written for
    # it): it counts as unchanged once more, and still nothing is written.
    assert out.batch.unchanged_count == 4
