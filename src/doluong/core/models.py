"""Shared base model, restricted querysets and the change log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
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
        for obj in objs:
            obj.refresh_search_text()
        return super().bulk_create(objs, *args, **kwargs)


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
            from doluong.core.changelog import snapshot

            instance._loaded_snapshot = snapshot(instance)
        return instance

    def refresh_search_text(self) -> None:
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
    access: dict = {}
    changelog_exclude = ("search_text", "created", "last_updated")

    class Meta:
        abstract = True

    def refresh_search_text(self) -> None:
        parts = []
        for name in self.search_fields:
            value = getattr(self, name, None)
            if value not in (None, ""):
                parts.append(str(value))
        self.search_text = fold(" ".join(parts))


class ObjectChange(models.Model):
    """One create, update or delete of an object, with the state before and after."""

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
    object_repr = models.CharField(max_length=200)
    prechange_data = models.JSONField(null=True, blank=True)
    postchange_data = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-time", "-pk")
        indexes = [models.Index(fields=("content_type", "object_id", "-time"))]
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
