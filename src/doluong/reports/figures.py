"""Every figure of a plan's report over a period, as of a date — taken from the indicators, never typed.

:func:`collect` returns plain data (numbers as strings of decimals, dates ISO) so a generation can keep the
exact figures it printed (``GeneratedDocument.figures``) and the Word, PDF and XLSX renderers read one source.
The period is the year of a yearly report, the phase of a sơ kết, or the whole plan for the tổng kết: one
machinery over a period. A figure "in the period" counts the facts dated within it (up to ``as_of``); a
target's figure is cumulative from the plan's start to ``as_of`` and its status is the indicators' own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from doluong.indicators.computations import REGISTRY, Scope, breakdown, figure
from doluong.indicators.models import Target
from doluong.indicators.selectors import indicator_value, plan_start, target_progress
from doluong.orgs.models import Ownership
from doluong.plans.models import BudgetLine, FundingSource, PlanChange, PlanTask, ProgressReport, ReportStatus

Progress = Callable[[int, str], None]


def _d(value) -> str:
    return format(Decimal(value or 0).normalize(), "f") if value is not None else ""


def _window(plan, start: dt.date, end: dt.date, as_of: dt.date) -> Scope:
    """Facts dated from ``start`` to the earlier of ``end`` and ``as_of``."""
    return Scope(as_of=min(end, as_of), since=max(start, plan_start(plan)))


def _count(key: str, scope: Scope) -> Decimal:
    return figure(REGISTRY[key], scope)


def targets(plan, start: dt.date, end: dt.date, as_of: dt.date) -> list[dict]:
    """Each target: the value in the period, the cumulative value, the expected value and the status."""
    cutoff = min(end, as_of)
    window = _window(plan, start, end, as_of)
    rows = []
    for target in Target.objects.filter(plan=plan).select_related("indicator", "plan").order_by(
            "indicator__order", "milestone"):
        progress = target_progress(target, Scope(as_of=cutoff))
        in_period, _manual = indicator_value(target.indicator, window)
        rows.append({
            "code": target.indicator.code, "name": target.label or target.indicator.name,
            "unit": target.indicator.unit, "milestone": target.milestone.isoformat(),
            "target": _d(target.value), "in_period": _d(in_period), "cumulative": _d(progress.value),
            "expected": _d(progress.expected), "percent": _d(progress.percent.quantize(Decimal("0.1"))),
            "status": progress.status, "status_label": progress.status_label,
            "value_at_milestone": _d(progress.value_at_milestone) if progress.value_at_milestone is not None else "",
            "missing": progress.missing, "manual": progress.manual,
        })
    return rows


def tasks_by_agency(plan, start: dt.date, end: dt.date, as_of: dt.date) -> list[dict]:
    """Per lead agency: tasks it leads, reports due in the period, accepted, awaited and late on ``as_of``."""
    cutoff = min(end, as_of)
    tasks = PlanTask.objects.filter(plan=plan).select_related("lead_agency")
    led: dict[int, dict] = {}
    for t in tasks:
        row = led.setdefault(t.lead_agency_id, {"agency": t.lead_agency.short_name or t.lead_agency.name,
                                                 "tasks": 0, "due": 0, "accepted": 0, "late": 0, "late_tasks": []})
        row["tasks"] += 1
    reports = ProgressReport.objects.filter(task__plan=plan, due_on__gte=start, due_on__lte=end).select_related(
        "task", "agency")
    late_ids = set(reports.late(cutoff).values_list("pk", flat=True))
    for r in reports:
        row = led.setdefault(r.task.lead_agency_id, {"agency": r.agency.short_name or r.agency.name, "tasks": 0,
                                                      "due": 0, "accepted": 0, "late": 0, "late_tasks": []})
        if r.due_on <= cutoff:
            row["due"] += 1
        if r.status == ReportStatus.ACCEPTED and r.reviewed_at and r.reviewed_at.date() <= cutoff:
            row["accepted"] += 1
        if r.pk in late_ids:
            row["late"] += 1
            row["late_tasks"].append(f"{r.task.code} ({r.due_on:%d/%m/%Y})")
    return sorted(led.values(), key=lambda r: (-r["tasks"], r["agency"]))


def trainings(plan, start, end, as_of) -> dict:
    from doluong.programmes.models import Training

    window = _window(plan, start, end, as_of)
    held = Training.objects.filter(starts_on__gte=window.since, starts_on__lte=window.as_of)
    comp = REGISTRY["training_person_times"]
    by_ownership = dict(breakdown(comp, window, "ownership"))
    return {"count": held.count(), "person_times": _d(_count("training_person_times", window)),
            "on_demand": held.filter(on_enterprise_demand=True).count(),
            "enterprise_person_times": _d(sum((v for k, v in by_ownership.items() if k), Decimal(0)))}


def assurance(plan, start, end, as_of) -> dict:
    from doluong.programmes.models import AssuranceCase, Stage

    window = _window(plan, start, end, as_of)
    cases = AssuranceCase.objects.filter(year__gte=window.since.year, year__lte=window.as_of.year).filter(
        Q(plan=plan) | Q(plan__isnull=True))
    stages = dict(cases.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    by_ownership = dict(breakdown(REGISTRY["assurance_enterprise_times"], window, "ownership"))
    return {"cases": cases.count(),
            "stages": [{"label": str(label), "count": stages.get(value, 0)} for value, label in Stage.choices],
            "enterprise_times": _d(_count("assurance_enterprise_times", window)),
            "state": _d(by_ownership.get(Ownership.STATE, 0)), "private": _d(by_ownership.get(Ownership.PRIVATE, 0)),
            "other": _d(sum((v for k, v in by_ownership.items() if k not in (Ownership.STATE, Ownership.PRIVATE)),
                            Decimal(0)))}


def inspections(plan, start, end, as_of) -> dict:
    window = _window(plan, start, end, as_of)
    return {"inspections": _d(_count("inspections", window)),
            "instrument_checks_failed": _d(_count("instrument_checks_failed", window)),
            "lots_rejected": _d(_count("lots_rejected", window)),
            "records": _d(_count("records", window)),
            "instruments_verified": _d(_count("instruments_verified", window))}


def communication(plan, start, end, as_of) -> dict:
    from doluong.programmes.models import OutreachEvent, OutreachKind

    window = _window(plan, start, end, as_of)
    events = OutreachEvent.objects.filter(held_on__gte=window.since, held_on__lte=window.as_of)
    per_kind = {k: (n, p) for k, n, p in events.values_list("kind").annotate(
        n=Count("pk"), p=Sum("participants")).values_list("kind", "n", "p")}
    rows = [{"kind": str(label), "count": per_kind[value][0], "participants": per_kind[value][1] or 0}
            for value, label in OutreachKind.choices if value in per_kind]
    return {"events": sum(r["count"] for r in rows), "participants": sum(r["participants"] for r in rows),
            "by_kind": rows}


def spending(plan, start, end, as_of) -> dict:
    """Estimate, approved and spent by source over the period's years, and the total."""
    lines = BudgetLine.objects.filter(plan=plan, year__gte=start.year, year__lte=end.year)
    sums = {s: (e, a, p) for s, e, a, p in lines.order_by().values("source").annotate(
        e=Sum("estimate"), a=Sum("approved"), p=Sum("spent")).values_list("source", "e", "a", "p")}
    rows = []
    for value, label in FundingSource.choices:
        if value in sums:
            e, a, p = (Decimal(x or 0) for x in sums[value])
            rows.append({"source": value, "label": str(label), "estimate": _d(e), "approved": _d(a), "spent": _d(p),
                         "share": _d((p * 100 / a).quantize(Decimal("0.1"))) if a else ""})
    total = [sum((Decimal(r[k]) for r in rows), Decimal(0)) for k in ("estimate", "approved", "spent")]
    return {"rows": rows, "estimate": _d(total[0]), "approved": _d(total[1]), "spent": _d(total[2]),
            "share": _d((total[2] * 100 / total[1]).quantize(Decimal("0.1"))) if total[1] else ""}


