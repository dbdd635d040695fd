"""What an app declares to make a model importable and exportable: an :class:`ImportSpec`.

Each app registers its specs in its own ``imports.py`` (autodiscovered, like ``ui.py``). A spec
lists the columns (header aliases in Vietnamese and English, parser, the ORM path used to export
them), the natural key used for upsert, and *steps*: set-based functions run on each batch of
parsed rows that resolve references by natural key (one query per batch), apply the model's rules
and compute derived fields. The engine (:mod:`doluong.imports.engine`) does the rest.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.utils import translation
from django.utils.text import capfirst

from doluong.core.models import search_text_of
from doluong.core.text import fold
from doluong.imports import values


@dataclass
class Column:
    """One spreadsheet column.

    ``name`` is the key in the parsed row: a model attname (``serial_number``) or a reference key
    (``owner_tax_code``) that a step turns into an attname. ``export`` is the ORM path whose value
    the export writes in this column (default: ``name``). ``label``/``label_en`` are the template's
    headers; ``aliases`` are further accepted headers (compared folded: accents and case optional).
    """

    name: str
    label: object  # lazy gettext: the Vietnamese header comes from the catalogue
    parse: Callable = values.text
    required: bool = False
    aliases: Sequence[str] = ()
    export: str | None = None
    choices: values.Choice | None = None
    example: str = ""
    help: object = ""
    max_length: int | None = None
    blank_value: object = ""  # the value of an empty cell (None for nullable fields)

    def headers(self) -> list[str]:
        found = [self.name, self.name.replace("_", " "), *self.aliases]
        for language in ("vi", "en"):
            with translation.override(language):
                found.append(str(self.label))
        return found

    def header(self, language: str = "vi") -> str:
        """The label in ``language``, capitalised. A Vietnamese label not in the catalogue yet falls back
        to the first alias (by convention the usual Vietnamese header), so templates stay Vietnamese."""
        with translation.override(language):
            text = str(self.label)
        if language == "vi" and self.aliases:
            with translation.override("en"):
                untranslated = text == str(self.label)
            if untranslated:
                text = self.aliases[0]
        return capfirst(text)

    @property
    def export_path(self) -> str:
        return self.export or self.name


def field_column(model: type[models.Model], name: str, **kw) -> Column:
    """A column for a model field, with its verbose name as header and the parser its type needs."""
    f = model._meta.get_field(name)
    kw.setdefault("label", f.verbose_name)
    kw.setdefault("help", f.help_text)
    if f.choices and "parse" not in kw:
        choice = values.Choice(f.choices)
        kw["parse"] = choice
        kw.setdefault("choices", choice)
    elif isinstance(f, models.BooleanField):
        kw.setdefault("parse", values.boolean)
    elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        kw.setdefault("parse", values.date)
    elif isinstance(f, models.DecimalField):
        kw.setdefault("parse", values.decimal)
    elif isinstance(f, models.FloatField):
        kw.setdefault("parse", lambda raw: float(values.decimal(raw)))
    elif isinstance(f, models.IntegerField):
        kw.setdefault("parse", values.integer)
    if isinstance(f, models.CharField) and f.max_length:
        kw.setdefault("max_length", f.max_length)
    if f.null:
        kw.setdefault("blank_value", None)
    elif f.has_default() and not callable(f.default) and f.default not in (None, ""):
        kw.setdefault("blank_value", f.default)
    kw.setdefault("required", not f.blank and not f.has_default())
    return Column(name=f.attname if f.is_relation else name, **kw)


class Batch:
    """The rows of one batch as steps see them, with a way to reject a row.

    ``rows`` holds dicts (column name or attname → value) with ``_row`` (the spreadsheet row
    number); a rejected row is dropped from ``rows`` after the step that rejected it.
    """

    def __init__(self, rows: list[dict], context: dict, reject: Callable):
        self.rows = rows
        self.context = context  # shared across the batches of one import (caches, user, options)
        self._reject = reject
        self._rejected: set[int] = set()

    def reject(self, row: dict, column: str, message: str, value=None, **params) -> None:
        """``message`` is an English string marked with gettext_noop; ``params`` fill it."""
        if id(row) in self._rejected:
            return
        self._rejected.add(id(row))
        self._reject(row, column, message, row.get(column) if value is None else value, params)

    def flush(self) -> None:
        if self._rejected:
            self.rows = [r for r in self.rows if id(r) not in self._rejected]
            self._rejected.clear()


@dataclass
class ImportSpec:
    """How one model is imported and exported; see the module docstring."""

    kind: str  # the name used in URLs and on the command line, e.g. "records"
    model: type[models.Model]
    columns: Sequence[Column]
    natural_key: Sequence[Sequence[str]]  # alternatives, each a tuple of attnames; the first complete one is used
    steps: Sequence[Callable[[Batch], None]] = ()
    write_fields: Sequence[str] = ()  # attnames the import may set (present columns + derived fields)
    new_defaults: dict = field(default_factory=dict)  # attname -> value for created objects only
    search_text: Callable[[dict], str] | None = None
    after_write: Callable[[dict, list[dict]], None] | None = None  # (context, written rows), after each batch
    after_import: Callable[[dict], None] | None = None  # (context), once after the last batch when writes are kept
    before_revert: Callable[[list[int]], object] | None = None  # (ids) -> state passed to after_revert
    after_revert: Callable[[object], None] | None = None
    # True when no step needs to see rows written by earlier batches of the same import (in-file duplicates
    # are refused anyway): on PostgreSQL, a batch's new rows are then written by a second thread while the
    # next batch goes through the steps. ``after_write`` still runs once the batch is written.
    overlap_writes: bool = False
    export_select_related: Sequence[str] = ()
    title: object = ""
    order_by: Sequence[str] = ("pk",)

    @property
    def label(self):
        return self.title or self.model._meta.verbose_name_plural

    def header_map(self) -> dict[str, Column]:
        mapping = {}
        for column in self.columns:
            for header in column.headers():
                mapping.setdefault(fold(header), column)
        return mapping

    def search_text_for(self, row: dict) -> str:
        """The object's search text, as ``BaseModel.refresh_search_text`` makes it (``search_text_of``): its search
        fields, then the related names the engine looked up for the batch (``_related_names``)."""
        if self.search_text is not None:
            return self.search_text(row)
        related = row.get("_related_names")
        names = self._search_names
        if not related and len(names) <= 3:  # the common case, without building a dict
            return fold(" ".join([str(v) for n in names if (v := row.get(n)) is not None and v != ""]))
        return search_text_of(self.model, row, related)

    @cached_property
    def _search_names(self) -> tuple[str, ...]:
        return tuple(getattr(self.model, "search_fields", ()))


def model_rules(batch: Batch) -> None:
    """Marks where in ``ImportSpec.steps`` the model's declared rules run (by default after the last step):
    before a step that must see the rows the rules refuse as refused (a standard traced to a refused row)."""
    raise AssertionError("the engine runs the model's rules in place of this marker")


_registry: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    _registry[spec.kind] = spec
    return spec


def get(kind: str) -> ImportSpec | None:
    return _registry.get(kind)


def for_model(model) -> ImportSpec | None:
    return next((s for s in _registry.values() if s.model is model), None)


def all_specs() -> list[ImportSpec]:
    return list(_registry.values())
