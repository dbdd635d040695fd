"""Values as people type them in spreadsheets: dates, numbers, choices, yes/no.

Every parser takes a raw cell (a string from CSV, or a str / float / int / date / datetime / bool
from XLSX) and returns the typed value, or raises :class:`ValueProblem` with an English message
marked for translation (shown in Vietnamese by the engine).
"""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext_noop

from doluong.core import numbers
from doluong.core.text import fold

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?$")
_SERIAL = re.compile(r"^\d{4,6}(?:\.0+)?$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class ValueProblem(ValueError):
    """A cell that cannot be read; ``args[0]`` is an English message marked with gettext_noop."""


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a serial number typed as a number in Excel
    if isinstance(raw, dt.datetime | dt.date):
        raw = raw.strftime("%d/%m/%Y")
    value = str(raw).strip()
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if value[:1] == "'" and value.lstrip("'")[:1] in ("=", "+", "-", "@"):
        value = value[1:]  # a cell neutralised by our export
    return value


_date_cache: dict[str, dt.date] = {}


def date(raw) -> dt.date:
    """05/03/2024, 5-3-2024, 5.3.2024 (day first), 2024-03-05, or an Excel serial day number."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _serial(raw)
    value = str(raw).strip()
    cached = _date_cache.get(value)
    if cached is not None:
        return cached
    m = _DATE_DMY.match(value)
    try:
        if m:
            day = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        elif (m := _DATE_YMD.match(value)):
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        elif _SERIAL.match(value):
            day = _serial(float(value))
        else:
            raise ValueProblem(gettext_noop("not a date; write it as dd/mm/yyyy"))
    except ValueError as exc:
        if isinstance(exc, ValueProblem):
            raise
        raise ValueProblem(gettext_noop("no such day in the calendar")) from None
    if len(_date_cache) < 100_000:
        _date_cache[value] = day
    return day


def _serial(number: float) -> dt.date:
    if not 1 <= number <= 2958465:
        raise ValueProblem(gettext_noop("not a date; write it as dd/mm/yyyy"))
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def decimal(raw) -> Decimal:
    """A number as people type it (:func:`doluong.core.numbers.parse_decimal`, the one rule for forms and imports)."""
    try:
        return numbers.parse_decimal(raw)
    except numbers.NumberProblem as exc:
        raise ValueProblem(exc.args[0]) from None


def integer(raw) -> int:
    number = decimal(raw)
    if number != number.to_integral_value():
        raise ValueProblem(gettext_noop("not a whole number"))
    return int(number)


_TRUE = {"co", "x", "yes", "y", "true", "1", "dung", "v"}
_FALSE = {"khong", "no", "n", "false", "0", "sai"}


def boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return bool(raw)
    value = fold(raw)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(gettext_noop("write Có or Không"))


class Choice:
    """A choice column: the stored value, its Vietnamese label (accents optional) or its English label."""

    def __init__(self, choices):
        self.choices = choices  # a Django TextChoices class or a list of (value, label)
        self._map: dict[str, str] | None = None

    def pairs(self) -> list[tuple[str, object]]:
        return list(getattr(self.choices, "choices", self.choices))

    def labels(self, language: str = "vi") -> list[str]:
        from django.utils import translation

        with translation.override(language):
            return [str(label) for _, label in self.pairs()]

    def label(self, value, language: str = "vi") -> str:
        from django.utils import translation

        with translation.override(language):
            return next((str(label) for v, label in self.pairs() if v == value), str(value))

    def mapping(self) -> dict[str, str]:
        if self._map is None:
            from django.utils import translation

            mapping = {}
            for language in ("en", "vi"):
                with translation.override(language):
                    for value, label in self.pairs():
                        mapping[fold(str(label))] = value
            for value, _label in self.pairs():
                mapping[fold(value)] = value
            self._map = mapping
        return self._map

    def __call__(self, raw) -> str:
        value = self.mapping().get(fold(text(raw)))
        if value is None:
            raise ValueProblem(gettext_noop("not one of the allowed values (see the template's list)"))
        return value


def neutralise(value):
    """A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return "'" + value  # also '= (any apostrophes then a formula sign): the import drops one apostrophe
    return value
