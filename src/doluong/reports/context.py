"""The words and tables of a document, built once from its figures for the Word, PDF and XLSX renderers.

Documents are in Vietnamese, the language of the state's administrative documents (Decree 30/2020/NĐ-CP),
whatever the language of the page that asked for them. Figures are formatted the Vietnamese way
(1.234.567; 12,5 %; dates dd/mm/yyyy); the heading's date line reads "Lào Cai, ngày 03 tháng 12 năm 2026".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from doluong.core.templatetags.doluong import num
from doluong.reports.models import NUMBER_SYMBOL, DocumentKind, PlanDocument


def n(value, places="auto") -> str:
    return num(Decimal(value or 0), places) if value not in (None, "") else "—"


def dmy(iso: str | dt.date) -> str:
    d = dt.date.fromisoformat(iso) if isinstance(iso, str) else iso
    return d.strftime("%d/%m/%Y")


def date_line(place: str, day: dt.date) -> str:
    return _("%(place)s, %(day)s %(month)s %(year)s") % {
        "place": place, "day": _("day %(d)02d") % {"d": day.day}, "month": _("month %(m)02d") % {"m": day.month},
        "year": _("year %(y)d") % {"y": day.year}}


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _number_line(doc: PlanDocument) -> str:
    if doc.number:
        return _("No.: %(number)s") % {"number": doc.number}
    return _("No.:        /%(symbol)s") % {"symbol": f"{NUMBER_SYMBOL[doc.kind]}-SKHCN"
                                             if NUMBER_SYMBOL[doc.kind] != "SKHCN-KHTC" else "SKHCN-KHTC"}


def province_name(doc: PlanDocument) -> str:
    """The plan's province as it is on the document's date: a plan of old Yên Bái reports, after the July 2025
    merger, to the People's Committee of Lào Cai (the succession table carries it)."""
    from doluong.geo.selectors import successor_on_current_map

    unit = doc.plan.province
    if unit is None:
        return ""
    if not unit.in_force_on(doc.dated):
        unit = successor_on_current_map(unit)
    return unit.name[:1].lower() + unit.name[1:]  # "tỉnh Lào Cai" in running text; headings are upper case


def _short_place(province: str) -> str:
    """"tỉnh Lào Cai" → "Lào Cai" for the date line."""
    for prefix in ("tỉnh ", "thành phố "):
        if province.lower().startswith(prefix):
            return province[len(prefix):]
    return province


def heading(doc: PlanDocument) -> dict:
    province = province_name(doc)
    place = doc.place or _short_place(province)
    authority = doc.authority or (_("PC of %(province)s") % {"province": province}).upper()
    return {
        "authority": authority.upper(), "issuing_body": (doc.issuing_body or _("Department of Science and Technology"))
        .upper(), "number_line": _number_line(doc), "date_line": date_line(place, doc.dated),
        "nation": _("SOCIALIST REPUBLIC OF VIETNAM"), "motto": _("Independence - Freedom - Happiness"),
        "recipients": lines(doc.recipients) or [_("As above;"), _("Archive: Clerical office.")],
        "signer_title": [t.strip() for t in (doc.signer_title or _("DIRECTOR")).split("/") if t.strip()],
        "signer_name": doc.signer_name,
        "recipients_label": _("Recipients:"),
    }


def plan_ref(plan) -> str:
    return _("Plan No. %(number)s of %(date)s of the %(issuer)s") % {
        "number": plan.number, "date": dmy(plan.issued_on), "issuer": plan.issuer_name or plan.issuer or ""}


def title(doc: PlanDocument) -> tuple[str, str]:
    start, end = doc.period
    plan_ref_text = plan_ref(doc.plan)
    if doc.kind == DocumentKind.ANNUAL:
        return _("REPORT"), _("Results of implementing %(plan)s in %(year)s") % {
            "plan": plan_ref_text, "year": doc.year}
    if doc.kind == DocumentKind.PHASE_REVIEW:
        return _("REPORT"), _("Review of phase %(phase)s (%(start)s–%(end)s) of %(plan)s") % {
            "phase": doc.phase.number, "start": start.year, "end": end.year, "plan": plan_ref_text}
    if doc.kind == DocumentKind.FINAL_REVIEW:
        return _("REPORT"), _("Final review of %(plan)s (%(start)s–%(end)s)") % {
            "plan": plan_ref_text, "start": start.year, "end": end.year}
    if doc.kind == DocumentKind.BUDGET:
        return _("BUDGET ESTIMATE"), _("Funds for %(plan)s in %(year)s") % {"plan": plan_ref_text, "year": doc.year}
    return _("WORKPLAN"), _("Implementing %(plan)s in %(year)s") % {"plan": plan_ref_text, "year": doc.year}


