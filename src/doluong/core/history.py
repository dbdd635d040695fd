"""Values and change history the way a person reads them.

:class:`~doluong.core.models.ObjectChange` keeps raw states keyed by attribute name (``"status":
"submitted"``, ``"provider_id": 12``, ``"performed_on": "2024-03-05"``). This module turns them, and
the values shown on detail pages, into text: field verbose names, choice labels, names of related
objects (looked up in one query per related model, restricted to what the user may view), dates
dd/mm/yyyy, times in the province's time zone, numbers 1.234.567 and money in đồng, Có/Không, and
JSON as a short readable line (or a small table on detail pages), never as a Python dict.

Apps describe the request ids of the change log (an import batch, say) by registering a callable
with :func:`describe_request`.
"""

import datetime as dt
import inspect
import os
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from doluong.core import access

EMPTY = "—"
MAX_TEXT = 300
MONEY_WORDS = ("cost", "amount", "budget", "spent", "approved", "estimate", "penalty")


# ---------------------------------------------------------------------------------------------------
# request descriptions


_describers: list[tuple[Callable, bool]] = []


def describe_request(fn: Callable) -> Callable:
    """Register ``fn(request_ids[, user]) -> {request_id: (label, url)}`` (usable as a decorator).

    ``request_ids`` is a set of UUIDs; ``user`` (passed when ``fn`` accepts it) is the reader, so that
    only what they may open is described. Ids ``fn`` knows nothing about are simply left out.
    """
    try:
        takes_user = "user" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes_user = False
    if all(f is not fn for f, _t in _describers):
        _describers.append((fn, takes_user))
    return fn


def describe_requests(request_ids: Iterable, user=None) -> dict:
    ids = {i for i in request_ids if i}
    out: dict = {}
    if not ids:
        return out
    for fn, takes_user in _describers:
        found = fn(ids, user=user) if takes_user else fn(ids)
        for key, value in (found or {}).items():
            out.setdefault(key, value)
        ids -= set(out)
        if not ids:
            break
    return out


# ---------------------------------------------------------------------------------------------------
# fields


def field_for(model, key: str):
    """The model field stored under ``key`` in a change row (an attname, or a many-to-many name)."""
    for f in model._meta.concrete_fields:
        if f.attname == key:
            return f
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(model, key: str) -> str:
    f = field_for(model, key)
    return capfirst(str(f.verbose_name)) if f is not None and hasattr(f, "verbose_name") else key


@lru_cache(maxsize=2048)
def is_money(f) -> bool:
    """An amount in đồng: by name (cost, amount, budget, …), declared on the model, or "đồng" in its text."""
    if not isinstance(f, models.DecimalField | models.IntegerField | models.FloatField) or f.choices:
        return False
    if f.name in (getattr(f.model, "money_fields", None) or ()):
        return True
    if any(word in f.name for word in MONEY_WORDS):
        return True
    with translation.override(None):
        text = f"{f.verbose_name} {f.help_text}".lower()
    return "đồng" in text


def is_number(f) -> bool:
    if f is None or f.choices or isinstance(f, models.BooleanField | models.AutoField) or f.is_relation:
        return False
    if isinstance(f, models.DecimalField | models.FloatField):
        return True
    return isinstance(f, models.IntegerField) and not f.primary_key and "year" not in f.name


def column_kind(f) -> str:
    """``money``, ``number`` or ``text``: how a column is aligned and totalled."""
    if f is None:
        return "text"
    if is_money(f):
        return "money"
    return "number" if is_number(f) else "text"


# ---------------------------------------------------------------------------------------------------
# values


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _has_time(text: str) -> bool:
    return len(text) > 10 and text[10] in "T "


def format_date(value) -> str:
    if isinstance(value, str):
        value = (parse_datetime(value) if _has_time(value) else parse_date(value)) or value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def format_datetime(value) -> str:
    if isinstance(value, str):
        parsed = parse_datetime(value) if _has_time(value) else None
        if parsed is None:
            return format_date(value)
        value = parsed
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC if settings.USE_TZ else _tz())
        return value.astimezone(_tz()).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def format_number(value, money: bool = False) -> str:
    from doluong.core.templatetags.doluong import money as money_filter
    from doluong.core.templatetags.doluong import num

    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not d.is_finite():
        return str(value)
    if money:
        return money_filter(d)
    exponent = d.normalize().as_tuple().exponent
    places = min(max(0, -exponent), 6) if isinstance(exponent, int) else 0
    return num(d, places)


