"""Build the default Word templates of the plan's documents (``python -m doluong.reports.docx.build``).

The templates are ordinary .docx files with Jinja tags (docxtpl): an office can open one in Word, change the
layout or the wording around the tags, and save it back in this folder (or point ``DOLUONG_DOCX_TEMPLATES`` at
a folder of its own). This script writes the defaults, laid out per Decree 30/2020/NĐ-CP: A4, margins 20/15/20/
30 mm, Times New Roman 13 pt, the two-column heading (body and national motto, each with a short rule below),
the number and date line, the title, the body, and the recipients beside the signature block.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

HERE = Path(__file__).resolve().parent
FONT = "Times New Roman"


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.line_spacing = 1.15
    return doc


def _para(container, text="", *, bold=False, italic=False, size=None, align=None, indent=False, underline=False,
          space_after=None):
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Cm(1)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def _rule(cell, indent_cm: float):
    """A short centred line below a heading line: an empty paragraph with a bottom border, indented."""
    p = cell.add_paragraph()
    p.paragraph_format.left_indent = Cm(indent_cm)
    p.paragraph_format.right_indent = Cm(indent_cm)
    p.paragraph_format.space_after = Pt(0)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def _no_borders(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _cell_text(cell, text, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER):
    p = cell.paragraphs[0]
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    return p


def heading(doc):
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    _cell_text(left, "{{ authority }}", size=12.5)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    r = p.add_run("{{ issuing_body }}")
    r.bold, r.font.size = True, Pt(12.5)
    _rule(left, 2.2)
    _cell_text(right, "{{ nation }}", bold=True, size=12.5)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    r = p.add_run("{{ motto }}")
    r.bold, r.font.size = True, Pt(13.5)
    _rule(right, 1.9)
    _cell_text(table.rows[1].cells[0], "{{ number_line }}")
    _cell_text(table.rows[1].cells[1], "{{ date_line }}", italic=True)


def footer(doc):
    _para(doc, "")
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    _cell_text(left, "{{ recipients_label }}", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for text in ("{%p for r in recipients %}", "- {{ r }}", "{%p endfor %}"):
        p = left.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(11)
        p.paragraph_format.space_after = Pt(0)
    first = True
    for text in ("{%p for t in signer_title %}", "{{ t }}", "{%p endfor %}"):
        p = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        r = p.add_run(text)
        r.bold = True
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
    for _ in range(4):
        right.add_paragraph().paragraph_format.space_after = Pt(0)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{{ signer_name }}").bold = True


def data_table(doc, cols_var: str, rows_var: str, cells: list[str], *, total: list[str] | None = None,
               widths: list[float] | None = None):
    """A bordered table: a header row from ``cols_var``, one row per item of ``rows_var`` ({%tr %} loop)."""
    ncols = len(cells)
    table = doc.add_table(rows=4 + (1 if total else 0), cols=ncols)
    table.style = doc.styles["Table Grid"]
    for i, cell in enumerate(table.rows[0].cells):
        _cell_text(cell, f"{{{{ {cols_var}[{i}] }}}}", bold=True, size=11)
    table.rows[1].cells[0].paragraphs[0].add_run(f"{{%tr for r in {rows_var} %}}")
    for i, cell in enumerate(table.rows[2].cells):
        expr = cells[i]
        align = WD_ALIGN_PARAGRAPH.RIGHT if expr.startswith("#") else WD_ALIGN_PARAGRAPH.LEFT
        _cell_text(cell, f"{{{{ r.{expr.lstrip('#')} }}}}", size=11, align=align)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    if total:
        for i, cell in enumerate(table.rows[4].cells):
            expr = total[i]
            align = WD_ALIGN_PARAGRAPH.RIGHT if expr.startswith("#") else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cell, f"{{{{ {expr.lstrip('#')} }}}}", bold=True, size=11, align=align)
    if widths:
        for row in table.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)
    return table


def paragraphs(doc, var: str):
    _para(doc, f"{{%p for para in {var} %}}")
    _para(doc, "{{ para }}", indent=True)
    _para(doc, "{%p endfor %}")


def title_block(doc):
    _para(doc, "")
    _para(doc, "{{ title }}", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "{{ subtitle }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ to_label }} {{ addressee }}.", align=WD_ALIGN_PARAGRAPH.CENTER)


def report() -> Document:
    doc = _document()
    heading(doc)
    title_block(doc)
    _para(doc, "{{ intro }}", indent=True)
    _para(doc, "{{ h_results }}", bold=True)
    _para(doc, "{{ h_targets }}", bold=True)
    _para(doc, "{{ targets_summary }}", indent=True)
    data_table(doc, "target_cols", "target_rows",
               ["#i", "name_full", "milestone", "#target", "#in_period", "#cumulative", "#percent", "status"],
               widths=[0.9, 5.5, 2.1, 1.6, 1.6, 1.6, 1.6, 2.3])
    _para(doc, "{{ chart }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "{{ chart_title }}", italic=True, size=11, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ h_tasks }}", bold=True)
    data_table(doc, "task_cols", "task_rows", ["#i", "agency", "#tasks", "#due", "#accepted", "#late", "late_tasks"],
               widths=[0.9, 4.5, 1.7, 1.7, 1.7, 1.4, 5.3])
    for h, text in (("h_trainings", "trainings_text"), ("h_assurance", "assurance_text")):
        _para(doc, f"{{{{ {h} }}}}", bold=True)
        _para(doc, f"{{{{ {text} }}}}", indent=True)
    _para(doc, "{%p if stages_text %}")
    _para(doc, "{{ stages_text }}", indent=True)
    _para(doc, "{%p endif %}")
    for h, text in (("h_inspections", "inspections_text"), ("h_communication", "communication_text")):
        _para(doc, f"{{{{ {h} }}}}", bold=True)
        _para(doc, f"{{{{ {text} }}}}", indent=True)
    data_table(doc, "communication_cols", "communication_rows", ["kind", "#count", "#participants"],
               widths=[9, 3.5, 3.5])
    _para(doc, "{{ h_spending }}", bold=True)
    data_table(doc, "spending_cols", "spending_rows", ["label", "#estimate", "#approved", "#spent", "#share"],
               total=["spending_total.label", "#spending_total.estimate", "#spending_total.approved",
                      "#spending_total.spent", "#spending_total.share"], widths=[6, 2.8, 2.8, 2.8, 2.6])
    _para(doc, "{%p if assessment %}")
    _para(doc, "{{ h_assessment }}", bold=True)
    paragraphs(doc, "assessment")
    _para(doc, "{%p endif %}")
    _para(doc, "{{ h_difficulties }}", bold=True)
    paragraphs(doc, "difficulties")
    _para(doc, "{{ h_proposals }}", bold=True)
    paragraphs(doc, "proposals")
    footer(doc)
    return doc


def letter() -> Document:
    """The covering letter (công văn) of the budget estimate: heading, subject line, body, signature."""
    doc = _document()
    heading(doc)
    _para(doc, "{{ subject }}", size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, "")
    _para(doc, "{%p for a in addressees %}")
    _para(doc, "{{ to_label }} {{ a }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "{%p endfor %}")
    _para(doc, "")
    paragraphs(doc, "body")
    footer(doc)
    return doc


def budget_table() -> Document:
    doc = _document()
    heading(doc)
    title_block(doc)
    _para(doc, "{{ unit_note }}", italic=True, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{%p for g in groups %}")
    _para(doc, "{{ g.heading }}", bold=True)
    _para(doc, "{{ g.addressee_line }}", italic=True)
    table = doc.add_table(rows=5, cols=7)
    table.style = doc.styles["Table Grid"]
    for i, cell in enumerate(table.rows[0].cells):
        _cell_text(cell, f"{{{{ cols[{i}] }}}}", bold=True, size=11)
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for r in g.rows %}")
    for i, key in enumerate(["#i", "task", "#estimate", "#prev_approved", "#prev_spent", "#prev_share", "notes"]):
        align = WD_ALIGN_PARAGRAPH.RIGHT if key.startswith("#") else WD_ALIGN_PARAGRAPH.LEFT
        _cell_text(table.rows[2].cells[i], f"{{{{ r.{key.lstrip('#')} }}}}", size=11, align=align)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for i, key in enumerate(["", "g.total_label", "#g.estimate", "#g.prev_approved", "#g.prev_spent",
                             "#g.prev_share", ""]):
        if key:
            align = WD_ALIGN_PARAGRAPH.RIGHT if key.startswith("#") else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(table.rows[4].cells[i], f"{{{{ {key.lstrip('#')} }}}}", bold=True, size=11, align=align)
    for row in table.rows:
        for cell, w in zip(row.cells, [0.9, 5.6, 2.5, 2.5, 2.5, 1.6, 2.4], strict=True):
            cell.width = Cm(w)
    _para(doc, "{%p endfor %}")
    _para(doc, "{{ grand_total_line }}", bold=True)
    footer(doc)
    return doc


def workplan() -> Document:
    doc = _document()
    heading(doc)
    title_block(doc)
    data_table(doc, "cols", "rows", ["#i", "content", "lead", "coordinating", "time", "#budget"],
               widths=[0.9, 6.6, 2.8, 3.2, 2.1, 2.4])
    _para(doc, "{{ total_line }}", bold=True)
    footer(doc)
    return doc


TEMPLATES = {"report.docx": report, "budget_letter.docx": letter, "budget_table.docx": budget_table,
             "workplan.docx": workplan}


def build(folder: Path = HERE) -> list[Path]:
    out = []
    for name, fn in TEMPLATES.items():
        path = folder / name
        fn().save(str(path))
        out.append(path)
    return out


if __name__ == "__main__":
    for p in build():
        print(p)
