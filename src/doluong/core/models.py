"""Shared base model, restricted querysets and the change log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doluong.core import access
from doluong.core.text import fold, search_terms


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Only what ``user`` may ``action`` (see :mod:`doluong.core.access`)."""
        return access.restrict(self, user, action)

    def search(self, query: str | None):
        """Accent-insensitive search: every word of ``query`` must occur in the object's text."""
        qs = self
        for term in search_terms(query):
            qs = qs.filter(search_text__contains=term)
        return qs


class BaseManager(models.Manager.from_queryset(RestrictedQuerySet)):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        names = related_names(self.model, objs)  # one query per searchable relation, not one per object
        for obj in objs:
            obj.refresh_search_text(names)
        return super().bulk_create(objs, *args, **kwargs)


def related_names(model, objs) -> dict[str, dict]:
    """{attname: {related id: name}} for the ``search_related`` of ``objs`` whose relation is not loaded."""
    out = {}
    for attname, name in getattr(model, "search_related", ()):
        relation = attname[:-3]
        ids = {getattr(o, attname) for o in objs if relation not in o._state.fields_cache} - {None}
        target = model._meta.get_field(relation).related_model
        out[attname] = dict(target._default_manager.filter(pk__in=ids).values_list("pk", name)) if ids else {}
    return out


class ChangeLogged(models.Model):
    """Mixin: every create, change and delete of the model is kept in :class:`ObjectChange`."""

    changelog_exclude: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}", kwargs={"pk": self.pk})

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        if len(values) == len(cls._meta.concrete_fields):
            from doluong.core.state import snapshot

            instance._loaded_snapshot = snapshot(instance)
        return instance

    def refresh_search_text(self, names: dict | None = None) -> None:
        """Models without a search column have nothing to refresh."""


class BaseModel(ChangeLogged):
    """Base of every registry and record model: timestamps, search text, access rules, history.

    Subclasses declare ``search_fields`` (attribute names whose text is searchable, accents
    folded) and ``access`` (see :mod:`doluong.core.access`).
    """

    created = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, editable=False)
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = BaseManager()

    search_fields: tuple[str, ...] = ()
    # Names of related objects that are searchable too, as (foreign key attname, the related model's field):
    # ("owner_id", "name") makes "hoa phat" find the instruments of Hòa Phát. Imports look them up per batch.
    search_related: tuple[tuple[str, str], ...] = ()
    access: dict = {}
    changelog_exclude = ("search_text", "created", "last_updated")
    # Declared rules (doluong.core.rules), checked by full_clean and by every import of the model.
    rules: tuple = ()
    # Fields that only the model's workflow service changes (a case's stage, a report's status): the generic
    # form does not offer them and doluong.core.writes.save refuses a change to them outside a transition.
    workflow_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def refresh_search_text(self, names: dict | None = None) -> None:
        """``names``: related names looked up for many objects at once (:func:`related_names`)."""
        related = {}
        for attname, name in self.search_related:
            pk = getattr(self, attname, None)
            relation = attname[:-3]
            if pk is None:
                related[attname] = None
            elif names is not None and relation not in self._state.fields_cache:
                related[attname] = names.get(attname, {}).get(pk)
            else:
                related[attname] = getattr(getattr(self, relation), name, None)
        self.search_text = search_text_of(type(self), {n: getattr(self, n, None) for n in self.search_fields},
                                          related)

    def derive(self) -> None:
        """Compute the derived values (valid-until, verdicts…) from the others; the write path calls it."""

    def edit_lock(self) -> str | None:
        """Why the object may no longer be edited or deleted outside its workflow, or None."""
        return None

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """Django's validation, then the declared :attr:`rules`; all errors together."""
        from django.core.exceptions import ValidationError

        from doluong.core import rules

        self.derive()
        errors: dict = {}
        try:
            super().full_clean(exclude=exclude, validate_unique=validate_unique,
                               validate_constraints=validate_constraints)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            rules.check_instance(self, exclude or ())
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                known = errors.setdefault(key, [])
                known.extend(m for m in messages if m not in known)
        if errors:
            raise ValidationError(errors)


def search_text_of(model, values: dict, related: dict | None = None) -> str:
    """The folded search text of one object or import row: its ``search_fields`` then the related names."""
    parts = [str(values[n]) for n in model.search_fields if values.get(n) not in (None, "")]
    parts.extend(str(v) for v in (related or {}).values() if v not in (None, ""))
    return fold(" ".join(parts))


class ObjectChangeQuerySet(models.QuerySet):
    def for_object(self, obj):
        """The changes of ``obj``: its own rows, and the rows of bulk creations whose id range covers it."""
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(Q(object_id=obj.pk) | Q(object_id_end__isnull=False, object_id__lte=obj.pk,
                                                  object_id_end__gte=obj.pk), content_type=ct)


class ObjectChange(models.Model):
    """One create, update or delete of an object, with the state before and after.

    A bulk creation (an import) writes one row per run of consecutive ids: ``object_id`` to
    ``object_id_end``, without the state (the batch keeps the file); every other write has one row
    per object (``object_id_end`` empty).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_id_end = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=200)
    prechange_data = models.JSONField(null=True, blank=True)
    postchange_data = models.JSONField(null=True, blank=True)

    objects = ObjectChangeQuerySet.as_manager()

    class Meta:
        ordering = ("-time", "-pk")
        indexes = [
            models.Index(fields=("content_type", "object_id", "-time")),
            models.Index(fields=("content_type", "object_id", "object_id_end"),
                         condition=Q(object_id_end__isnull=False),
                         name="objectchange_range_idx"),
        ]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
