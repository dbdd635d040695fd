"""The one write path: forms, imports, DCC, revert, the API and every service write through here.

:func:`save` and :func:`delete` write one object, :func:`save_many` a batch (imports, bulk
services). Each runs in one transaction and does, in this order:

1. refuse what the model's declarations forbid outside a workflow: a change to a workflow field
   (``workflow_fields``: a case's stage, a report's status) unless the caller is that workflow's
   service (``transition=True``), and any edit of an object whose ``edit_lock()`` gives a reason;
2. compute the derived values (``obj.derive()``: valid-until, verdicts), so that a caller who
   skips validation still stores current values;
3. validate: Django's field checks, ``clean()`` and the declared ``rules`` (``full_clean``);
4. write, and keep history: the post-save signal writes one :class:`~doluong.core.models.ObjectChange`
   per object, bulk writes build theirs with :func:`doluong.core.changelog.change_row`;
5. run the model's follow-ups (:func:`follow_up`), set-based over what was touched (instruments'
   due dates after records, a case moved to "supporting" by its first support…);
6. check, still inside the transaction, that the written object is within what the user may add
   or change; if not, everything is rolled back and :class:`WriteRefused` raised (a workflow
   service's transition is authorised by the service itself).

Side effects that must not happen for a rolled-back write (files deleted, mail) are registered
with :func:`after_commit`.
"""

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from doluong.core import access, changelog, rules


class Via(models.TextChoices):
    """Which face a write came through. Every caller says it; it is not stored yet (a column of ObjectChange
    would be the place, once the API needs to show it) and no rule depends on it: the rules are the model's."""

    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    DCC = "dcc", _("Digital calibration certificate")
    API = "api", _("API")
    SERVICE = "service", _("Service")
    REVERT = "revert", _("Import revert")
    SYSTEM = "system", _("System")


class WriteRefused(PermissionDenied):
    """The write would leave what the user may add, change or delete; nothing was kept."""


# --- follow-ups -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FollowUp:
    fields: tuple[str, ...]
    run: Callable[[dict[str, set]], None]


_follow_ups: dict[type, list[FollowUp]] = {}


def follow_up(model, *, fields: Sequence[str]):
    """Register ``fn(values)`` to run after every write of ``model``; ``values`` maps each of ``fields``
    (attnames) to the set of its values before and after the write, over all objects written."""

    def register(fn):
        _follow_ups.setdefault(model, []).append(FollowUp(tuple(fields), fn))
        return fn

    return register


def follow_ups(model) -> list[FollowUp]:
    return _follow_ups.get(model, [])


@dataclass
class Touched:
    """The values a batch of writes touched, gathered for the model's follow-ups (one run for many writes)."""

    model: type
    values: dict[str, set] = field(default_factory=dict)

    def __post_init__(self):
        for fu in follow_ups(self.model):
            for name in fu.fields:
                self.values.setdefault(name, set())

    def add(self, *states: Mapping | None) -> None:
        """Add the state before and/or after one write (mappings by attname)."""
        for state in states:
            if not state:
                continue
            for name, seen in self.values.items():
                value = state.get(name)
                if value is not None:
                    seen.add(value)

    def add_object(self, obj, before: Mapping | None = None) -> None:
        self.add(before, {name: getattr(obj, name, None) for name in self.values})

    def add_queryset(self, queryset) -> None:
        names = list(self.values)
        if names:
            for row in queryset.values(*names):
                self.add(row)

    def __bool__(self) -> bool:
        return any(self.values.values())

    def run(self) -> None:
        for fu in follow_ups(self.model):
            fu.run({name: self.values[name] for name in fu.fields})