def yes_no(value) -> str:
    return _("Yes") if value else _("No")


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _scalar(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float | Decimal):
        return format_number(value)
    if isinstance(value, dict | list | tuple):
        return compact_json(value)
    return str(value)


def compact_json(value) -> str:
    """A JSON value on one line: ``C1: 8; C2: 10``, ``a, b``, or a count ("3 items")."""
    if value is None or value in ("", [], {}):
        return EMPTY
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            if isinstance(v, dict | list):
                v = ngettext("%(count)d item", "%(count)d items", len(v)) % {"count": len(v)}
            else:
                v = _scalar(v)
            parts.append(f"{k}: {v}")
        return _short("; ".join(parts))
    if isinstance(value, list | tuple):
        if all(not isinstance(v, dict | list | tuple) for v in value):
            return _short(", ".join(_scalar(v) for v in value))
        return ngettext("%(count)d item", "%(count)d items", len(value)) % {"count": len(value)}
    return _short(_scalar(value))


@dataclass
class DisplayTable:
    """A small table shown inside a detail page's field row (JSON lists and mappings)."""

    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)
    footer: list[str] | None = None

    is_display_table = True

    def _numeric(self, i: int) -> bool:
        return i < len(self.numeric) and self.numeric[i]

    def head(self) -> list[tuple[str, bool]]:
        return [(h, self._numeric(i)) for i, h in enumerate(self.headers)]

    def body(self) -> list[list[tuple[str, bool]]]:
        return [[(c, self._numeric(i)) for i, c in enumerate(row)] for row in self.rows]

    def foot(self) -> list[tuple[str, bool]] | None:
        return [(c, self._numeric(i)) for i, c in enumerate(self.footer)] if self.footer else None

    def __str__(self) -> str:  # when a template prints it where a string is expected
        return "; ".join(" ".join(str(c) for c in r) for r in self.rows)


def json_table(value) -> DisplayTable | str:
    """A JSON list of objects or a flat mapping as a table; anything else as one line."""
    if isinstance(value, dict) and value and all(not isinstance(v, dict | list) for v in value.values()):
        return DisplayTable(headers=[_("Key"), _("Value")], numeric=[False, True],
                            rows=[[str(k), _scalar(v)] for k, v in value.items()])
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys = list(dict.fromkeys(k for v in value for k in v))
        numeric = [all(isinstance(v.get(k), int | float | Decimal) and not isinstance(v.get(k), bool)
                       for v in value if v.get(k) is not None) for k in keys]
        return DisplayTable(headers=[str(k) for k in keys], numeric=numeric,
                            rows=[[_scalar(v.get(k)) for k in keys] for v in value])
    return compact_json(value)


class Names:
    """Names of related objects by (model, pk), fetched in one query per model, restricted to the user."""

    def __init__(self, user):
        self.user = user
        self.wanted: dict = defaultdict(set)
        self.found: dict = {}

    def want(self, model, pk) -> None:
        if isinstance(pk, list | tuple):
            for p in pk:
                self.want(model, p)
        elif pk not in (None, "") and not isinstance(pk, dict | bool):
            self.wanted[model].add(pk)

    def resolve(self) -> None:
        from doluong.core import ui as registry

        for model, pks in self.wanted.items():
            pks = pks - {p for (m, p) in self.found if m is model}
            if not pks:
                continue
            qs = model._default_manager.filter(pk__in=pks)
            model_ui = registry.get(model)
            if model_ui is not None and model_ui.select_related:
                qs = qs.select_related(*model_ui.select_related)
            for obj in access.restrict(qs, self.user, "view"):
                self.found[(model, obj.pk)] = str(obj)
        self.wanted.clear()

    def name(self, model, pk) -> str:
        if pk in (None, ""):
            return EMPTY
        found = self.found.get((model, pk))
        if found is None and isinstance(pk, str) and pk.isdigit():
            found = self.found.get((model, int(pk)))
        return found if found is not None else f"#{pk}"


def want_names(f, value, names: Names) -> None:
    """Note the related objects a stored value refers to."""
    if f is None or not f.is_relation or f.related_model is None:
        return
    names.want(f.related_model, value)


