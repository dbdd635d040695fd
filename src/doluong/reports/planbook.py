"""Any province's plan as one spreadsheet: export a plan to a workbook, load a plan from one — no code.

The workbook has four sheets, in Vietnamese with the English name in brackets, each with a header row:

- **Kế hoạch (plan)**: two columns, *field* and *value*: number, title, issued on (dd/mm/yyyy), issuer, signed
  by, legal basis, province code, map edition code, start year, end year, summary;
- **Giai đoạn (phases)**: number, start year, end year;
- **Nhiệm vụ (tasks)**: code, title, description, solution group (a–e), lead agency (name or short name of a
  registered organisation; a new department is created when none matches), coordinating agencies (as
  written), timeframe (yearly / by a year), due year;
- **Chỉ tiêu (targets)**: indicator code (T1–T5 or another registered indicator), milestone (dd/mm/yyyy), target
  value, label, required ownership (e.g. "state, private").

:func:`load` checks every sheet and row first and refuses the file with each problem's sheet, row and column
when anything is wrong (nothing is written then); otherwise it writes the plan, its phases, tasks and targets
through the write path in one transaction, matching existing rows by their natural keys (plan number and
issue date, phase number, task code, indicator and milestone), so loading the same file twice changes nothing.
Plan 210 ships as such a file (``plans/data/plan-210.xlsx``).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import xlsxwriter
from django.db import transaction
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from doluong.core import writes
from doluong.core.text import fold
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.indicators.models import Indicator, Target
from doluong.indicators.services import load_indicators
from doluong.orgs.models import Organization, OrganizationKind
from doluong.plans.models import Plan, PlanPhase, PlanTask, SolutionGroup, Timeframe

SHEETS = {"plan": "Kế hoạch (plan)", "phases": "Giai đoạn (phases)", "tasks": "Nhiệm vụ (tasks)",
          "targets": "Chỉ tiêu (targets)"}
PLAN_FIELDS = [("number", "Số (number)"), ("title", "Tên (title)"), ("issued_on", "Ngày ban hành (issued on)"),
               ("issuer_name", "Cơ quan ban hành (issuer)"), ("signed_by", "Người ký (signed by)"),
               ("legal_basis", "Căn cứ (legal basis)"), ("province_code", "Mã tỉnh (province code)"),
               ("edition_code", "Bản đồ (map edition)"), ("start_year", "Năm bắt đầu (start year)"),
               ("end_year", "Năm kết thúc (end year)"), ("summary", "Tóm tắt (summary)")]
PHASE_COLS = ["Số (number)", "Năm bắt đầu (start year)", "Năm kết thúc (end year)"]
TASK_COLS = ["Mã (code)", "Nội dung (title)", "Mô tả (description)", "Nhóm giải pháp (solution group)",
             "Cơ quan chủ trì (lead agency)", "Cơ quan phối hợp (coordinating)", "Thời gian (timeframe)",
             "Năm hoàn thành (due year)"]
TARGET_COLS = ["Mã chỉ tiêu (indicator)", "Mốc (milestone)", "Giá trị (value)", "Nội dung (label)",
               "Loại hình sở hữu bắt buộc (required ownership)"]


class PlanbookError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --- export -----------------------------------------------------------------------------------------------

def export(plan: Plan) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#dde7f0", "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    province = plan.province
    values = {
        "number": plan.number, "title": plan.title, "issued_on": plan.issued_on.strftime("%d/%m/%Y"),
        "issuer_name": plan.issuer_name, "signed_by": plan.signed_by, "legal_basis": plan.legal_basis,
        "province_code": province.code if province else "", "edition_code": province.edition.code if province else "",
        "start_year": plan.start_year, "end_year": plan.end_year, "summary": plan.summary}
    sheet = book.add_worksheet(SHEETS["plan"][:31])
    sheet.write_row(0, 0, ["Trường (field)", "Giá trị (value)"], head)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 90, wrap)
    for i, (key, label) in enumerate(PLAN_FIELDS, 1):
        sheet.write(i, 0, label)
        sheet.write(i, 1, values[key])
    sheet = book.add_worksheet(SHEETS["phases"][:31])
    sheet.write_row(0, 0, PHASE_COLS, head)
    for i, ph in enumerate(plan.phases.order_by("number"), 1):
        sheet.write_row(i, 0, [ph.number, ph.start_year, ph.end_year])
    sheet = book.add_worksheet(SHEETS["tasks"][:31])
    sheet.write_row(0, 0, TASK_COLS, head)
    for col, width in enumerate([8, 50, 70, 10, 30, 40, 12, 10]):
        sheet.set_column(col, col, width, wrap)
    for i, t in enumerate(plan.tasks.select_related("lead_agency").order_by("order", "code"), 1):
        sheet.write_row(i, 0, [t.code, t.title, t.description, t.solution_group,
                               t.lead_agency.name, t.coordinating_text, t.timeframe, t.due_year or ""])
    sheet = book.add_worksheet(SHEETS["targets"][:31])
    sheet.write_row(0, 0, TARGET_COLS, head)
    for col, width in enumerate([10, 12, 10, 70, 24]):
        sheet.set_column(col, col, width, wrap)
    for i, t in enumerate(Target.objects.filter(plan=plan).select_related("indicator")
                          .order_by("indicator__order", "milestone"), 1):
        sheet.write_row(i, 0, [t.indicator.code, t.milestone.strftime("%d/%m/%Y"), float(t.value), t.label,
                               ", ".join(t.conditions.get("requires_ownership", []))])
    book.close()
    return out.getvalue()


# --- load -------------------------------------------------------------------------------------------------

@dataclass
class Parsed:
    plan: dict = field(default_factory=dict)
    phases: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _date(v) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(_text(v), fmt).date()
        except ValueError:
            continue
    return None


def _int(v) -> int | None:
    text = _text(v)
    return int(text) if text.isdigit() else None


def _sheet(book, key: str, problems: list[str]):
    names = {fold(n.split("(")[-1].rstrip(")")): n for n in book.sheet_names}
    names.update({fold(n): n for n in book.sheet_names})
    wanted = SHEETS[key]
    name = names.get(fold(wanted)) or names.get(fold(key))
    if name is None:
        problems.append(_("The workbook has no sheet “%(sheet)s”.") % {"sheet": wanted})
        return []
    return [row for row in book.get_sheet_by_name(name).to_python() if any(_text(c) for c in row)]


def parse(data: bytes) -> Parsed:
    """Read and check the workbook; every problem is listed with its sheet, row and column."""
    problems: list[str] = []
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own errors for non-spreadsheets
        raise PlanbookError([_("This is not a spreadsheet that can be read (%(error)s).") % {"error": exc}]) from None
    p = Parsed()

    def where(sheet: str, row: int, col: str) -> str:
        return _("sheet “%(sheet)s”, row %(row)s, column “%(col)s”") % {"sheet": SHEETS[sheet], "row": row,
                                                                        "col": col}

    rows = _sheet(book, "plan", problems)
    by_label = {fold(_text(r[0])): r[1] if len(r) > 1 else "" for r in rows[1:]}
    for key, label in PLAN_FIELDS:
        raw = by_label.get(fold(label), by_label.get(fold(key), ""))
        p.plan[key] = raw
    if rows:
        for key in ("number", "title"):
            if not _text(p.plan[key]):
                problems.append(_("%(where)s: required.") % {"where": where("plan", "—", dict(PLAN_FIELDS)[key])})
        issued = _date(p.plan["issued_on"])
        if issued is None:
            problems.append(_("%(where)s: “%(value)s” is not a date dd/mm/yyyy.") % {
                "where": where("plan", "—", dict(PLAN_FIELDS)["issued_on"]), "value": _text(p.plan["issued_on"])})
        p.plan["issued_on"] = issued
        for key in ("start_year", "end_year"):
            p.plan[key] = _int(p.plan[key])
            if p.plan[key] is None or not 2000 <= p.plan[key] <= 2100:
                problems.append(_("%(where)s: a year from 2000 to 2100.") % {
                    "where": where("plan", "—", dict(PLAN_FIELDS)[key])})
        if p.plan.get("start_year") and p.plan.get("end_year") and p.plan["end_year"] < p.plan["start_year"]:
            problems.append(_("The plan ends (%(end)s) before it starts (%(start)s).") % {
                "end": p.plan["end_year"], "start": p.plan["start_year"]})
        code, edition = _text(p.plan["province_code"]), _text(p.plan["edition_code"])
        p.plan["province"] = None
        if code:
            units = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, code=code)
            if edition:
                units = units.filter(edition__code=edition)
            p.plan["province"] = units.order_by("-edition__valid_from").first()
            if p.plan["province"] is None:
                problems.append(_("%(where)s: no province with code %(code)s on map %(edition)s.") % {
                    "where": where("plan", "—", dict(PLAN_FIELDS)["province_code"]), "code": code,
                    "edition": edition or "—"})
    for n, row in enumerate(_sheet(book, "phases", problems)[1:], 2):
        number, start, end = (_int(row[i]) if len(row) > i else None for i in range(3))
        if None in (number, start, end):
            problems.append(_("%(where)s: number, start year and end year are whole numbers.") % {
                "where": where("phases", n, PHASE_COLS[0])})
            continue
        p.phases.append({"number": number, "start_year": start, "end_year": end})
    groups, frames = set(SolutionGroup.values), set(Timeframe.values)
    seen_codes = set()
    for n, row in enumerate(_sheet(book, "tasks", problems)[1:], 2):
        cells = [_text(row[i]) if len(row) > i else "" for i in range(8)]
        code, title, description, group, lead, coordinating, timeframe, due = cells
        if not code or not title:
            problems.append(_("%(where)s: a task needs its code and title.") % {
                "where": where("tasks", n, TASK_COLS[0])})
            continue
        if code in seen_codes:
            problems.append(_("%(where)s: the code %(code)s is used twice.") % {
                "where": where("tasks", n, TASK_COLS[0]), "code": code})
        seen_codes.add(code)
        if group and group not in groups:
            problems.append(_("%(where)s: “%(value)s” is not one of %(choices)s.") % {
                "where": where("tasks", n, TASK_COLS[3]), "value": group, "choices": ", ".join(sorted(groups))})
        timeframe = timeframe or Timeframe.YEARLY
        if timeframe not in frames:
            problems.append(_("%(where)s: “%(value)s” is not one of %(choices)s.") % {
                "where": where("tasks", n, TASK_COLS[6]), "value": timeframe, "choices": ", ".join(sorted(frames))})
        if not lead:
            problems.append(_("%(where)s: required.") % {"where": where("tasks", n, TASK_COLS[4])})
        p.tasks.append({"code": code, "title": title[:500], "description": description, "solution_group": group,
                        "lead": lead, "coordinating_text": coordinating[:500], "timeframe": timeframe,
                        "due_year": _int(due), "order": n - 1})
    codes = set(Indicator.objects.values_list("code", flat=True)) | {"T1", "T2", "T3", "T4", "T5"}
    for n, row in enumerate(_sheet(book, "targets", problems)[1:], 2):
        cells = list(row) + [""] * 5
        code, milestone, raw_value, label, ownership = (cells[0], cells[1], cells[2], cells[3], cells[4])
        code = _text(code)
        if code not in codes:
            problems.append(_("%(where)s: no indicator %(code)s.") % {"where": where("targets", n, TARGET_COLS[0]),
                                                                       "code": code or "—"})
            continue
        day = _date(milestone)
        if day is None:
            problems.append(_("%(where)s: “%(value)s” is not a date dd/mm/yyyy.") % {
                "where": where("targets", n, TARGET_COLS[1]), "value": _text(milestone)})
            continue
        try:
            value = Decimal(_text(raw_value).replace(",", "."))
        except InvalidOperation:
            problems.append(_("%(where)s: “%(value)s” is not a number.") % {
                "where": where("targets", n, TARGET_COLS[2]), "value": _text(raw_value)})
            continue
        wanted = [w.strip() for w in _text(ownership).split(",") if w.strip()]
        p.targets.append({"code": code, "milestone": day, "value": value, "label": _text(label)[:300],
                          "conditions": {"requires_ownership": wanted} if wanted else {}})
    if problems:
        raise PlanbookError(problems)
    return p


def _agency(name: str, cache: dict, user) -> Organization:
    key = fold(name)
    if key not in cache:
        found = (Organization.objects.filter(name__iexact=name).first()
                 or Organization.objects.filter(short_name__iexact=name).first())
        if found is None:
            found = Organization(name=name[:300], kind=OrganizationKind.DEPARTMENT, ownership="state")
            writes.save(found, user=user, via=writes.Via.IMPORT)
        cache[key] = found
    return cache[key]


def _put(model, lookup: dict, values: dict, user):
    """Create, or update only what differs (through the write path); returns the row."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        writes.save(obj, user=user, via=writes.Via.IMPORT)
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if changed:
        for k, v in changed.items():
            setattr(obj, k, v)
        writes.save(obj, user=user, via=writes.Via.IMPORT)
    return obj


