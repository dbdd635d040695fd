"""Filters for measurement results: significant digits in the page's decimal style."""

import math

from django import template
from django.utils.formats import get_format

register = template.Library()


@register.filter
def sig(value, digits=6):
    """0.05849022710390742 → "0,0584902" (vi): ``digits`` significant digits, "∞" for infinity."""
    if value is None or value == "":
        return "—"
    if value in ("inf", "Infinity"):
        return "∞"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    if math.isinf(x):
        return "∞"
    text = f"{x:.{int(digits)}g}"
    if "e" not in text and "." in text and len(text.split(".")[0].lstrip("-")) > int(digits):
        text = f"{x:.0f}"
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


@register.filter
def percent(value, digits=4):
    """0.9544997 → "95,45 %" (a probability as a percentage)."""
    if value in (None, ""):
        return "—"
    return f"{sig(float(value) * 100, digits)} %"


@register.filter
def dsi_unit(unit):
    from doluong.records.dcc import dsi_unit as _dsi

    return _dsi(unit)
