"""Small server-side SVG charts (no JavaScript, nothing from the internet, strict-CSP safe)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join

from doluong.core.templatetags.doluong import num

register = template.Library()


@register.simple_tag
def bar_chart(series, target=None, height=150, label=""):
    """Vertical bars for ``series`` ({label: value} or [(label, value)]), an optional dashed target line.

    Each bar carries a <title> with its value, so the figure is readable without the picture.
    """
    items = list(series.items() if isinstance(series, dict) else series)
    if not items:
        return ""
    values = [Decimal(v or 0) for _k, v in items]
    if not any(values):
        return ""
    top = max([*values, Decimal(target or 0), Decimal(1)])
    width = max(240, 44 * len(items))
    inner_h = height - 34
    bar_w = width / len(items)
    bars = []
    for i, ((key, _v), value) in enumerate(zip(items, values, strict=True)):
        h = float(value / top) * inner_h
        x = i * bar_w + bar_w * 0.15
        y = 14 + inner_h - h
        shown = num(value, 0 if value == value.to_integral() else 1)
        bars.append((f"{key}: {shown}", f"{x:.1f}", f"{y:.1f}", f"{bar_w * 0.7:.1f}", f"{h:.1f}",
                     f"{x + bar_w * 0.35:.1f}", str(height - 6), str(key), f"{x + bar_w * 0.35:.1f}", f"{y - 3:.1f}",
                     shown))
    body = format_html_join(
        "", '<g><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="2" class="bar"/>'
            '<text x="{}" y="{}" class="axis">{}</text><text x="{}" y="{}" class="val">{}</text></g>', bars)
    line = ""
    if target:
        ty = 14 + inner_h - float(Decimal(target) / top) * inner_h
        line = format_html('<line x1="0" x2="{}" y1="{}" y2="{}" class="target"/>'
                           '<text x="{}" y="{}" class="target-label">{}</text>', str(width), f"{ty:.1f}", f"{ty:.1f}",
                           str(width - 2), f"{ty - 3:.1f}", num(target))
    return format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
                       'preserveAspectRatio="xMidYMid meet">{}{}</svg>', str(width), str(height), label, body, line)


@register.simple_tag
def hbar_chart(series, label="", printed=False, suffix=""):
    """Horizontal bars with their labels on the left: for categories with long names (fields, sources).

    ``printed``: colours and fonts as SVG attributes (a PDF renderer applies no page CSS inside the SVG);
    ``suffix`` follows each value (" %")."""
    items = list(series.items() if isinstance(series, dict) else series)
    values = [Decimal(v or 0) for _k, v in items]
    if not items or not any(values):
        return ""
    top = max(values)
    row, label_w, width = 20, 150, 420
    bar_attrs = ' fill="#2f5d8a"' if printed else ""
    text_attrs = ' font-size="10" fill="#000" font-family="Liberation Serif, Tinos, serif"' if printed else ""
    rows = []
    for i, ((key, _v), value) in enumerate(zip(items, values, strict=True)):
        w = float(value / top) * (width - label_w - 50)
        y = i * row
        shown = (num(value, "auto") if printed else num(value)) + suffix
        rows.append((f"{key}: {shown}", str(label_w - 6), f"{y + 14:.0f}", str(key)[:28], str(label_w),
                     f"{y + 4:.0f}", f"{w:.1f}", f"{label_w + w + 4:.1f}", f"{y + 14:.0f}", shown))
    body = format_html_join(
        "", '<g><title>{}</title><text x="{}" y="{}" class="hlabel" text-anchor="end"' + text_attrs + '>{}</text>'
            '<rect x="{}" y="{}" width="{}" height="13" rx="2" class="bar"' + bar_attrs + '/>'
            '<text x="{}" y="{}" class="hval"' + text_attrs + '>{}</text></g>',
        rows)
    return format_html('<svg class="chart hchart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
                       str(width), str(row * len(items)), label, body)