def report_context(doc: PlanDocument, figures: dict) -> dict:
    """Everything a report template prints: heading, title, sentences with the figures, tables, prose."""
    head, sub = title(doc)
    as_of = dmy(figures["as_of"])
    t = figures["targets"]
    counts: dict[str, int] = {}
    for row in t:
        counts[row["status_label"]] = counts.get(row["status_label"], 0) + 1
    targets_summary = _("Figures as of %(date)s, computed from the records in the system: %(summary)s.") % {
        "date": as_of, "summary": "; ".join(f"{label}: {c}" for label, c in counts.items()) or _("no target")}
    target_rows = [{
        "i": i, "code": r["code"], "name": r["name"], "unit": r["unit"], "milestone": dmy(r["milestone"]),
        "target": n(r["target"]), "in_period": n(r["in_period"]), "cumulative": n(r["cumulative"]),
        "percent": n(r["percent"], 1) + " %", "status": r["status_label"], "status_key": r["status"],
        "missing": " ".join(r["missing"]),
    } for i, r in enumerate(t, 1)]
    task_rows = [{"i": i, "agency": r["agency"], "tasks": r["tasks"], "due": r["due"], "accepted": r["accepted"],
                  "late": r["late"], "late_tasks": ", ".join(r["late_tasks"]) or "—"}
                 for i, r in enumerate(figures["tasks"], 1)]
    tr, asr, ins, com, sp = (figures[k] for k in ("trainings", "assurance", "inspections", "communication",
                                                  "spending"))
    trainings_text = _("%(count)s training courses were held, with %(pt)s person-times trained "
                       "(%(ent)s from enterprises); %(demand)s of them on enterprises' demand.") % {
        "count": n(tr["count"]), "pt": n(tr["person_times"]), "ent": n(tr["enterprise_person_times"]),
        "demand": n(tr["on_demand"])}
    assurance_text = _("%(cases)s enterprises took part in the measurement assurance programme; support was "
                       "delivered %(times)s enterprise-times: %(state)s to state-capital enterprises, %(private)s to "
                       "private enterprises and %(other)s to others.") % {
        "cases": n(asr["cases"]), "times": n(asr["enterprise_times"]), "state": n(asr["state"]),
        "private": n(asr["private"]), "other": n(asr["other"])}
    stages_text = "; ".join(f"{s['label']}: {n(s['count'])}" for s in asr["stages"] if s["count"])
    inspections_text = _("%(insp)s inspections and checks were carried out; %(failed)s instrument checks failed and "
                         "%(lots)s prepackage lots were rejected. Providers recorded %(records)s verifications, "
                         "calibrations and tests; %(verified)s instruments were verified.") % {
        "insp": n(ins["inspections"]), "failed": n(ins["instrument_checks_failed"]), "lots": n(ins["lots_rejected"]),
        "records": n(ins["records"]), "verified": n(ins["instruments_verified"])}
    communication_text = _("%(events)s communication activities were held, with %(people)s participants.") % {
        "events": n(com["events"]), "people": n(com["participants"])}
    spending_rows = [{"label": r["label"], "estimate": n(r["estimate"], 0), "approved": n(r["approved"], 0),
                      "spent": n(r["spent"], 0), "share": (n(r["share"], 1) + " %") if r["share"] else "—"}
                     for r in sp["rows"]]
    spending_total = {"label": _("Total"), "estimate": n(sp["estimate"], 0), "approved": n(sp["approved"], 0),
                      "spent": n(sp["spent"], 0), "share": (n(sp["share"], 1) + " %") if sp["share"] else "—"}
    start, end = doc.period
    intro = _("Carrying out %(plan)s, the %(body)s reports the results from %(start)s to %(end)s as follows:") % {
        "plan": plan_ref(doc.plan), "body": doc.issuing_body or _("Department of Science and Technology"),
        "start": dmy(start), "end": dmy(min(end, dt.date.fromisoformat(figures["as_of"])))}
    return {
        **heading(doc), "title": head, "subtitle": sub, "addressee": doc.addressee or _(
            "People's Committee of %(province)s") % {"province": province_name(doc)},
        "to_label": _("To:"), "intro": intro, "as_of": as_of,
        "h_results": _("I. RESULTS"), "h_targets": _("1. Targets"), "h_tasks": _("2. Tasks by agency"),
        "h_trainings": _("3. Training"), "h_assurance": _("4. Measurement assurance programme for enterprises"),
        "h_inspections": _("5. Inspections and checks"), "h_communication": _("6. Communication"),
        "h_spending": _("7. Funds"), "h_assessment": _("8. General assessment"),
        "h_difficulties": _("II. DIFFICULTIES"), "h_proposals": _("III. PROPOSALS"),
        "targets_summary": targets_summary, "target_rows": target_rows,
        "target_cols": [_("No."), _("Target"), _("Milestone"), _("Target value"), _("In the period"),
                        _("Cumulative"), _("Achieved"), _("Status")],
        "task_rows": task_rows,
        "task_cols": [_("No."), _("Lead agency"), _("Tasks led"), _("Reports due"), _("Accepted"), _("Late"),
                      _("Late reports")],
        "trainings_text": trainings_text, "assurance_text": assurance_text,
        "stages_text": (_("Cases by stage: %(stages)s.") % {"stages": stages_text}) if stages_text else "",
        "inspections_text": inspections_text, "communication_text": communication_text,
        "communication_rows": [{"kind": r["kind"], "count": n(r["count"]), "participants": n(r["participants"])}
                               for r in com["by_kind"]],
        "communication_cols": [_("Kind of activity"), _("Activities"), _("Participants")],
        "spending_rows": spending_rows, "spending_total": spending_total,
        "spending_cols": [_("Source"), _("Estimate (đồng)"), _("Approved (đồng)"), _("Spent (đồng)"),
                          _("Spent / approved")],
        "assessment": lines(doc.assessment),
        "difficulties": lines(doc.difficulties) or [_("No difficulty was recorded for the period.")],
        "proposals": lines(doc.proposals) or [_("No proposal.")],
        "chart_title": _("Share of each target achieved (cumulative, %)"),
    }
