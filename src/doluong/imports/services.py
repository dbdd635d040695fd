"""Reverting an import batch."""

import uuid

from django.db import models, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from doluong.core import writes
from doluong.core.changelog import change_context
from doluong.core.models import ObjectChange
from doluong.imports import spec as registry
from doluong.imports.models import ImportBatch, Status


class RevertRefused(Exception):
    pass


def _runs_q(runs) -> Q:
    q = Q(pk__in=[])
    for a, b in runs:
        q |= Q(pk__range=(a, b))
    return q


def _cascading_dependents(model, created: Q):
    """(relation, an example object) for each kind of object that refers to the created objects and would be
    deleted with them (``on_delete=CASCADE``), e.g. the scopes added since to an imported designation."""
    ids = model._default_manager.filter(created).values("pk")
    for rel in model._meta.related_objects:
        if rel.many_to_many or getattr(rel, "on_delete", None) is not models.CASCADE:
            continue
        example = rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": ids}).first()
        if example is not None:
            yield rel, example


def revert_batch(batch: ImportBatch, *, user=None, force: bool = False) -> dict:
    """Remove the objects the batch created and restore the ones it changed to their state before.

    Refused when an object was changed after the batch (unless ``force``) or when something now
    refers to an object the batch created. History: the removals and restorations are logged as
    usual, under one new request id.
    """
    spec = registry.get(batch.kind)
    if spec is None or batch.status != Status.DONE or batch.dry_run:
        raise RevertRefused(_("Only a completed import can be reverted."))
    model = spec.model
    changes = list(ObjectChange.objects.filter(request_id=batch.uuid, content_type=batch.content_type,
                                               action=ObjectChange.Action.UPDATE).order_by("pk"))
    changed_ids = [c.object_id for c in changes]
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != Status.DONE:
            raise RevertRefused(_("Only a completed import can be reverted."))
        scope = _runs_q(batch.created_ids) | Q(pk__in=changed_ids)
        if not force and batch.finished:
            later = model._default_manager.filter(scope, last_updated__gt=batch.finished).count()
            if later:
                raise RevertRefused(_("%(n)s objects of this import were changed after it; reverting would lose "
                                      "those changes.") % {"n": later})
        created = _runs_q(batch.created_ids)
        for rel, example in _cascading_dependents(model, created):
            raise RevertRefused(_("Objects created by this import now have %(what)s (for example %(example)s), "
                                  "which reverting would delete with them; remove those first.")
                                % {"what": rel.related_model._meta.verbose_name_plural, "example": example})
        state = spec.before_revert(list(model._default_manager.filter(scope).values_list("pk", flat=True))) \
            if spec.before_revert else None
        with change_context(user, request_id=uuid.uuid4()):
            deleted = 0
            try:
                for a, b in batch.created_ids:
                    # The system reverts: who may revert was decided by the caller (imports.views).
                    deleted += writes.delete_where(model._default_manager.filter(pk__range=(a, b)), user=None,
                                                   via=writes.Via.REVERT)
            except (ProtectedError, RestrictedError) as exc:
                objs = list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
                raise RevertRefused(_("Objects created by this import are now used by other data (for example "
                                      "%(example)s); remove those first.") % {"example": objs[0] if objs else ""}) \
                    from None
            objects = model._default_manager.in_bulk(changed_ids)
            restored = 0
            for change in reversed(changes):
                obj = objects.get(change.object_id)
                if obj is None:
                    continue
                for attname, value in (change.prechange_data or {}).items():
                    f = next((f for f in model._meta.concrete_fields if f.attname == attname), None)
                    if f is None or f.primary_key:
                        continue
                    setattr(obj, attname, f.to_python(value))
                # The state before was stored as it was: restore it as it was (no rules, no lock), with history
                # and the model's follow-ups (due dates…).
                writes.save(obj, user=None, via=writes.Via.REVERT, transition=True, validate=False)
                restored += 1
        if spec.after_revert and state is not None:
            spec.after_revert(state)
        batch.status = Status.REVERTED
        batch.reverted = timezone.now()
        batch.reverted_by = getattr(user, "username", "") or ""
        batch.save(update_fields=["status", "reverted", "reverted_by"])
    return {"deleted": deleted, "restored": restored}
