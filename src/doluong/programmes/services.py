"""Writes of the programmes: advancing an assurance case, recording support, enrolling attendees.

Each service is keyword-only and transactional, locks the row it builds on, checks the user's
rights through :mod:`doluong.core.access`, and validates with the models' ``clean()`` rules.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doluong.core import access, writes
from doluong.orgs.models import Organization, Person
from doluong.programmes.models import (
    STAGE_ORDER,
    AssuranceCase,
    Attendance,
    AttendeeRole,
    Stage,
    SupportDelivery,
    Training,
)
from doluong.records.models import ServiceRecord


def next_stages(stage: str) -> list[str]:
    """Stages a case at ``stage`` may move to: the next one in order, or dropped until completion."""
    if stage in (Stage.COMPLETED, Stage.DROPPED):
        return []
    i = STAGE_ORDER.index(stage)
    return [STAGE_ORDER[i + 1], Stage.DROPPED]


def case_advance(*, case: AssuranceCase, stage: str, on: dt.date, user, outcome: str = "") -> AssuranceCase:
    """Move ``case`` to ``stage`` on ``on``: one step forward in order, or to dropped.

    Selecting sets ``selected_on``; completing or dropping sets ``closed_on`` (and ``outcome`` when
    given). Raises ValidationError when the step is not allowed or the date is before the case's
    earlier dates.
    """
    with transaction.atomic(), writes.acting_as(user):
        case = writes.locked(AssuranceCase, case.pk, user)
        if stage not in next_stages(case.stage):
            raise ValidationError(_("A case at stage “%(now)s” cannot move to “%(to)s”; stages go survey → "
                                    "assessment → selected → supporting → completed, or to dropped.") % {
                "now": case.get_stage_display(), "to": Stage(stage).label if stage in Stage.values else stage})
        latest = max((d for d in (case.surveyed_on, case.selected_on) if d), default=None)
        if latest and on < latest:
            raise ValidationError(_("The date is before the case's earlier date %(date)s.") % {
                "date": latest.strftime("%d/%m/%Y")})
        last_delivery = case.deliveries.order_by("-delivered_on").values_list("delivered_on", flat=True).first()
        if stage in (Stage.COMPLETED, Stage.DROPPED) and last_delivery and on < last_delivery:
            raise ValidationError(_("The case cannot be closed before its last support (%(date)s).") % {
                "date": last_delivery.strftime("%d/%m/%Y")})
        case.stage = stage
        if stage == Stage.SELECTED:
            case.selected_on = on
        elif stage in (Stage.COMPLETED, Stage.DROPPED):
            case.closed_on = on
            if outcome:
                case.outcome = outcome
        return writes.save(case, user=user, via=writes.Via.SERVICE, transition=True)


def delivery_record(*, case: AssuranceCase, kind: str, delivered_on: dt.date, provider: Organization | None = None,
                    record: ServiceRecord | None = None, description: str = "", cost: Decimal | int = 0,
                    user=None) -> SupportDelivery:
    """Record one support (one enterprise-time) for a selected case.

    The first support moves a case from selected to supporting. The provider defaults to the
    record's provider.
    """
    with transaction.atomic(), writes.acting_as(user):
        case = writes.locked(AssuranceCase, case.pk, user)
        if user is not None and not access.can(user, SupportDelivery, "add"):
            raise PermissionDenied(_("You may not record support."))
        delivery = SupportDelivery(case=case, kind=kind, delivered_on=delivered_on, provider=provider, record=record,
                                   description=description, cost=Decimal(cost))
        return writes.save(delivery, user=user, via=writes.Via.SERVICE)


@writes.follow_up(SupportDelivery, fields=("case_id",))
def _first_support_moves_case(values) -> None:
    """The first support of a selected case moves it to supporting, whichever face recorded the support."""
    cases = AssuranceCase.objects.filter(pk__in=values["case_id"], stage=Stage.SELECTED)
    writes.update_where(cases, user=None, via=writes.Via.SERVICE, transition=True, stage=Stage.SUPPORTING)


def training_add_attendees(*, training: Training, people: list[Person], role: str, user=None,
                           ) -> tuple[list[Attendance], list[Person]]:
    """Put ``people`` on the attendance list of ``training`` in ``role``, set-based.

    Returns (attendances added, people skipped because already listed — or listed twice in
    ``people``). Queries: lock the training, find those already listed, insert the new rows, and
    write their history rows (:func:`doluong.core.writes.save_many`) — the same number whatever the number
    of people.
    """
    if role not in AttendeeRole.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    with transaction.atomic(), writes.acting_as(user):
        training = writes.locked(Training, training.pk, user, "view")
        if user is not None and not access.can(user, Attendance, "add"):
            raise PermissionDenied(_("You may not add attendees."))
        Attendance(training=training, role=role).clean()  # rules that do not depend on the person
        listed = set(Attendance.objects.filter(training=training, person__in=[p.pk for p in people])
                     .values_list("person_id", flat=True))
        new, skipped = [], []
        for person in people:
            if person.pk in listed:
                skipped.append(person)
                continue
            listed.add(person.pk)
            new.append(Attendance(training=training, person=person, organization_id=person.organization_id,
                                  role=role))
        # The rules that do not depend on the person were checked above, once; validating each row would cost a
        # query per person.
        writes.save_many(new, user=user, via=writes.Via.SERVICE, validate=False)
        return new, skipped
