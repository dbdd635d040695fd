"""Demo inspections 2019 → ``today``: planned and unplanned inspections and commune checks, with
instrument checks (some failing: verification expired, stamp broken, error beyond the in-service
MPE), prepackage lot checks with generated samples (most accepted; some rejected for T1 or for the
mean), findings with penalties within their ranges, and follow-ups — some overdue.

Deterministic for a given ``rng``; nothing depends on the real date. Every verdict is computed by the
models' rules (``full_clean``), as in the forms. :func:`delete_demo_inspections` removes the
inspections of a set of organisations and must run before those are deleted.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.inspections.models import (
    CheckResult,
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionStatus,
    InstrumentCheck,
    LotCheck,
    LotOutcome,
    ViolationType,
)
from doluong.inspections.seed import load_violation_types
from doluong.instruments.models import Instrument
from doluong.metrology.prepackages import sampling_plan, tolerable_deficiency
from doluong.orgs.models import Organization

FIRST_YEAR = 2019
PRODUCTS = [  # product, brand, nominal, unit, decimals of the net contents
    ("Gạo tẻ thơm", "Gạo Mường Khương", Decimal(500), "g", 1),
    ("Gạo Séng Cù", "HTX Séng Cù Bát Xát", Decimal(5), "kg", 3),
    ("Đường kính trắng", "Đường Yên Bái", Decimal(1), "kg", 3),
    ("Dầu ăn thực vật", "Dầu ăn Tường An", Decimal(1), "L", 3),
    ("Nước mắm", "Nước mắm Cát Hải", Decimal(500), "mL", 0),
    ("Nước uống đóng chai", "Nước khoáng Sa Pa", Decimal(500), "mL", 0),
    ("Muối i-ốt", "Muối Bạc Liêu", Decimal(500), "g", 1),
    ("Chè Shan tuyết", "Chè Suối Giàng", Decimal(200), "g", 1),
    ("Miến dong", "Miến dong Bát Xát", Decimal(300), "g", 1),
    ("Bột canh", "Bột canh Hải Châu", Decimal(190), "g", 1),
]
INSPECTORS = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Vinh", "Phạm Thu Hà", "Hoàng Minh Tuấn",
              "Đỗ Thị Lan", "Vũ Đức Thắng", "Giàng A Sử"]
E_STEPS = [Decimal(s) for s in ("0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2",
                                "5", "10", "20", "50", "100")]
INTERVALS = {"II": 20000, "III": 3000, "IIII": 1000}


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _round_to(x: Decimal, step: Decimal) -> Decimal:
    return (x / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def _range_max(text: str) -> tuple[Decimal, str] | None:
    """"(2–300) kg" → (300, "kg")."""
    m = re.search(r"[–-]\s*([\d.,]+)\s*\)\s*(mg|g|kg|t)\b", text or "")
    if not m:
        return None
    try:
        return Decimal(m.group(1).replace(".", "").replace(",", ".")), m.group(2)
    except ArithmeticError:
        return None


def _points(rng: random.Random, instrument: Instrument, fail: bool) -> tuple[list, Decimal, str] | None:
    """Three test loads on an R 76 scale of class II–IIII with errors inside (or, if ``fail``, beyond) 2 × MPE."""
    cls = (instrument.accuracy_class or "").upper()
    if instrument.kind.mpe_rule != "OIML-R76" or cls not in INTERVALS:
        return None
    parsed = _range_max(instrument.measuring_range)
    if parsed is None:
        return None
    top, unit = parsed
    e = next((s for s in E_STEPS if s >= top / INTERVALS[cls]), None)
    if e is None:
        return None
    points = []
    for i, share in enumerate((Decimal("0.1"), Decimal("0.5"), Decimal(1))):
        ref = max(_round_to(top * share, e), e * 20)
        k = rng.choice((-1, 0, 0, 1))
        if fail and i == 2:
            k = rng.choice((-5, 5, 6))
        points.append({"reference": str(ref.normalize()), "indication": str((ref + k * e).normalize())})
    return points, e, unit


def _sample(rng: random.Random, nominal: Decimal, unit: str, n: int, decimals: int, mode: str) -> list[str]:
    """Net contents of ``n`` packages: "ok", "t1" (several short by more than T) or "mean" (all a bit short)."""
    T = tolerable_deficiency(nominal, unit, "VN-TT21/2014")
    q = Decimal(1).scaleb(-decimals)
    mean = float(nominal) + float(T) * {"ok": 0.35, "t1": 0.1, "mean": -0.45}[mode]
    sd = float(T) * {"ok": 0.3, "t1": 0.35, "mean": 0.2}[mode]
    values = [Decimal(str(rng.gauss(mean, sd))).quantize(q) for _ in range(n)]
    values = [max(v, nominal - T + q) if mode != "t1" else v for v in values]
    if mode == "t1":
        for i in rng.sample(range(n), min(n, 7 + rng.randint(0, 3))):
            values[i] = (nominal - T * Decimal(str(rng.uniform(1.1, 1.8)))).quantize(q)
    return [str(v) for v in values]


class _Places:
    """An organisation's place on the map of a date (the old commune before 01/07/2025)."""

    def __init__(self, orgs):
        unit_ids = {o.unit_id for o in orgs if o.unit_id}
        self.units = AdministrativeUnit.objects.in_bulk(unit_ids)
        self.old = {}
        for s in (UnitSuccession.objects.filter(successor_id__in=unit_ids).select_related("predecessor")
                  .order_by("successor_id", "-is_primary", "pk")):
            self.old.setdefault(s.successor_id, s.predecessor)

    def on(self, org: Organization, day: dt.date):
        unit = self.units.get(org.unit_id)
        if unit is None:
            return None
        if unit.in_force_on(day):
            return unit
        old = self.old.get(unit.pk)
        return old if old is not None and old.in_force_on(day) else None


