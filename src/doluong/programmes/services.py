"""Writes of the programmes: advancing an assurance case, recording support, enrolling attendees.

Each service is keyword-only and transactional, locks the row it builds on, checks the user's
rights through :mod:`doluong.core.access`, and validates with the models' ``clean()`` rules.
"""

import datetime as dt
from contextlib import nullcontext
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doluong.core import access, changelog
from doluong.core.models import ObjectChange
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


def _acting_as(user):
    """Attribute changes to ``user`` unless the surrounding context already does (web requests)."""
    ctx = changelog.current()
    if user is None or ctx.user_id == getattr(user, "pk", None):
        return nullcontext()
    return changelog.change_context(user, enabled=ctx.enabled)


def _locked(model, pk: int, user, action: str = "change"):
    """The row, locked for update, if ``user`` may ``action`` it; otherwise PermissionDenied."""
    qs = model.objects.filter(pk=pk)
    if user is not None:
        qs = access.restrict(qs, user, action)
    obj = qs.select_for_update().first()
    if obj is None:
        raise PermissionDenied(_("You may not change this %(name)s.") % {"name": model._meta.verbose_name})
    return obj


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
    with transaction.atomic(), _acting_as(user):
        case = _locked(AssuranceCase, case.pk, user)
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
        case.full_clean()
        case.save()
        return case


def delivery_record(*, case: AssuranceCase, kind: str, delivered_on: dt.date, provider: Organization | None = None,
                    record: ServiceRecord | None = None, description: str = "", cost: Decimal | int = 0,
                    user=None) -> SupportDelivery:
    """Record one support (one enterprise-time) for a selected case.

    The first support moves a case from selected to supporting. The provider defaults to the
    record's provider.
    """
    with transaction.atomic(), _acting_as(user):
        case = _locked(AssuranceCase, case.pk, user)
        if user is not None and not access.can(user, SupportDelivery, "add"):
            raise PermissionDenied(_("You may not record support."))
        delivery = SupportDelivery(case=case, kind=kind, delivered_on=delivered_on, provider=provider, record=record,
                                   description=description, cost=Decimal(cost))
        delivery.full_clean()
        delivery.save()
        after_delivery_saved(delivery)
        return delivery


def after_delivery_saved(delivery: SupportDelivery) -> None:
    """The first support moves its case from selected to supporting (inside the saving transaction)."""
    case = delivery.case
    if case.stage == Stage.SELECTED:
        case.stage = Stage.SUPPORTING
        case.save(update_fields=["stage", "last_updated", "search_text"])


def training_add_attendees(*, training: Training, people: list[Person], role: str, user=None,
                           ) -> tuple[list[Attendance], list[Person]]:
    """Put ``people`` on the attendance list of ``training`` in ``role``, set-based.

    Returns (attendances added, people skipped because already listed — or listed twice in
    ``people``). Queries: lock the training, find those already listed, insert the new rows, and
    write their history rows — four, whatever the number of people.
    """
    if role not in AttendeeRole.values:
        raise ValidationError(_("Unknown role %(role)s.") % {"role": role})
    with transaction.atomic(), _acting_as(user):
        training = _locked(Training, training.pk, user, "view")
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
        if new:
            Attendance.objects.bulk_create(new)
            _log_created(new)
        return new, skipped


def _log_created(objs) -> None:
    """History rows for objects inserted in bulk (bulk_create sends no signals): one insert."""
    ctx = changelog.current()
    if not ctx.enabled or not objs or objs[0].pk is None:
        return
    ct = ContentType.objects.get_for_model(type(objs[0]))
    ObjectChange.objects.bulk_create([
        ObjectChange(user_id=ctx.user_id, user_name=ctx.user_name, request_id=ctx.request_id,
                     action=ObjectChange.Action.CREATE, content_type=ct, object_id=o.pk,
                     object_repr=str(o)[:200], prechange_data=None, postchange_data=changelog.snapshot(o))
        for o in objs
    ])
