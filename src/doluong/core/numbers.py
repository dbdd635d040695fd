"""Numbers as people here type them, read by one rule for every face (forms, imports, calculators).

1.234.567,5 and 1,234,567.5 and 1234.5 and 0,5 are read. A lone comma is the decimal comma, as the
interface writes numbers (1.234,5; 10,006). A lone point before exactly three digits (1.234, not
0.125 nor 2.5025) is ambiguous — one thousand two hundred and thirty-four as the interface writes it,
one point two three four in English — and is refused with the reason rather than guessed: a wrong
guess is a value a thousand times off.

That is the reading of registry and import values (capacities, money, counts). Measured values handed
to the metrology engine (points, readings, uncertainties: ``measurement=True``) are decimals by nature
and are pasted from spreadsheets with a decimal point (21.521, 10.006): there a lone point is the
decimal point. The choice belongs to the quantity, never to the face: a field reads the same in a
form, an import and the API.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

_NUMBER = re.compile(r"^[+-]?[\d.,\s\u00a0]+$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")  # 1,5E-3 and 1.5e-3
AMBIGUOUS = gettext_noop("ambiguous number: a point before three digits may separate thousands; write 1234 "
                         "for a whole number or 1,234 with a decimal comma")


class NumberProblem(ValueError):
    """Not a number; ``args[0]`` is an English message marked with gettext_noop."""


def parse_decimal(raw, *, measurement: bool = False) -> Decimal:
    """1.234,5 and 1,234.5 and 1234.5 and 0,5 and 1,5E-3; a lone point before exactly three digits is ambiguous."""
    if isinstance(raw, bool):
        raise NumberProblem(gettext_noop("not a number"))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw))
    value = str(raw).strip().replace("\u00a0", " ")
    if _SCIENTIFIC.match(value):
        return Decimal(value.replace(",", "."))
    if not _NUMBER.match(value):
        raise NumberProblem(gettext_noop("not a number"))
    value = value.replace(" ", "")
    dots, commas = value.count("."), value.count(",")
    if dots and commas:
        decimal_sep = "." if value.rfind(".") > value.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        if value.count(decimal_sep) > 1:
            raise NumberProblem(gettext_noop("not a number"))
        value = value.replace(thousands, "").replace(decimal_sep, ".")
    elif dots > 1 or commas > 1:
        sep = "." if dots else ","
        groups = value.lstrip("+-").split(sep)
        if any(len(g) != 3 for g in groups[1:]):
            raise NumberProblem(gettext_noop("not a number"))
        value = value.replace(sep, "")
    elif dots or commas:
        sep = "." if dots else ","
        head, tail = value.split(sep)
        if sep == "." and len(tail) == 3 and head.lstrip("+-") not in ("", "0") and not measurement:
            raise NumberProblem(AMBIGUOUS)
        value = value.replace(",", ".")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise NumberProblem(gettext_noop("not a number")) from None
