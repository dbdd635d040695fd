"""Rules declared once on a model, checked for one object and for a batch of rows alike.

A model lists its rules in a class attribute ``rules``. Each rule reads values by attname from a
mapping, so the same rule checks an object (``BaseModel.full_clean`` passes the object's values)
and the rows of an import batch (the engine passes each row, with the stored values of columns
the file leaves out). A rule that needs the database loads what the whole batch needs in
:meth:`Rule.prepare` (one query per batch), and :meth:`Rule.check` then costs nothing per row.

Messages are English strings marked with ``gettext_noop``; they are translated where they are
shown (a form error, an import error column).
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext


@dataclass(frozen=True)
class Problem:
    """What a rule found wrong: the field (attname) to blame, a message marked for translation, its params."""

    field: str
    message: str
    params: dict = field(default_factory=dict)

    def text(self) -> str:
        message = gettext(self.message)
        return message % self.params if self.params else message


class Rule:
    """A check over attname → value mappings; see the module docstring."""

    fields: Sequence[str] = ()  # the attnames the rule reads (an import loads stored values for missing ones)

    def prepare(self, rows: Sequence[Mapping]) -> object:
        """What :meth:`check` needs for these rows, loaded set-based (default: nothing)."""
        return None

    def check(self, values: Mapping, prepared: object) -> Problem | None:
        raise NotImplementedError


@dataclass(frozen=True)
class DateOrder(Rule):
    """``later`` may not be before ``earlier`` (either may be empty)."""

    earlier: str
    later: str
    message: str

    @property
    def fields(self) -> tuple[str, str]:
        return (self.earlier, self.later)

    def check(self, values: Mapping, prepared: object = None) -> Problem | None:
        start, end = values.get(self.earlier), values.get(self.later)
        if start is not None and end is not None and end < start:
            return Problem(self.later, self.message)
        return None


@dataclass(frozen=True)
class NotInFuture(Rule):
    """``name`` (a date) may not be after today (the local date when the rule is checked)."""

    name: str
    message: str

    @property
    def fields(self) -> tuple[str]:
        return (self.name,)

    def prepare(self, rows: Sequence[Mapping]) -> object:
        from django.utils import timezone

        return timezone.localdate()

    def check(self, values: Mapping, prepared: object) -> Problem | None:
        day = values.get(self.name)
        if day is not None and day > prepared:
            return Problem(self.name, self.message, {"date": day.strftime("%d/%m/%Y")})
        return None


def rules_of(model) -> tuple[Rule, ...]:
    return tuple(getattr(model, "rules", ()) or ())


def check_rows(model, rows: Sequence[Mapping]) -> Iterator[tuple[int, Problem]]:
    """(index of the row, problem) for every rule a row breaks; one ``prepare`` per rule for all rows."""
    for rule in rules_of(model):
        prepared = rule.prepare(rows)
        for i, row in enumerate(rows):
            problem = rule.check(row, prepared)
            if problem is not None:
                yield i, problem


def m2m_rule_fields(model) -> tuple[str, ...]:
    """The many-to-many fields the model's rules read (their values: lists of ids)."""
    names = {f.name for f in model._meta.many_to_many}
    return tuple(sorted({n for rule in rules_of(model) for n in rule.fields if n in names}))


def instance_values(obj) -> dict:
    """attname → value of ``obj``; a many-to-many field a rule reads gives its ids: those a form is about to save
    (``obj._pending_m2m``, set by :class:`doluong.core.forms.BaseModelForm`), else the stored ones."""
    values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    pending = getattr(obj, "_pending_m2m", None) or {}
    for name in m2m_rule_fields(type(obj)):
        if name in pending:
            values[name] = list(pending[name])
        else:
            values[name] = list(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
    return values


def validation_error(problems: Iterable[Problem], exclude: Iterable[str] = ()) -> ValidationError | None:
    """The problems as a ValidationError by field name; fields a form does not show go to the non-field errors."""
    excluded = set(exclude or ())
    errors: dict[str, list[str]] = {}
    for p in problems:
        name = p.field[:-3] if p.field.endswith("_id") else p.field
        key = NON_FIELD_ERRORS if name in excluded or p.field in excluded else name
        errors.setdefault(key, []).append(p.text())
    return ValidationError(errors) if errors else None


def check_instance(obj, exclude: Iterable[str] = ()) -> None:
    """Raise the ValidationError of every declared rule ``obj`` breaks."""
    error = validation_error((p for _i, p in check_rows(type(obj), [instance_values(obj)])), exclude)
    if error is not None:
        raise error