def after_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` once the surrounding write has committed (never for a rolled-back one)."""
    transaction.on_commit(fn)


# --- who acts, and what they may touch ---------------------------------------------------------

def acting_as(user):
    """Attribute the changes to ``user`` unless the surrounding context already does (web requests)."""
    ctx = changelog.current()
    if user is None or ctx.user_id == getattr(user, "pk", None):
        return nullcontext()
    return changelog.change_context(user, enabled=ctx.enabled)


def may(user, obj, action: str) -> bool:
    """Whether ``user`` may ``action`` this stored object (None: the system, which may everything)."""
    if user is None:
        return True
    return access.restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def locked(model, pk, user, action: str = "change"):
    """The row, locked for update, if ``user`` may ``action`` it; otherwise PermissionDenied."""
    qs = model._default_manager.filter(pk=pk)
    if user is not None:
        qs = access.restrict(qs, user, action)
    obj = qs.select_for_update().first()
    if obj is None:
        raise PermissionDenied(_("You may not change this %(name)s.") % {"name": model._meta.verbose_name})
    return obj


def _check_within(obj, user, action: str) -> None:
    if user is not None and not may(user, obj, action):
        raise WriteRefused(_("These values would put the object outside what your organisation may change."))


def workflow_changes(obj) -> list[str]:
    """The workflow fields of a stored object whose value differs from the stored one (a new object starts
    wherever its creator puts it: the generic form does not offer workflow fields, so that is the default)."""
    before = getattr(obj, "_loaded_snapshot", None)
    if obj._state.adding or before is None:
        return []
    names = []
    for name in getattr(obj, "workflow_fields", ()):
        attname = obj._meta.get_field(name).attname
        if changelog.to_json(getattr(obj, attname)) != before.get(attname):
            names.append(name)
    return names


def _stored(obj):
    """The object as it is stored (for the lock check: the state found, not the state being written)."""
    before = getattr(obj, "_loaded_snapshot", None)
    if before is None or obj.pk is None:
        return None
    stored = type(obj)()
    for f in obj._meta.concrete_fields:
        if f.attname in before:
            setattr(stored, f.attname, f.to_python(before[f.attname]))
    stored.pk = obj.pk
    return stored


def _check_writable_fields(obj, user) -> None:
    """A role limited to some fields (``access["fields"]``) may not change the others, whatever face it uses."""
    allowed = access.writable_fields(type(obj), user) if user is not None else None
    before = getattr(obj, "_loaded_snapshot", None)
    if allowed is None or before is None:
        return
    refused = [f for f in obj._meta.concrete_fields if f.attname in before and f.name not in allowed
               and changelog.to_json(getattr(obj, f.attname)) != before[f.attname]]
    if refused:
        raise WriteRefused(_("Your organisation may not change: %(fields)s.") % {
            "fields": ", ".join(str(f.verbose_name) for f in refused)})


def check_not_locked(obj) -> None:
    stored = _stored(obj)
    reason = stored.edit_lock() if stored is not None and hasattr(stored, "edit_lock") else None
    if reason:
        raise ValidationError(reason)


# --- one object ------------------------------------------------------------------------------------

def _concurrent_duplicates_refused(write):
    """A unique value (a provider's certificate number) taken by another transaction after this one validated
    surfaces at the INSERT as an IntegrityError: the INSERT waited for that transaction and failed once it
    committed. Validating again, once this write is rolled back, now finds the other row and raises the rule's
    own ValidationError ("already used by this provider"); any other IntegrityError is raised as it was."""

    @functools.wraps(write)
    def wrapper(obj, *args, validate: bool = True, exclude: Iterable[str] = (), **kwargs):
        try:
            return write(obj, *args, validate=validate, exclude=exclude, **kwargs)
        except IntegrityError:
            if not validate or transaction.get_connection().needs_rollback:
                raise
            obj.full_clean(exclude=list(exclude) or None)
            raise

    return wrapper


@_concurrent_duplicates_refused
def save(obj, *, user, via: str, transition: bool = False, validate: bool = True, exclude: Iterable[str] = (),
         m2m: Callable[[], None] | None = None):
    """Write ``obj`` (create or update) through the model's rules; see the module docstring.

    ``transition``: the caller is the model's workflow service, which may change workflow fields and
    edit a locked object, and has itself decided who may make the transition (no scope check after).
    ``exclude``: fields a form does not show (their errors become non-field errors). ``m2m``: saves
    many-to-many values once the object exists (a form's ``save_m2m``).
    Raises ValidationError (nothing written) or :class:`WriteRefused` (rolled back).
    """
    model = type(obj)
    creating = obj._state.adding
    with transaction.atomic(), acting_as(user):
        if not transition:
            changed = workflow_changes(obj)
            if changed:
                raise ValidationError({name: _("This field is changed only by its workflow (the buttons on the "
                                               "object's page).") for name in changed})
            if not creating:
                check_not_locked(obj)
                _check_writable_fields(obj, user)
        before = None if creating else getattr(obj, "_loaded_snapshot", None)
        if validate:
            obj.full_clean(exclude=list(exclude) or None)  # derives first
        elif hasattr(obj, "derive"):
            obj.derive()
        obj.save()
        if m2m is not None:
            m2m()
            obj._pending_m2m = {}
            if rules.m2m_rule_fields(model):  # the rules again, on the many-to-many values now stored
                rules.check_instance(obj, exclude)
        if follow_ups(model):
            touched = Touched(model)
            touched.add_object(obj, before)
            touched.run()
        if not transition:  # a workflow service decides itself who may make its transition (a leader reviews)
            _check_within(obj, user, "add" if creating else "change")
    return obj


def delete(obj, *, user, via: str, transition: bool = False) -> None:
    """Delete ``obj`` if ``user`` may, and it is not locked; its model's follow-ups run after."""
    model = type(obj)
    with transaction.atomic(), acting_as(user):
        if user is not None and not may(user, obj, "delete"):
            raise WriteRefused(_("You may not delete this %(name)s.") % {"name": model._meta.verbose_name})
        if not transition:
            check_not_locked(obj)
            # A model may refuse deletion alone (``delete_lock()``: an issued certificate is withdrawn, not deleted).
            reason = obj.delete_lock() if hasattr(obj, "delete_lock") else None
            if reason:
                raise ValidationError(reason)
        touched = Touched(model) if follow_ups(model) else None
        if touched is not None:
            touched.add_object(obj)
        obj.delete()
        if touched is not None:
            touched.run()


def delete_where(queryset, *, user, via: str) -> int:
    """Delete every object of ``queryset`` (set-based; each deletion leaves its history row) if ``user`` may
    delete them all; the model's follow-ups run once after. Returns the number of objects deleted."""
    model = queryset.model
    with transaction.atomic(), acting_as(user):
        if user is not None:
            total = queryset.count()
            if access.restrict(queryset, user, "delete").count() != total:
                raise WriteRefused(_("You may not delete this %(name)s.") % {"name": model._meta.verbose_name})
        touched = Touched(model) if follow_ups(model) else None
        if touched is not None:
            touched.add_queryset(queryset)
        deleted = queryset.delete()[1].get(model._meta.label, 0)
        if touched is not None:
            touched.run()
    return deleted


def change(obj, *, user, via: str = Via.SERVICE, **values):
    """Set ``values`` on ``obj`` and save it as its workflow service (``transition=True``)."""
    for name, value in values.items():
        setattr(obj, name, value)
    return save(obj, user=user, via=via, transition=True)


# --- many objects -----------------------------------------------------------------------------------

def save_many(objs: Sequence, *, user, via: str, validate: bool = True):
    """Create many new objects of one model set-based: rules for all, one INSERT, history in one INSERT,
    follow-ups once, the access check for all; all or nothing."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    with transaction.atomic(), acting_as(user):
        for obj in objs:
            if validate:
                obj.full_clean(validate_unique=False)  # derives first
            elif hasattr(obj, "derive"):
                obj.derive()
        model._default_manager.bulk_create(objs)
        changelog.log_created(objs)
        if follow_ups(model):
            touched = Touched(model)
            for obj in objs:
                touched.add_object(obj)
            touched.run()
        rule = access.scope_q(model, user, "add") if user is not None else None
        if user is not None and (rule is None or rule != Q()):  # a rule of ALL needs no query
            ids = [o.pk for o in objs]
            allowed = access.restrict(model._default_manager.filter(pk__in=ids), user, "add").count()
            if allowed != len(ids):
                raise WriteRefused(_("These values would put the object outside what your organisation may "
                                     "change."))
    return objs


@dataclass
class RowAccess:
    """An import batch's rows split by what the user may do: the rows kept and the rows refused, with why."""

    new: list
    changed: list
    refused: list  # (row, column, message marked for translation)


def check_rows_access(model, user, new: list[dict], changed: list[dict]) -> RowAccess:
    """The access check of :func:`save` for import rows (attname → value dicts; changed rows carry ``_id``):
    a new row must fall within the user's ``add`` rule, a changed object within its ``change`` rule (both
    checked before the write; the engine writes only the rows kept)."""
    from django.utils.translation import gettext_noop

    from doluong.core.roles import role_of

    if user is None or role_of(user) is None:
        return RowAccess(new, changed, [])
    refused = []
    org = getattr(user, "organization_id", None)
    add_rule = access.scope_q(model, user, "add", province=False)  # a new row's province: checked once written
    owner = access.owner_field(model, user, "add")
    outside = gettext_noop("outside what your organisation may change")
    kept_new = []
    for row in new:
        if add_rule is None:
            refused.append((row, "", gettext_noop("you may not add objects of this kind")))
        elif owner and row.get(f"{owner}_id", org) != org:
            refused.append((row, f"{owner}_id", outside))
        elif add_rule and not owner:
            refused.append((row, "", outside))
        else:
            kept_new.append(row)
    kept_changed = changed
    if changed:
        allowed = set(access.restrict(model._default_manager.filter(pk__in=[r["_id"] for r in changed]), user,
                                      "change").values_list("pk", flat=True))
        writable = access.writable_fields(model, user)
        names = {f.attname: f.name for f in model._meta.concrete_fields}
        kept_changed = []
        for row in changed:
            old = row.get("_old", {})
            locked_field = writable is not None and next(
                (a for a, name in names.items() if name not in writable and a in row and a in old and row[a] != old[a]),
                None)
            if row["_id"] not in allowed:
                refused.append((row, "", outside))
            elif locked_field:
                refused.append((row, locked_field, gettext_noop("your organisation may not change this field")))
            else:
                kept_changed.append(row)
    return RowAccess(kept_new, kept_changed, refused)


def log_bulk_changes(model, changes: Sequence[tuple[int, dict, dict, str]]) -> None:
    """History of a set-based update: ``(pk, state before, state after, repr)`` per object, one INSERT."""
    from doluong.core.models import ObjectChange

    changelog.log_rows([changelog.change_row(model, ObjectChange.Action.UPDATE, pk, before=pre, after=post,
                                             object_repr=text) for pk, pre, post, text in changes])


def log_bulk_creations(model, runs: Sequence[tuple[int, int]]) -> None:
    """History of a bulk creation: one row per run of consecutive ids."""
    changelog.log_created_runs(model, runs)


def update_where(queryset, *, user, via: str, transition: bool = False, **values) -> int:
    """A set-based update with history: every object of ``queryset`` gets ``values`` (one UPDATE), each change
    leaves a history row (one INSERT), follow-ups run once. Workflow fields need ``transition``."""
    model = queryset.model
    workflow = set(getattr(model, "workflow_fields", ()))
    if not transition and workflow & set(values):
        raise ValidationError(_("This field is changed only by its workflow (the buttons on the object's page)."))
    with transaction.atomic(), acting_as(user):
        objs = list(queryset.select_for_update())
        if user is not None:
            allowed = set(access.restrict(model._default_manager.filter(pk__in=[o.pk for o in objs]), user,
                                          "change").values_list("pk", flat=True))
            if len(allowed) != len(objs):
                raise WriteRefused(_("You may not change this %(name)s.") % {"name": model._meta.verbose_name})
        touched = Touched(model) if follow_ups(model) else None
        changes = []
        for obj in objs:
            before = getattr(obj, "_loaded_snapshot", None) or changelog.snapshot(obj)
            for name, value in values.items():
                setattr(obj, name, value)
            after = changelog.snapshot(obj)
            if after != before:
                changes.append((obj.pk, before, after, changelog.safe_repr(obj)))
            if touched is not None:
                touched.add_object(obj, before)
        if changes:
            stamped = any(f.name == "last_updated" for f in model._meta.fields)
            stamp = {"last_updated": timezone.now()} if stamped else {}
            model._default_manager.filter(pk__in=[c[0] for c in changes]).update(**values, **stamp)
            log_bulk_changes(model, changes)
        if touched is not None:
            touched.run()
    return len(changes)
