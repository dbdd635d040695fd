"""Change history: who changed what, when, with the state before and after.

One :class:`~doluong.core.models.ObjectChange` row per create, update and delete of any
:class:`~doluong.core.models.BaseModel`. The user and request id come from the change context that
the middleware (web) or :func:`change_context` (commands, imports) sets; the post-save and
post-delete hooks here are the only signals in the project.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from doluong.core.state import snapshot, to_json  # noqa: F401  (re-exported: the history's JSON form)


@dataclass(frozen=True)
class ChangeContext:
    user_id: int | None = None
    user_name: str = ""
    request_id: uuid.UUID | None = None
    enabled: bool = True


_DEFAULT = ChangeContext()
_context: ContextVar[ChangeContext] = ContextVar("doluong_change_context", default=_DEFAULT)


def current() -> ChangeContext:
    return _context.get()


@contextmanager
def change_context(user=None, *, request_id: uuid.UUID | None = None, enabled: bool = True):
    """Attribute every change made inside the block to ``user`` (and one request id)."""
    ctx = ChangeContext(
        user_id=getattr(user, "pk", None),
        user_name=getattr(user, "username", "") or "",
        request_id=request_id or uuid.uuid4(),
        enabled=enabled,
    )
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def change_row(model, action: str, object_id: int, *, before: dict | None = None, after: dict | None = None,
               object_repr: str = "", object_id_end: int | None = None, ctx: ChangeContext | None = None):
    """The one builder of history rows (unsaved): single writes, bulk writes and imports all use it."""
    from django.contrib.contenttypes.models import ContentType

    from doluong.core.models import ObjectChange

    ctx = ctx or current()
    return ObjectChange(
        user_id=ctx.user_id, user_name=ctx.user_name, request_id=ctx.request_id, action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id=object_id, object_id_end=object_id_end, object_repr=(object_repr or "")[:200],
        prechange_data=before, postchange_data=after,
    )


def safe_repr(obj) -> str:
    try:
        return str(obj)[:200]
    except Exception:  # a repr that needs a relation not loaded
        return f"#{obj.pk}"


def log_rows(rows: list) -> None:
    """Store history rows built by :func:`change_row` (one INSERT per thousand), unless history is off."""
    from doluong.core.models import ObjectChange

    if rows and current().enabled:
        ObjectChange.objects.bulk_create(rows, batch_size=1000)


def log_created(objs) -> None:
    """History rows for objects inserted in bulk (``bulk_create`` sends no signals): one insert."""
    from doluong.core.models import ObjectChange

    objs = [o for o in objs if o.pk is not None]
    log_rows([change_row(type(o), ObjectChange.Action.CREATE, o.pk, after=snapshot(o), object_repr=safe_repr(o))
              for o in objs])


def log_created_runs(model, runs, *, object_repr: str = "") -> None:
    """One history row per run of consecutive ids created in bulk (an import): ``[(first, last), …]``."""
    from doluong.core.models import ObjectChange

    log_rows([change_row(model, ObjectChange.Action.CREATE, a, object_id_end=b, object_repr=object_repr)
              for a, b in runs])


def _log(instance, action: str, before: dict | None, after: dict | None) -> None:
    from doluong.core.models import ObjectChange

    ctx = current()
    if not ctx.enabled:
        return
    if action == ObjectChange.Action.UPDATE and before is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        if not changed:
            return
    change_row(instance, action, instance.pk, before=before, after=after, object_repr=safe_repr(instance),
               ctx=ctx).save()


def _is_logged(sender) -> bool:
    from doluong.core.models import ChangeLogged

    return isinstance(sender, type) and issubclass(sender, ChangeLogged) and not sender._meta.abstract


def _pre_save(sender, instance, raw=False, **kwargs):
    if not _is_logged(sender):
        return
    instance.refresh_search_text()


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _is_logged(sender):
        return
    from doluong.core.models import ObjectChange

    after = snapshot(instance)
    if created:
        _log(instance, ObjectChange.Action.CREATE, None, after)
    else:
        _log(instance, ObjectChange.Action.UPDATE, getattr(instance, "_loaded_snapshot", None), after)
    instance._loaded_snapshot = after


def _post_delete(sender, instance, **kwargs):
    if not _is_logged(sender):
        return
    from doluong.core.models import ObjectChange

    _log(instance, ObjectChange.Action.DELETE, snapshot(instance), None)


def _m2m_field_name(instance, through) -> str | None:
    for f in instance._meta.many_to_many:
        if f.remote_field.through is through:
            return f.name
    return None


def _m2m_changed(sender, instance, action, reverse, **kwargs):
    """Changes to a many-to-many field are logged as an update of the object that holds the field."""
    if reverse or not _is_logged(type(instance)):
        return
    name = _m2m_field_name(instance, sender)
    if name is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        before = getattr(instance, "_m2m_before", {})
        before[name] = sorted(getattr(instance, name).values_list("pk", flat=True))
        instance._m2m_before = before
    elif action in ("post_add", "post_remove", "post_clear"):
        from doluong.core.models import ObjectChange

        before = getattr(instance, "_m2m_before", {}).pop(name, None)
        after = sorted(getattr(instance, name).values_list("pk", flat=True))
        if before != after:
            _log(instance, ObjectChange.Action.UPDATE, {name: before}, {name: after})


def connect() -> None:
    pre_save.connect(_pre_save, dispatch_uid="doluong.core.changelog.pre_save")
    post_save.connect(_post_save, dispatch_uid="doluong.core.changelog.post_save")
    post_delete.connect(_post_delete, dispatch_uid="doluong.core.changelog.post_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="doluong.core.changelog.m2m_changed")
