"""Turn a document and its figures into files: Word (docxtpl), PDF (WeasyPrint) and XLSX (xlsxwriter).

One context per document feeds every format, so the Word file, the PDF and the spreadsheet print the same
words and figures. Documents are rendered in Vietnamese.
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from doluong.core.documents import WORD_FONT, render_docx, render_pdf
from doluong.reports import context as ctx
from doluong.reports.models import DocumentKind, PlanDocument

TEMPLATES_DIR = Path(__file__).resolve().parent / "docx"
CHART_FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")


def docx_template(name: str) -> Path:
    """An office's own template (``DOLUONG_DOCX_TEMPLATES``) if it has one of this name, else the default."""
    custom = getattr(settings, "DOLUONG_DOCX_TEMPLATES", "") or os.environ.get("DOLUONG_DOCX_TEMPLATES", "")
    if custom and (Path(custom) / name).is_file():
        return Path(custom) / name
    return TEMPLATES_DIR / name


def chart_png(series: list[tuple[str, Decimal]], title: str) -> bytes:
    """The same horizontal bars as the PDF's SVG chart, drawn as a PNG for Word (which takes no SVG here)."""
    from PIL import Image, ImageDraw, ImageFont

    scale, row, label_w, width = 3, 22, 120, 600
    height = row * len(series) + 30
    img = Image.new("RGB", (width * scale, height * scale), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype(str(CHART_FONT), 12 * scale)
    except OSError:
        font = ImageFont.load_default(12 * scale)
    top = max([v for _k, v in series] + [Decimal(100)])
    bar_max = width - label_w - 70
    for i, (label, value) in enumerate(series):
        y = (i * row + 6) * scale
        draw.text(((label_w - 8) * scale, y + 8 * scale), label, fill="black", font=font, anchor="rm")
        w = float(value / top) * bar_max
        draw.rectangle([label_w * scale, y, (label_w + w) * scale, y + 14 * scale], fill=(47, 93, 138))
        draw.text(((label_w + w + 5) * scale, y + 8 * scale), ctx.n(value, 1) + " %", fill="black", font=font,
                  anchor="lm")
    x100 = (label_w + float(Decimal(100) / top) * bar_max) * scale
    draw.line([x100, 0, x100, (height - 24) * scale], fill=(150, 150, 150), width=scale)
    draw.text((x100, (height - 12) * scale), "100 %", fill=(90, 90, 90), font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()


# --- reports (yearly, sơ kết, tổng kết) ---------------------------------------------------------------

def properties(doc: PlanDocument, meta: dict | None) -> dict:
    """Who generated the file and when, and the date of its figures: in the Word file's properties and the
    PDF's metadata (the document's own pages carry only what the state's format asks for)."""
    meta = meta or {}
    return {"author": meta.get("author", ""), "title": str(doc), "created": meta.get("created"),
            "comments": meta.get("comments", ""), "keywords": doc.plan.number}


def report_files(doc: PlanDocument, figures: dict, meta: dict | None = None) -> dict[str, bytes]:
    with translation.override("vi"):
        c = {**ctx.report_context(doc, figures), "meta": properties(doc, meta)}
        for r in c["target_rows"]:
            r["name_full"] = f"{r['code']}. {r['name']} ({r['unit']})" + (f" — {r['missing']}" if r["missing"] else "")
        series = [(f"{r['code']} · {r['milestone'][-4:]}", Decimal(t["percent"] or 0))
                  for r, t in zip(c["target_rows"], figures["targets"], strict=True)]
        pdf = render_pdf("reports/pdf/report.html", {**c, "chart_series": series})
        png = chart_png(series, c["chart_title"]) if series else None
        docx = render_docx(docx_template("report.docx"), c, images={"chart": (png, 150)},
                           properties=properties(doc, meta))
    return {"docx": docx, "pdf": pdf}


# --- budget estimate ------------------------------------------------------------------------------------

# Which department receives which part of the estimate (Plan 210, IV.1): development investment goes to
# Planning & Investment, recurrent S&T spending to Finance; since March 2025 the two are one Department of
# Finance in most provinces, so the addressee of each part is the document's "addressed to" line when given.
GROUPS = (("development_investment", "investment"), ("recurrent_st", "recurrent"))


def budget_context(doc: PlanDocument) -> dict:
    from doluong.plans.models import BudgetLine, FundingSource

    year, plan = doc.year, doc.plan
    lines = list(BudgetLine.objects.filter(plan=plan, year__in=(year, year - 1)).select_related("task")
                 .order_by("task__order", "task__code", "pk"))
    current = [line for line in lines if line.year == year]
    previous = {(line.task_id, line.source): line for line in lines if line.year == year - 1}
    addressees = ctx.lines(doc.addressee)
    default_to = {"development_investment": _("Department of Planning and Investment"),
                  "recurrent_st": _("Department of Finance")}
    groups = []
    grand = Decimal(0)
    for source in (FundingSource.DEVELOPMENT_INVESTMENT, FundingSource.RECURRENT_ST, FundingSource.ENTERPRISE,
                   FundingSource.OTHER):
        rows_src = [line for line in current if line.source == source]
        if not rows_src:
            continue
        rows, est, pa, ps = [], Decimal(0), Decimal(0), Decimal(0)
        for i, line in enumerate(rows_src, 1):
            prev = previous.get((line.task_id, line.source))
            rows.append({"i": i, "task": f"{line.task.code}. {line.task.title}" if line.task_id else _(
                "The plan as a whole"), "estimate": ctx.n(line.estimate, 0),
                "prev_approved": ctx.n(prev.approved, 0) if prev else "—",
                "prev_spent": ctx.n(prev.spent, 0) if prev else "—",
                "prev_share": (ctx.n((prev.spent * 100 / prev.approved).quantize(Decimal("0.1")), 1) + " %")
                if prev and prev.approved else "—", "notes": line.notes})
            est += line.estimate
            if prev:
                pa, ps = pa + prev.approved, ps + prev.spent
        grand += est
        to = (addressees[0] if len(addressees) == 1 else None) or default_to.get(source, "")
        if len(addressees) == 2 and source in default_to:
            to = addressees[0 if source == FundingSource.DEVELOPMENT_INVESTMENT else 1]
        groups.append({
            "source": source, "heading": str(FundingSource(source).label), "rows": rows,
            "addressee_line": (_("Sent to: %(to)s") % {"to": to}) if source in default_to else _(
                "For information: not a state budget request."),
            "addressee": to if source in default_to else "",
            "total_label": _("Total"), "estimate": ctx.n(est, 0), "estimate_raw": str(est),
            "prev_approved": ctx.n(pa, 0), "prev_spent": ctx.n(ps, 0),
            "prev_share": (ctx.n((ps * 100 / pa).quantize(Decimal("0.1")), 1) + " %") if pa else "—"})
    state = [g for g in groups if g["source"] in default_to]
    head, sub = ctx.title(doc)
    heading = ctx.heading(doc)
    body = [_("Carrying out %(plan)s, the %(body)s has compiled the estimate of funds for implementing the plan in "
              "%(year)s, as in the attached table:") % {"plan": ctx.plan_ref(plan), "body": doc.issuing_body or _(
                  "Department of Science and Technology"), "year": year}]
    body += [_("- %(heading)s: %(amount)s đồng, sent to the %(to)s;") % {
        "heading": g["heading"], "amount": g["estimate"], "to": g["addressee"]} for g in state]
    body.append(_("The total requested from the state budget is %(amount)s đồng. Beside each line the table gives "
                  "the amount approved and spent in %(prev)s.") % {
        "amount": ctx.n(sum((Decimal(g["estimate_raw"]) for g in state), Decimal(0)), 0), "prev": year - 1})
    body += ctx.lines(doc.assessment)
    body.append(_("The %(body)s respectfully requests the departments to consider and include it in the budget."
                  ) % {"body": doc.issuing_body or _("Department of Science and Technology")})
    return {
        **heading, "title": head, "subtitle": sub, "to_label": _("To:"),
        "addressee": "; ".join(dict.fromkeys(g["addressee"] for g in state if g["addressee"])) or "",
        "addressees": list(dict.fromkeys(g["addressee"] for g in state if g["addressee"])),
        "subject": _("Re: estimate of funds for %(plan)s in %(year)s") % {"plan": plan.number, "year": year},
        "body": body, "groups": groups, "unit_note": _("Unit: đồng"),
        "cols": [_("No."), _("Task"), _("Estimate %(y)s") % {"y": year}, _("Approved %(y)s") % {"y": year - 1},
                 _("Spent %(y)s") % {"y": year - 1}, _("Spent / approved"), _("Notes")],
        "grand_total_line": _("Total of all sources: %(amount)s đồng.") % {"amount": ctx.n(grand, 0)},
    }


def budget_files(doc: PlanDocument, meta: dict | None = None) -> tuple[dict[str, bytes], dict]:
    props = properties(doc, meta)
    with translation.override("vi"):
        c = budget_context(doc)
        out = {"letter_docx": render_docx(docx_template("budget_letter.docx"), c, properties=props),
               "docx": render_docx(docx_template("budget_table.docx"), c, properties=props),
               "pdf": render_pdf("reports/pdf/budget.html", {**c, "meta": props}),
               "xlsx": _xlsx(c["title"] + " " + str(doc.year), c["cols"],
                             [(g["heading"], [[r["i"], r["task"], r["estimate"], r["prev_approved"], r["prev_spent"],
                                                r["prev_share"], r["notes"]] for r in g["rows"]],
                               ["", g["total_label"], g["estimate"], g["prev_approved"], g["prev_spent"],
                                g["prev_share"], ""]) for g in c["groups"]], numeric=(2, 3, 4))}
    return out, c


# --- annual workplan ---------------------------------------------------------------------------------

def workplan_context(doc: PlanDocument) -> dict:
    from doluong.plans.models import AnnualWorkplan, WorkplanItem

    workplan = AnnualWorkplan.objects.filter(plan=doc.plan, year=doc.year).first()
    items = (WorkplanItem.objects.filter(workplan=workplan).select_related("task", "task__lead_agency", "responsible")
             .prefetch_related("task__coordinating_agencies").order_by("task__order", "task__code", "pk")
             if workplan else [])
    rows, total = [], Decimal(0)
    for i, item in enumerate(items, 1):
        coordinating = ", ".join(o.short_name or o.name for o in item.task.coordinating_agencies.all()) \
            or item.task.coordinating_text
        rows.append({"i": i, "content": f"{item.task.code}. {item.task.title}: {item.planned_output}",
                     "lead": item.responsible.short_name or item.responsible.name, "coordinating": coordinating or "—",
                     "time": item.deadline.strftime("%d/%m/%Y") if item.deadline else _("All year"),
                     "budget": ctx.n(item.budget, 0) if item.budget else "—"})
        total += item.budget or 0
    head, sub = ctx.title(doc)
    status = workplan.get_status_display() if workplan else _("no workplan for this year")
    return {**ctx.heading(doc), "title": head, "subtitle": sub, "to_label": _("To:"),
            "addressee": doc.addressee or _("The agencies concerned"), "rows": rows,
            "cols": [_("No."), _("Content"), _("Lead"), _("Coordinating agencies"), _("Time"), _("Budget (đồng)")],
            "total_line": _("%(n)s items; budget %(amount)s đồng; workplan status: %(status)s.") % {
                "n": len(rows), "amount": ctx.n(total, 0), "status": status}}


def workplan_files(doc: PlanDocument, meta: dict | None = None) -> tuple[dict[str, bytes], dict]:
    with translation.override("vi"):
        c = workplan_context(doc)
        out = {"docx": render_docx(docx_template("workplan.docx"), c, properties=properties(doc, meta)),
               "xlsx": _xlsx(c["title"] + " " + str(doc.year), c["cols"],
                             [("", [[r["i"], r["content"], r["lead"], r["coordinating"], r["time"], r["budget"]]
                                    for r in c["rows"]], None)], numeric=(5,))}
    return out, c


def _xlsx(title: str, cols: list[str], groups, *, numeric=()) -> bytes:
    """A sheet with a title, a header row and each group's rows (and total), amounts as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet(title[:31].replace("/", "-"))
    base = {"font_name": WORD_FONT, "font_size": 12, "valign": "top", "text_wrap": True}
    fmt = book.add_format({**base, "border": 1})
    head = book.add_format({**base, "border": 1, "bold": True, "align": "center"})
    money = book.add_format({**base, "border": 1, "num_format": "#,##0"})
    bold = book.add_format({**base, "bold": True})
    total_fmt = book.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0"})
    sheet.write(0, 0, title, bold)
    sheet.write_row(2, 0, cols, head)
    widths = [6, 60, 18, 18, 18, 14, 30]
    for i, w in enumerate(widths[:len(cols)]):
        sheet.set_column(i, i, w)
    r = 3
    for heading, rows, total in groups:
        if heading:
            sheet.merge_range(r, 0, r, len(cols) - 1, heading, head)
            r += 1
        for row in rows:
            for c, value in enumerate(row):
                if c in numeric and isinstance(value, str) and value not in ("", "—"):
                    sheet.write_number(r, c, int(value.replace(".", "")), money)
                else:
                    sheet.write(r, c, value, fmt)
            r += 1
        if total:
            for c, value in enumerate(total):
                if c in numeric and isinstance(value, str) and value not in ("", "—"):
                    sheet.write_number(r, c, int(value.replace(".", "")), total_fmt)
                else:
                    sheet.write(r, c, value, total_fmt)
            r += 1
    book.close()
    return out.getvalue()


def files_for(doc: PlanDocument, figures: dict | None, meta: dict | None = None) -> tuple[dict[str, bytes], dict]:
    """(files by field name, the figures they print) for any kind of document; ``meta``: author, created,
    comments for the files' properties."""
    if doc.kind == DocumentKind.BUDGET:
        return budget_files(doc, meta)
    if doc.kind == DocumentKind.WORKPLAN:
        return workplan_files(doc, meta)
    return report_files(doc, figures, meta), figures
