"""Writes that keep instruments' due dates in step with their records."""

from django.db.models import Max, OuterRef, Subquery

from doluong.instruments.models import Instrument
from doluong.providers.models import Activity
from doluong.records.models import Result, ServiceRecord


def refresh_due_dates(instrument_ids) -> int:
    """Recompute verification_due_on and last_verified_on of these instruments, set-based.

    Due date: the latest valid_until among passing verifications; last verified: the latest
    verification date of any result. Returns the number of instruments updated.
    """
    passing = ServiceRecord.objects.filter(instrument=OuterRef("pk"), activity=Activity.VERIFICATION,
                                           result=Result.PASS)
    any_verification = ServiceRecord.objects.filter(instrument=OuterRef("pk"), activity=Activity.VERIFICATION)
    return Instrument.objects.filter(pk__in=list(instrument_ids)).update(
        verification_due_on=Subquery(passing.values("instrument").annotate(m=Max("valid_until")).values("m")[:1]),
        last_verified_on=Subquery(any_verification.values("instrument").annotate(m=Max("performed_on")).values("m")[:1]),
    )


def after_record_saved(record: ServiceRecord) -> None:
    ids = {record.instrument_id}
    before = getattr(record, "_loaded_snapshot", None) or {}
    if before.get("instrument_id"):
        ids.add(before["instrument_id"])
    refresh_due_dates(ids)


def after_record_deleted(record: ServiceRecord) -> None:
    refresh_due_dates([record.instrument_id])