def load_demo_inspections(*, rng: random.Random, today: dt.date, enterprises: list[Organization],
                          dost: Organization, instruments: list[Instrument]) -> dict[str, int]:
    """Create the demo inspections up to ``today``; returns counts by model.

    ``enterprises``: organisations that may be inspected (those owning some of ``instruments`` get
    instrument checks; food and trade ones get lot checks too); ``dost``: the lead agency of planned
    and unplanned inspections. Loads the seed violation types if they are missing.
    """
    load_violation_types()
    violations = {v.code: v for v in ViolationType.objects.all()}
    enterprises = sorted(enterprises, key=lambda o: o.pk)
    by_owner: dict[int, list[Instrument]] = defaultdict(list)
    for inst in sorted(instruments, key=lambda i: i.pk):
        by_owner[inst.owner_id].append(inst)
    places = _Places(enterprises)
    counts = defaultdict(int)
    if not enterprises:
        return dict(counts)
    for year in range(FIRST_YEAR, today.year + 1):
        n = rng.randint(15, 30)
        if year == today.year:
            n = max(1, n * (today.timetuple().tm_yday) // 366)
        for number in range(1, n + 1):
            day = _weekday(dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(14, 340)))
            if day > today - dt.timedelta(days=3):
                continue
            org = rng.choice(enterprises)
            _inspection(rng, today, year, number, day, org, dost, by_owner.get(org.pk, []), places, violations,
                        counts)
    return dict(counts)