@transaction.atomic
def load(data: bytes, *, user) -> Plan:
    """Load the workbook (see the module docstring); all or nothing."""
    p = parse(data)
    info = p.plan
    plan = _put(Plan, {"number": _text(info["number"]), "issued_on": info["issued_on"]}, {
        "title": _text(info["title"])[:500], "issuer_name": _text(info["issuer_name"])[:300],
        "signed_by": _text(info["signed_by"])[:200], "legal_basis": _text(info["legal_basis"])[:300],
        "province": info["province"], "start_year": info["start_year"], "end_year": info["end_year"],
        "summary": _text(info["summary"])}, user)
    for ph in p.phases:
        _put(PlanPhase, {"plan": plan, "number": ph["number"]},
             {"start_year": ph["start_year"], "end_year": ph["end_year"]}, user)
    cache: dict = {}
    for t in p.tasks:
        _put(PlanTask, {"plan": plan, "code": t["code"]}, {
            "title": t["title"], "description": t["description"], "solution_group": t["solution_group"],
            "lead_agency": _agency(t["lead"], cache, user), "coordinating_text": t["coordinating_text"],
            "timeframe": t["timeframe"], "due_year": t["due_year"], "order": t["order"]}, user)
    indicators = load_indicators() if p.targets else {}
    indicators.update({i.code: i for i in Indicator.objects.filter(code__in=[t["code"] for t in p.targets])})
    for t in p.targets:
        _put(Target, {"plan": plan, "indicator": indicators[t["code"]], "milestone": t["milestone"]},
             {"value": t["value"], "label": t["label"], "conditions": t["conditions"]}, user)
    return plan


PLAN_210_FILE = Path(__file__).resolve().parent.parent / "plans" / "data" / "plan-210.xlsx"
