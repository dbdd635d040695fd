"""Declarative user interface for registry models (the NetBox economy).

An app describes each model once with a :class:`ModelUI` in its ``ui.py`` and registers it with
:func:`register`. The shared views in :mod:`doluong.core.views` then give it a list (filters,
sort, paging, accent-insensitive search), a detail page with related objects and history, create,
edit and delete, and a lookup endpoint for autocomplete widgets, all restricted per user.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import django_filters
import django_tables2 as tables
from django import forms
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


@dataclass
class Related:
    """A list of related objects shown on a detail page."""

    title: str
    model: type[models.Model]
    lookup: str  # field on the related model pointing to the object, e.g. "owner"
    columns: Sequence[str] = ()
    select_related: Sequence[str] = ()
    order_by: Sequence[str] = ()
    limit: int = 10


@dataclass
class ModelUI:
    model: type[models.Model]
    list_columns: Sequence[str]
    form_fields: Sequence[str]
    filter_fields: Sequence[str] = ()
    select_related: Sequence[str] = ()
    detail_fields: Sequence[str] | None = None
    related: Sequence[Related] = ()
    ordering: Sequence[str] = ("-pk",)
    autocomplete_fields: Sequence[str] = ()
    menu_group: str = ""
    icon: str = ""
    table_class: type[tables.Table] | None = None
    filterset_class: type[django_filters.FilterSet] | None = None
    form_class: type[forms.ModelForm] | None = None
    extra_detail: Callable | None = None  # (request, obj) -> dict of extra template context
    detail_template: str | None = None
    sortable: Sequence[str] | None = None
    column_labels: dict = field(default_factory=dict)
    column_classes: dict = field(default_factory=dict)  # column name -> django_tables2 Column class
    lookup_label: Callable | None = None  # (obj) -> str shown in autocomplete results, with context
    lookup_filter: Callable | None = None  # (queryset, user) -> the part of it the picker offers this user
    save_warnings: Callable | None = None  # (obj) -> list of messages shown as warnings after a save

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def url_name(self, view: str = "") -> str:
        return f"{self.app_label}:{self.model_name}{'_' + view if view else ''}"

    @cached_property
    def table(self) -> type[tables.Table]:
        if self.table_class is not None:
            return self.table_class
        attrs = {}
        for i, name in enumerate(self.list_columns):
            kwargs = {"linkify": _link_to_row if i == 0 else False}
            if i >= 3:  # phones show the first three columns; wider screens all of them
                kwargs["attrs"] = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
            if name in self.column_labels:
                kwargs["verbose_name"] = self.column_labels[name]
            if self.sortable is not None and name not in self.sortable:
                kwargs["orderable"] = False
            column_class = self.column_classes.get(name) or _column_class(self.model, name)
            attrs[name.replace("__", "_")] = column_class(accessor=name, **kwargs)
        meta = type("Meta", (), {
            "model": self.model, "fields": (), "attrs": {"class": "table table-sm table-hover align-middle"},
            "order_by": tuple(self.ordering),
        })
        attrs["Meta"] = meta
        return type(f"{self.model.__name__}Table", (tables.Table,), attrs)

    @cached_property
    def filterset(self) -> type[django_filters.FilterSet]:
        if self.filterset_class is not None:
            return self.filterset_class
        from doluong.core.filters import BaseFilterSet

        meta = type("Meta", (), {"model": self.model, "fields": list(self.filter_fields)})
        return type(f"{self.model.__name__}FilterSet", (BaseFilterSet,), {"Meta": meta})

    @cached_property
    def form(self) -> type[forms.ModelForm]:
        if self.form_class is not None:
            return self.form_class
        from doluong.core.forms import BaseModelForm

        workflow = set(getattr(self.model, "workflow_fields", ()))
        meta = type("Meta", (), {"model": self.model, "fields": [f for f in self.form_fields if f not in workflow]})
        return type(f"{self.model.__name__}Form", (BaseModelForm,), {"Meta": meta})

    def detail_field_names(self) -> list[str]:
        return list(self.detail_fields or self.form_fields)


def _link_to_row(record) -> str:
    return record.get_absolute_url()


class NumberColumn(tables.Column):
    """Numbers as people here write them: 1.234.567,5 (no decimals when whole)."""

    def render(self, value):
        from doluong.core.templatetags.doluong import num

        return num(value, "auto")


class ShortDateColumn(tables.DateColumn):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="d/m/Y", **kwargs)


class ShortDateTimeColumn(tables.DateTimeColumn):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, format="d/m/Y H:i", **kwargs)


def _column_class(model, path: str) -> type[tables.Column]:
    """A column that shows the field the way people here read it (dates dd/mm/yyyy, 1.234,5, ✔)."""
    from django.core.exceptions import FieldDoesNotExist

    parts = path.split("__")
    try:
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        f = model._meta.get_field(parts[-1])
    except (FieldDoesNotExist, AttributeError):
        return tables.Column
    if isinstance(f, models.BooleanField):
        return tables.BooleanColumn
    if isinstance(f, models.DateTimeField):
        return ShortDateTimeColumn
    if isinstance(f, models.DateField):
        return ShortDateColumn
    if f.choices:
        return tables.Column
    if isinstance(f, models.DecimalField | models.FloatField) or (
            isinstance(f, models.IntegerField) and not f.primary_key and "year" not in f.name):
        return NumberColumn
    return tables.Column


_registry: dict[type[models.Model], ModelUI] = {}


def register(ui: ModelUI) -> ModelUI:
    _registry[ui.model] = ui
    return ui


def add_related(model: type[models.Model], related: Related) -> None:
    """Let an app higher up show its objects on a lower app's detail page."""
    ui = _registry[model]
    ui.related = (*ui.related, related)


# model → [fn(request, obj) -> [(label, url)]]: buttons an app higher up adds to a lower app's detail page
_actions: dict[type[models.Model], list[Callable]] = {}


def add_actions(model: type[models.Model], fn: Callable) -> None:
    """Let an app higher up offer actions (links) on a lower app's detail page; ``fn`` decides per user."""
    _actions.setdefault(model, []).append(fn)


def actions_for(request, obj) -> list[tuple[str, str]]:
    return [action for fn in _actions.get(type(obj), ()) for action in fn(request, obj)]


def get(model: type[models.Model]) -> ModelUI | None:
    return _registry.get(model)


def all_registered() -> list[ModelUI]:
    return list(_registry.values())


@dataclass(frozen=True)
class MenuLink:
    """A page that is not a registered model's list, shown in a menu group (a tool, a statistics page)."""

    group: str
    label: str
    url_name: str
    roles: frozenset | None = None  # None: every signed-in role


_links: list[MenuLink] = []


def add_menu_link(group: str, label, url_name: str, roles=None) -> None:
    _links.append(MenuLink(group, label, url_name, frozenset(roles) if roles else None))


def menu_links() -> list[MenuLink]:
    return list(_links)


MENU_GROUPS = {
    "plan": _("Plan"),
    "programmes": _("Programmes"),
    "registry": _("Registry"),
    "providers": _("Providers"),
    "records": _("Records"),
    "inspections": _("Inspections"),
    "tools": _("Tools"),
    "places": _("Places"),
}