def _format_by_type(f, value) -> str | None:
    """Yes/no, dates and date-times of a field, stored (ISO text) or live alike; None for other fields."""
    if isinstance(f, models.BooleanField):
        return yes_no(value)
    if isinstance(f, models.DateTimeField):
        return format_datetime(value)
    if isinstance(f, models.DateField):
        return format_date(value)
    return None


def format_stored(f, value, names: Names | None = None) -> str:
    """A value as kept in a change row (JSON), as text."""
    if value is None or value == "" or (value == [] and f is not None and f.many_to_many):
        return EMPTY
    if f is None:
        return compact_json(value) if isinstance(value, dict | list) else _short(str(value))
    if f.many_to_many:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(names.name(f.related_model, i) for i in ids) if names else ", ".join(f"#{i}" for i in ids)
    if f.is_relation and f.related_model is not None:
        return names.name(f.related_model, value) if names else f"#{value}"
    if f.choices:
        choices = {str(k): v for k, v in f.flatchoices}
        label = choices.get(str(value))
        return str(label) if label is not None else str(value)
    if (text := _format_by_type(f, value)) is not None:
        return text
    if isinstance(f, models.TimeField):
        t = parse_time(value) if isinstance(value, str) else value
        return t.strftime("%H:%M") if isinstance(t, dt.time) else str(value)
    if isinstance(f, models.JSONField):
        return compact_json(value)
    if isinstance(f, models.FileField):
        return os.path.basename(str(value))
    if is_money(f):
        return format_number(value, money=True)
    if is_number(f):
        return format_number(value)
    if isinstance(value, dict | list):
        return compact_json(value)
    return _short(str(value))


def format_value(f, value):
    """A value of a live object (as read from the model) for a detail page or a related table.

    Returns None for an empty value, a :class:`DisplayTable` for JSON lists and mappings, else text
    (related objects are returned as they are, for the caller to link).
    """
    if value is None or value == "":
        return None
    if f is None:
        if isinstance(value, bool):
            return yes_no(value)
        if isinstance(value, dt.datetime):
            return format_datetime(value)
        if isinstance(value, dt.date):
            return format_date(value)
        if isinstance(value, Decimal | float):
            return format_number(value)
        if isinstance(value, dict | list):
            return json_table(value)
        return value
    if isinstance(value, models.Model):
        return value
    if (text := _format_by_type(f, value)) is not None:
        return text
    if isinstance(f, models.JSONField):
        if value in ([], {}):
            return None
        return json_table(value)
    if isinstance(value, FieldFile):
        return os.path.basename(value.name) if value.name else None
    if not f.choices and is_money(f):
        return format_number(value, money=True)
    if not f.choices and is_number(f):
        return format_number(value)
    return value


# ---------------------------------------------------------------------------------------------------
# history


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    change: object  # the ObjectChange row
    action: str
    time: str
    user: str
    bulk: bool = False
    source: tuple | None = None  # (label, url or None) describing the request
    lines: list[FieldChange] = field(default_factory=list)


def history_entries(changes, model, user) -> list[HistoryEntry]:
    """Display rows for ``changes`` (ObjectChange rows of objects of ``model``), in their order."""
    changes = list(changes)
    names = Names(user)
    diffs = []
    for change in changes:
        diff = change.diff() if change.action == "update" and change.object_id_end is None else []
        diffs.append(diff)
        for key, before, after in diff:
            f = field_for(model, key)
            want_names(f, before, names)
            want_names(f, after, names)
    names.resolve()
    sources = describe_requests({c.request_id for c in changes}, user)
    entries = []
    for change, diff in zip(changes, diffs, strict=True):
        bulk = change.object_id_end is not None
        who = change.user_name
        if change.user_id and change.user is not None:
            who = change.user.get_full_name() or change.user.username
        entries.append(HistoryEntry(
            change=change,
            action=_("Created by bulk import") if bulk else str(change.get_action_display()),
            time=format_datetime(change.time),
            user=who or _("system"),
            bulk=bulk,
            source=sources.get(change.request_id),
            lines=[FieldChange(field_label(model, key), format_stored(field_for(model, key), before, names),
                               format_stored(field_for(model, key), after, names)) for key, before, after in diff],
        ))
    return entries
