"""Template filters for Vietnamese-style numbers and money and for history diffs."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import get_format
from django.utils.translation import gettext as _

register = template.Library()


def _group(value: Decimal, places: int) -> str:
    sep = get_format("THOUSAND_SEPARATOR")
    dec = get_format("DECIMAL_SEPARATOR")
    text = f"{abs(value):,.{places}f}"
    whole, _dot, frac = text.partition(".")
    whole = whole.replace(",", sep)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole}{dec + frac if frac else ''}"


@register.filter
def num(value, places=0):
    """1234567.891 → "1.234.568" (vi) or with ``places`` decimals ("auto": one decimal unless whole)."""
    if value in (None, ""):
        return ""
    try:
        d = Decimal(str(value))
        if places == "auto":
            places = 0 if d == d.to_integral() else 1
        return _group(d, int(places))
    except (InvalidOperation, ValueError):
        return value


@register.filter
def money(value):
    """An amount in đồng: 1234567 → "1.234.567 ₫"."""
    if value in (None, ""):
        return ""
    return f"{num(value)} ₫"


@register.filter
def yesno_vi(value):
    return _("Yes") if value else _("No")


@register.filter
def label_for(labels: dict, key: str):
    return labels.get(key, key)


@register.filter
def is_list(value):
    return isinstance(value, list | tuple)


@register.filter
def zip_rows(items, rows):
    return zip(items, rows, strict=False)