def _inspection(rng, today, year, number, day, org, dost, owned, places, violations, counts):
    unit = places.on(org, day)
    roll = rng.random()
    if roll < 0.2 and unit is not None and unit.level == UnitLevel.COMMUNE:
        kind = InspectionKind.COMMUNE_CHECK
    else:
        kind = InspectionKind.UNPLANNED if roll < 0.35 else InspectionKind.PLANNED
    instruments = rng.sample(owned, min(len(owned), rng.randint(1, 4))) if owned else []
    lots = rng.random() < (0.6 if not instruments else 0.3)
    team = rng.sample(INSPECTORS, 3)
    ins = Inspection(
        kind=kind, organization=org, unit=unit, started_on=day, ended_on=day + dt.timedelta(days=rng.choice((0, 1, 2))),
        covers_instruments=bool(instruments), covers_prepackages=lots or not instruments,
        lead_agency=None if kind == InspectionKind.COMMUNE_CHECK else dost,
        team="\n".join([f"{team[0]} — trưởng đoàn", f"{team[1]} — thành viên", f"{team[2]} — thành viên"]),
        legal_basis=(f"Kế hoạch kiểm tra nhà nước về đo lường năm {year}" if kind == InspectionKind.PLANNED
                     else "Phản ánh của người tiêu dùng" if kind == InspectionKind.UNPLANNED
                     else f"Kế hoạch kiểm tra đo lường trên địa bàn xã năm {year}"),
        decision_ref=f"{number}/QĐ-{'UBND' if kind == InspectionKind.COMMUNE_CHECK else 'SKHCN'}",
    )
    ins.full_clean()
    ins.save()
    counts["inspections"] += 1
    findings = []
    for inst in instruments:
        fail_error = rng.random() < 0.12
        check = InstrumentCheck(inspection=ins, instrument=inst, stamp_intact=rng.random() > 0.06)
        pts = _points(rng, inst, fail_error)
        if pts is not None:
            check.points, check.e, check.points_unit = pts
        try:
            check.full_clean()
        except ValidationError:
            check.points, check.e = [], None
            check.full_clean()
        check.save()
        counts["instrument_checks"] += 1
        if check.result == CheckResult.FAIL:
            code = ("DL-PTD-KD" if check.has_valid_verification is False
                    else "DL-PTD-TEM" if check.stamp_intact is False else "DL-PTD-SS")
            findings.append((code, check, None, _describe_check(check)))
    if lots:
        for _ in range(rng.randint(1, 2)):
            product, brand, nominal, unit_name, decimals = rng.choice(PRODUCTS)
            lot_size = rng.choice((150, 300, 480, 800, 1200, 2400, 3000, 4000))
            n = sampling_plan(lot_size, "VN-TT21/2014")["sample_size_required"]
            mode = rng.choices(("ok", "t1", "mean"), weights=(80, 12, 8))[0]
            lot = LotCheck(inspection=ins, product=product, brand=brand, nominal=nominal, unit=unit_name,
                           lot_size=lot_size, lot_ref=f"L{day:%y%m%d}-{rng.randint(1, 99):02d}",
                           actual=_sample(rng, nominal, unit_name, n, decimals, mode))
            lot.full_clean()
            lot.save()
            counts["lot_checks"] += 1
            if lot.outcome == LotOutcome.REJECTED:
                code = "DL-HDG-T" if not lot.verdict["t1_ok"] or not lot.verdict["t2_ok"] else "DL-HDG-TB"
                findings.append((code, None, lot, f"Lô {product} {lot.lot_ref}: " + lot.verdict["reasons_vi"][0]))
    last_done = None
    for code, check, lot, text in findings:
        violation = violations.get(code)
        low, high = violation.fine_range("organization") if violation else (Decimal(0), Decimal(0))
        amount = _round_to(Decimal(str(rng.uniform(float(low), float(high)))), Decimal(500000)) if violation else None
        if amount is not None:
            amount = min(max(amount, low), high)
        deadline = day + dt.timedelta(days=30)
        done = deadline - dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.85 else None
        if done is not None and done > today:
            done = None
        finding = Finding(inspection=ins, instrument_check=check, lot_check=lot, description=text,
                          violation=violation, penalty_amount=amount,
                          penalty_decision_ref=f"{rng.randint(1, 300)}/QĐ-XPHC" if amount else "",
                          follow_up_deadline=deadline, follow_up_done_on=done,
                          status=FindingStatus.CLOSED if done else FindingStatus.OPEN)
        finding.full_clean()
        finding.save()
        counts["findings"] += 1
        last_done = max(d for d in (last_done, done) if d) if done else last_done
    if findings:
        ins.status = InspectionStatus.FINDINGS
    if all(f.status == FindingStatus.CLOSED for f in ins.findings.all()):
        closed = max(d for d in (ins.ended_on + dt.timedelta(days=7), last_done) if d)
        if closed <= today:
            ins.status, ins.closed_on = InspectionStatus.CLOSED, closed
    if ins.status != InspectionStatus.OPEN:
        ins.full_clean()
        ins.save()


def _describe_check(check: InstrumentCheck) -> str:
    inst = check.instrument
    if check.has_valid_verification is False:
        return f"{inst.kind.name} số {inst.serial_number}: không có giấy chứng nhận kiểm định còn hiệu lực"
    if check.stamp_intact is False:
        return f"{inst.kind.name} số {inst.serial_number}: dấu, tem kiểm định không còn nguyên vẹn"
    return f"{inst.kind.name} số {inst.serial_number}: sai số vượt quá giới hạn sai số cho phép khi sử dụng"


def delete_demo_inspections(*, organizations) -> int:
    """Delete the inspections of ``organizations`` (with their checks and findings); returns the number."""
    qs = Inspection.objects.filter(organization__in=organizations)
    n = qs.count()
    Finding.objects.filter(inspection__in=qs).delete()
    qs.delete()
    return n

