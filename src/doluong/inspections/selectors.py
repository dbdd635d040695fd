"""Statistics of inspections by year, place (on today's map), kind, instrument kind and violation.

They feed the statistics page, the indicators and the yearly report. An inspection counts in the
year it started and at its place; its checks and findings count with it. Places are compared on
today's map by default: a 2024 inspection in a Yên Bái commune counts for Lào Cai (through
``geo.UnitSuccession``, as the indicators do); ``current_map=False`` keeps the map of the date.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from doluong.core import access
from doluong.geo.models import AdministrativeUnit, MapEdition, UnitLevel, UnitSuccession
from doluong.inspections.models import (
    CheckResult,
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    InstrumentCheck,
    LotCheck,
    LotOutcome,
)

COUNTS = ("inspections", "instrument_checks", "failed_checks", "lot_checks", "rejected_lots", "findings",
          "penalties")


@dataclass
class Row:
    key: object
    label: str
    inspections: int = 0
    instrument_checks: int = 0
    failed_checks: int = 0
    lot_checks: int = 0
    rejected_lots: int = 0
    findings: int = 0
    penalties: Decimal = field(default_factory=lambda: Decimal(0))

    def add(self, other: "Row") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def units_within(unit: AdministrativeUnit, *, current_map: bool) -> QuerySet:
    """Ids of the units whose inspections count for ``unit`` (with older units that became part of it)."""
    inside = Q(pk=unit.pk) | Q(parent=unit) | Q(province=unit)
    if current_map:
        older = UnitSuccession.objects.filter(successor=unit, is_primary=True).values("predecessor")
        inside |= Q(pk__in=older) | Q(province__in=older) | Q(parent__in=older)
    return AdministrativeUnit.objects.filter(inside).values("pk")


def inspections_in(*, user=None, year: int | None = None, unit: AdministrativeUnit | None = None,
                   current_map: bool = True) -> QuerySet:
    qs = Inspection.objects.all()
    if user is not None:
        qs = access.restrict(qs, user, "view")
    if year:
        qs = qs.filter(started_on__year=year)
    if unit is not None:
        qs = qs.filter(unit__in=units_within(unit, current_map=current_map))
    return qs


def _grouped(inspections: QuerySet, key: str, child_key: str) -> dict:
    """{key value: Row} counting inspections (grouped by ``key``) and their checks and findings (``child_key``)."""
    rows: dict = defaultdict(lambda: Row(None, ""))

    def group(qs, path):
        if path == "year":
            return qs.annotate(k=ExtractYear("started_on")).values("k")
        if path == "inspection__year":
            return qs.annotate(k=ExtractYear("inspection__started_on")).values("k")
        return qs.values(k=F(path))

    for r in group(inspections.order_by(), key).annotate(n=Count("pk")):
        rows[r["k"]].inspections = r["n"]
    checks = InstrumentCheck.objects.filter(inspection__in=inspections.values("pk")).order_by()
    for r in group(checks, child_key).annotate(n=Count("pk"), failed=Count("pk", filter=Q(result=CheckResult.FAIL))):
        rows[r["k"]].instrument_checks, rows[r["k"]].failed_checks = r["n"], r["failed"]
    lots = LotCheck.objects.filter(inspection__in=inspections.values("pk")).order_by()
    for r in group(lots, child_key).annotate(n=Count("pk"),
                                             rejected=Count("pk", filter=Q(outcome=LotOutcome.REJECTED))):
        rows[r["k"]].lot_checks, rows[r["k"]].rejected_lots = r["n"], r["rejected"]
    findings = Finding.objects.filter(inspection__in=inspections.values("pk")).order_by()
    for r in group(findings, child_key).annotate(n=Count("pk"), p=Sum("penalty_amount")):
        rows[r["k"]].findings, rows[r["k"]].penalties = r["n"], r["p"] or Decimal(0)
    for k, row in rows.items():
        row.key = k
    return dict(rows)


def by_year(inspections: QuerySet) -> list[Row]:
    rows = _grouped(inspections, "year", "inspection__year")
    for row in rows.values():
        row.label = str(row.key)
    return [rows[k] for k in sorted(rows)]


def by_kind(inspections: QuerySet) -> list[Row]:
    rows = _grouped(inspections, "kind", "inspection__kind")
    out = []
    for value, label in InspectionKind.choices:
        if value in rows:
            rows[value].label = str(label)
            out.append(rows[value])
    return out


def today_units(unit_ids) -> dict[int, AdministrativeUnit]:
    """{unit id → the unit that carries it on today's map}: itself, its primary successor, or its province's.

    Communes of the old map go to the commune that succeeded them; districts and provinces (and
    communes without a recorded successor) to the province that succeeded theirs. Four queries.
    """
    ids = {i for i in unit_ids if i is not None}
    if not ids:
        return {}
    latest = MapEdition.objects.order_by("-valid_from").values_list("pk", flat=True).first()
    units = {u["pk"]: u for u in AdministrativeUnit.objects.filter(pk__in=ids).values("pk", "edition_id", "level",
                                                                                          "province_id")}
    provinces = {u["province_id"] for u in units.values() if u["province_id"]}
    succ = dict(UnitSuccession.objects.filter(predecessor__in=ids | provinces, is_primary=True)
                .values_list("predecessor_id", "successor_id"))
    target: dict[int, int] = {}
    for pk, u in units.items():
        if u["edition_id"] == latest:
            target[pk] = pk
        elif u["level"] == UnitLevel.COMMUNE and pk in succ:
            target[pk] = succ[pk]
        else:
            province = pk if u["level"] == UnitLevel.PROVINCE else u["province_id"]
            target[pk] = succ.get(province, province)
    objs = AdministrativeUnit.objects.select_related("province").in_bulk(set(target.values()))
    return {pk: objs[t] for pk, t in target.items() if t in objs}


def by_unit(inspections: QuerySet, *, current_map: bool = True) -> list[Row]:
    """Rows by place: on today's map (default) or on the map of each inspection's date."""
    rows = _grouped(inspections, "unit", "inspection__unit")
    if current_map:
        mapping = today_units(rows.keys())
    else:
        mapping = AdministrativeUnit.objects.select_related("province").in_bulk([k for k in rows if k is not None])
        mapping = {k: mapping[k] for k in mapping}
    merged: dict = {}
    for key, row in rows.items():
        unit = mapping.get(key)
        mkey = unit.pk if unit is not None else None
        if mkey not in merged:
            merged[mkey] = Row(mkey, str(unit) if unit is not None else _("Place not given"))
        merged[mkey].add(row)
    return sorted(merged.values(), key=lambda r: (r.key is None, r.label))


def totals(rows: list[Row]) -> Row:
    total = Row("total", _("Total"))
    for row in rows:
        total.add(row)
    return total


def by_instrument_kind(inspections: QuerySet) -> list[dict]:
    """Per instrument kind: checks, failures and why (verification, stamp, error), findings and penalties."""
    checks = (InstrumentCheck.objects.filter(inspection__in=inspections.values("pk")).order_by()
              .values("instrument__kind_id", "instrument__kind__name")
              .annotate(checks=Count("pk"), failed=Count("pk", filter=Q(result=CheckResult.FAIL)),
                        no_verification=Count("pk", filter=Q(has_valid_verification=False)),
                        broken_stamp=Count("pk", filter=Q(stamp_intact=False)),
                        error_out=Count("pk", filter=Q(error_ok=False))))
    findings = {
        r["instrument_check__instrument__kind_id"]: r
        for r in Finding.objects.filter(inspection__in=inspections.values("pk"), instrument_check__isnull=False)
        .order_by().values("instrument_check__instrument__kind_id")
        .annotate(n=Count("pk"), p=Sum("penalty_amount"))}
    out = []
    for r in checks:
        f = findings.get(r["instrument__kind_id"], {})
        out.append({"kind_id": r["instrument__kind_id"], "label": r["instrument__kind__name"], "checks": r["checks"],
                    "failed": r["failed"], "no_verification": r["no_verification"],
                    "broken_stamp": r["broken_stamp"], "error_out": r["error_out"],
                    "findings": f.get("n", 0), "penalties": f.get("p") or Decimal(0)})
    return sorted(out, key=lambda r: (-r["checks"], r["label"]))


def by_violation(inspections: QuerySet, on=None) -> list[dict]:
    """Per violation type: findings, open ones, overdue follow-ups and penalties (đồng)."""
    from django.utils import timezone

    on = on or timezone.localdate()
    rows = (Finding.objects.filter(inspection__in=inspections.values("pk")).order_by()
            .values("violation_id", "violation__code", "violation__name", "violation__legal_reference")
            .annotate(findings=Count("pk"), open=Count("pk", filter=Q(status=FindingStatus.OPEN)),
                      overdue=Count("pk", filter=Q(status=FindingStatus.OPEN, follow_up_deadline__lt=on,
                                                   follow_up_done_on__isnull=True)),
                      penalties=Sum("penalty_amount"), penalised=Count("pk", filter=Q(penalty_amount__gt=0))))
    out = []
    for r in rows:
        label = f"{r['violation__code']} · {r['violation__name']}" if r["violation_id"] else _("No violation")
        out.append({"violation_id": r["violation_id"], "code": r["violation__code"] or "", "label": label,
                    "legal_reference": r["violation__legal_reference"] or "", "findings": r["findings"],
                    "open": r["open"], "overdue": r["overdue"], "penalised": r["penalised"],
                    "penalties": r["penalties"] or Decimal(0)})
    return sorted(out, key=lambda r: (r["violation_id"] is None, -r["findings"], r["code"]))


def inspection_statistics(*, user=None, year: int | None = None, unit: AdministrativeUnit | None = None,
                          current_map: bool = True) -> dict:
    """Everything the statistics page and the yearly report show, for one scope."""
    qs = inspections_in(user=user, year=year, unit=unit, current_map=current_map)
    years = by_year(qs)
    return {
        "total": totals(years),
        "by_year": years,
        "by_kind": by_kind(qs),
        "by_unit": by_unit(qs, current_map=current_map),
        "by_instrument_kind": by_instrument_kind(qs),
        "by_violation": by_violation(qs),
    }


def yearly_summary(*, year: int, unit: AdministrativeUnit | None = None) -> dict:
    """The figures of one year for the yearly report (no user: the report is the province's)."""
    qs = inspections_in(year=year, unit=unit)
    total = totals(by_year(qs))
    kinds = {r.key: r.inspections for r in by_kind(qs)}
    return {
        "year": year,
        "inspections": total.inspections,
        "planned": kinds.get(InspectionKind.PLANNED, 0),
        "unplanned": kinds.get(InspectionKind.UNPLANNED, 0),
        "commune_checks": kinds.get(InspectionKind.COMMUNE_CHECK, 0),
        "instrument_checks": total.instrument_checks,
        "failed_checks": total.failed_checks,
        "lot_checks": total.lot_checks,
        "rejected_lots": total.rejected_lots,
        "findings": total.findings,
        "penalties": total.penalties,
        "overdue_follow_ups": Finding.objects.filter(inspection__in=qs.values("pk")).overdue().count(),
    }
