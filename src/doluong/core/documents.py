"""Documents on the server: PDF from a Django template (WeasyPrint), Word from a .docx template (docxtpl).

Nothing is fetched from the network while rendering: the URL fetcher answers ``/static/…`` from the project's
static files and ``data:`` URLs, and refuses everything else. PDFs use one serif family for body text — the
metric-compatible Liberation Serif of Debian's ``fonts-liberation2`` (the older ``fonts-liberation`` has no
Vietnamese glyphs, so words would mix fonts) — named first in ``PDF_SERIF`` so fontconfig never substitutes.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# Body text of every PDF: the families in order; the first that is installed is used for every glyph.
PDF_SERIF = '"Liberation Serif", "Tinos", "Times New Roman", serif'
# Word documents name the font the state's format asks for (Decree 30/2020: Times New Roman 13–14 pt).
WORD_FONT = "Times New Roman"


class DocumentError(Exception):
    """A document could not be rendered (a missing template, a refused resource)."""


def _static_path(url: str) -> Path | None:
    prefix = settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    found = finders.find(url[len(prefix):].split("?")[0])
    return Path(found) if found else None


def url_fetcher(url: str, *args, **kwargs):
    """WeasyPrint's resource fetcher: project static files and data: URLs only, never the network."""
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    local = url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url.lstrip("/")
    path = _static_path("/" + local)
    if path is None or not path.is_file():
        raise DocumentError(f"resource not available offline: {url}")
    return {"string": path.read_bytes(), "mime_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
            "redirected_url": url}


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML string (A4 and margins come from the document's own @page rule)."""
    from weasyprint import HTML

    return HTML(string=html, base_url="http://doluong.local/", url_fetcher=url_fetcher).write_pdf()


def render_pdf(template_name: str, context: dict[str, Any], request=None) -> bytes:
    """Render a Django template to HTML, then to PDF. The template gets ``pdf_serif`` for its CSS."""
    html = render_to_string(template_name, {"pdf_serif": PDF_SERIF, **context}, request=request)
    return html_to_pdf(html)


def render_docx(template_path: Path | str, context: dict[str, Any],
                images: dict[str, tuple[bytes, float]] | None = None, properties: dict | None = None) -> bytes:
    """Fill a .docx template (Jinja tags in its runs and ``{%tr %}`` table rows) and return the bytes.

    ``images``: {name: (PNG bytes, width in mm)} placed where the template says ``{{ name }}``;
    ``properties``: the file's core properties (author, title, comments, created)."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    path = Path(template_path)
    if not path.is_file():
        raise DocumentError(f"no Word template {path}")
    doc = DocxTemplate(str(path))
    pictures = {name: InlineImage(doc, io.BytesIO(data), width=Mm(width)) if data else ""
                for name, (data, width) in (images or {}).items()}
    doc.render({**context, **pictures}, autoescape=True)
    core = doc.docx.core_properties if hasattr(doc, "docx") and doc.docx is not None else None
    for name, value in (properties or {}).items():
        if core is not None and value:
            setattr(core, name, value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
