"""Evaluations and writes of inspections.

``lot_check_evaluate`` and ``instrument_check_evaluate`` compute a check's verdict from the metrology
engine (and, for instruments, the verification records) and set it on the object without saving;
the models' ``clean()`` calls them, so a verdict is never typed and is recomputed on every save.
(They live in ``inspections.evaluation`` and are re-exported here.) ``inspection_close`` and
``finding_close`` are the workflow's transitions, written through :mod:`doluong.core.writes`; a finding,
whichever face records it, moves its open inspection to "findings recorded" (a follow-up).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doluong.core import writes
from doluong.inspections.evaluation import (  # noqa: F401  (re-exported: callers import them from here)
    instrument_check_evaluate,
    lot_check_evaluate,
    lot_outcome,
    normalise_class,
    valid_verification_on,
)
from doluong.inspections.models import Finding, FindingStatus, Inspection, InspectionStatus

# ---------------------------------------------------------------------------------------------------
# inspections and findings


def inspection_close(*, inspection: Inspection, user, on: dt.date) -> Inspection:
    """Close ``inspection`` on ``on``; refused (ValidationError listing them) while a finding is open."""
    with transaction.atomic(), writes.acting_as(user):
        locked = writes.locked(Inspection, inspection.pk, user)
        open_ones = list(locked.open_findings().order_by("pk"))
        if open_ones:
            raise ValidationError(_("The inspection cannot be closed while findings are open: %(list)s.") % {
                "list": "; ".join(str(f) for f in open_ones)})
        return writes.change(locked, user=user, status=InspectionStatus.CLOSED, closed_on=on)


@writes.follow_up(Finding, fields=("inspection_id",))
def _findings_move_inspection(values) -> None:
    """A finding moves its open inspection to "findings recorded", with history, whichever face recorded it."""
    inspections = Inspection.objects.filter(pk__in=values["inspection_id"], status=InspectionStatus.OPEN)
    writes.update_where(inspections, user=None, via=writes.Via.SERVICE, transition=True,
                        status=InspectionStatus.FINDINGS)


def finding_close(*, finding: Finding, user, on: dt.date) -> Finding:
    """Mark the follow-up of ``finding`` done on ``on`` and close it."""
    with transaction.atomic(), writes.acting_as(user):
        locked = writes.locked(Finding, finding.pk, user)
        done = on if locked.follow_up_deadline and not locked.follow_up_done_on else locked.follow_up_done_on
        return writes.change(locked, user=user, status=FindingStatus.CLOSED, follow_up_done_on=done)