def reported_difficulties(plan, start: dt.date, end: dt.date) -> list[dict]:
    """What the agencies wrote to the department in the period (change requests), newest first."""
    changes = (PlanChange.objects.filter(plan=plan, reported_on__gte=start, reported_on__lte=end)
               .select_related("reported_by", "task").order_by("-reported_on", "-pk"))
    return [{"agency": c.reported_by.short_name or c.reported_by.name, "task": c.task.code if c.task_id else "",
             "date": c.reported_on.isoformat(), "difficulty": c.difficulty, "proposal": c.proposed_adjustment}
            for c in changes]


def suggested_prose(plan, start: dt.date, end: dt.date) -> tuple[str, str]:
    """Difficulties and proposals offered as a starting point: the agencies' own words, one line each."""
    items = reported_difficulties(plan, start, end)
    difficulties = "\n".join(f"{i['agency']}{' (' + i['task'] + ')' if i['task'] else ''}: {i['difficulty']}"
                             for i in items)
    proposals = "\n".join(f"{i['agency']}: {i['proposal']}" for i in items if i["proposal"])
    return difficulties, proposals


SECTIONS: tuple[tuple[str, Callable], ...] = (
    ("targets", targets), ("tasks", tasks_by_agency), ("trainings", trainings), ("assurance", assurance),
    ("inspections", inspections), ("communication", communication), ("spending", spending),
)


def collect(plan, start: dt.date, end: dt.date, as_of: dt.date, progress: Progress | None = None) -> dict:
    """All figures of a report on ``plan`` over ``start``–``end``, as of ``as_of``."""
    out: dict = {"plan": plan.number, "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()}
    for i, (key, fn) in enumerate(SECTIONS):
        if progress:
            progress(int(10 + 50 * i / len(SECTIONS)), _("Computing the figures: %(part)s") % {"part": key})
        out[key] = fn(plan, start, end, as_of)
    return out
