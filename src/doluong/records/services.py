"""Writes that keep instruments' due dates in step with their records (a follow-up of the write path)."""

from django.db import connection
from django.db.models import Max, OuterRef, Subquery

from doluong.core import writes
from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records.models import Result, ServiceRecord


def refresh_due_dates(instrument_ids) -> int:
    """Recompute verification_due_on and last_verified_on of these instruments, set-based.

    Due date: the latest valid_until among passing verifications whose certificate stands (neither withdrawn
    nor superseded by a corrected version); last verified: the latest verification date of any result (a
    superseded version is not counted: its correction has the date). Returns the number of instruments updated.

    The two columns are derived from the records (whose writes have their history), so this set-based
    update is the follow-up's own write and leaves no history row (``Instrument.changelog_exclude``).
    """
    ids = sorted({i for i in instrument_ids if i is not None})
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        return _refresh_due_dates_postgresql(ids)
    any_verification = ServiceRecord.objects.filter(instrument=OuterRef("pk"), activity=Activity.VERIFICATION,
                                                    superseded_by__isnull=True)
    passing = any_verification.filter(result=Result.PASS, withdrawn_on__isnull=True)
    return Instrument.objects.filter(pk__in=ids).update(
        verification_due_on=Subquery(passing.values("instrument").annotate(m=Max("valid_until")).values("m")[:1]),
        last_verified_on=Subquery(any_verification.values("instrument").annotate(m=Max("performed_on")).values("m")[:1]),
    )


def _refresh_due_dates_postgresql(ids: list[int]) -> int:
    """The same as one ``UPDATE … FROM (aggregate)``: the correlated subqueries take seconds per 10,000
    instruments on a large table; this takes milliseconds."""
    records = ServiceRecord._meta.db_table
    instruments = Instrument._meta.db_table
    updated = 0
    with connection.cursor() as cur:
        for start in range(0, len(ids), 50_000):
            # Lock the instruments first, in id order, then compute in a new statement. Without the lock, two
            # transactions recording on one instrument at once race: the second UPDATE waits for the first's
            # row lock, then (READ COMMITTED) re-checks the row but keeps the aggregate of its own older
            # snapshot, which lacks the first's record — a due date behind the latest passing record
            # (tests/ops/test_concurrent_records.py). NO KEY UPDATE: records' foreign-key checks (KEY SHARE) on
            # these instruments do not wait for it.
            cur.execute(f"SELECT id FROM {instruments} WHERE id = ANY(%s::bigint[]) ORDER BY id "  # noqa: S608
                        f"FOR NO KEY UPDATE", [ids[start:start + 50_000]])
            cur.execute(
                f"UPDATE {instruments} i SET verification_due_on = a.due, last_verified_on = a.last "  # noqa: S608
                f"FROM (SELECT u.id, "
                f"max(r.valid_until) FILTER (WHERE r.result = %s AND r.withdrawn_on IS NULL) AS due, "
                f"max(r.performed_on) AS last FROM unnest(%s::bigint[]) AS u(id) "
                f"LEFT JOIN {records} r ON r.instrument_id = u.id AND r.activity = %s AND r.superseded_by_id IS NULL "
                f"GROUP BY u.id) a "
                f"WHERE i.id = a.id AND (i.verification_due_on IS DISTINCT FROM a.due "
                f"OR i.last_verified_on IS DISTINCT FROM a.last)",
                [Result.PASS, ids[start:start + 50_000], Activity.VERIFICATION])
            updated += cur.rowcount
    return updated


@writes.follow_up(ServiceRecord, fields=("instrument_id",))
def _due_dates_follow_records(values) -> None:
    """After any write of records (form, import, DCC, revert): the due dates of the instruments they name,
    before and after the write."""
    refresh_due_dates(values["instrument_id"])


# --- attachments -------------------------------------------------------------------------------------------

def attachment_add(*, record: ServiceRecord, user, file, description: str = ""):
    """Keep a file with a record (its type, size and content checked by the model's validators); a withdrawn or
    superseded certificate takes no more files (its lock says why)."""
    from django.core.exceptions import ValidationError

    from doluong.records.models import RecordAttachment

    reason = record.edit_lock()
    if reason:
        raise ValidationError(reason)
    attachment = RecordAttachment(record=record, file=file, description=description.strip())
    return writes.save(attachment, user=user, via=writes.Via.SERVICE)


def attachment_delete(*, attachment, user) -> None:
    """Remove a file from a record; the stored file goes once the deletion is committed."""
    from django.core.exceptions import ValidationError

    reason = attachment.record.edit_lock()
    if reason:
        raise ValidationError(reason)
    stored = attachment.file
    name, storage = stored.name, stored.storage
    writes.delete(attachment, user=user, via=writes.Via.SERVICE)
    writes.after_commit(lambda: storage.delete(name))
