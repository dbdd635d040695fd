"""A deterministic, realistic demo data set for the province (Yên Bái → Lào Cai).

Everything is invented but shaped like the real thing: enterprises with valid tax codes in real
communes of today's Lào Cai (mostly those that succeeded old Yên Bái's communes), designated providers
with dated scopes, officers and standards, instruments, and verification/calibration/test records
from 2019-01-01 to 2026-11-20 that follow each kind's interval and each provider's designation on
the record's date. A record made before 1 July 2025 is placed on the old (three-level) map, in a
commune that is a predecessor of the instrument's commune on today's map.

A second, smaller province (today's Tuyên Quang, which took in Hà Giang) with its own plan, loaded from a
plan workbook, is added by :mod:`doluong.demo.second_province`.

The data are generated against a fixed reference date (``ANCHOR``, 24/11/2026) so that the same seed
always gives the same data; the application itself always uses the real date.

Demo organisations carry ``DEMO_NOTE`` in their notes; that is how a second run recognises the
data and how ``--force`` finds what to delete.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, ProtectedError, Q, RestrictedError

from doluong.core.changelog import change_context
from doluong.core.dates import add_months, valid_until
from doluong.core.roles import Role
from doluong.demo import names as nm
from doluong.demo.catalog import SPECIMENS, STANDARD_FOR_KIND, STANDARDS
from doluong.demo.reference import KIND_BY_CODE, current_kinds, load_reference, reference_loaded
from doluong.geo.models import AdministrativeUnit, UnitLevel, UnitSuccession
from doluong.geo.services import CURRENT_CODE, LEGACY_CODE, REFORM_DATE
from doluong.indicators import summaries
from doluong.instruments.models import Instrument, InstrumentStatus, MeasurementStandard, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person, Sector, User
from doluong.providers.models import (
    Accreditation,
    AccreditationStandard,
    Activity,
    Designation,
    DesignationScope,
    VerificationOfficer,
    designation_in_force,
)
from doluong.records.models import Result, ServiceRecord, Source, valid_until_for
from doluong.records.services import refresh_due_dates

ANCHOR = dt.date(2026, 11, 24)
FIRST_RECORD = dt.date(2019, 1, 1)
LAST_RECORD = dt.date(2026, 11, 20)
DEMO_NOTE = "Dữ liệu minh họa – tạo bởi lệnh load_demo."
PASSWORD = "doluong2025"  # demo only  # noqa: S105
ROLE_USERNAMES = ("officer", "leader", "agency", "provider", "enterprise", "officer_tq", "leader_tq", "national")
BATCH = 2000

NEW_PROVINCE_CODE = "15"  # Lào Cai on the map from 1 July 2025
OLD_YEN_BAI = "15"
OLD_LAO_CAI = "10"
# The old provinces that became today's Lào Cai: (old code, origin key, share of the organisations placed there).
LAO_CAI_ORIGINS = ((OLD_YEN_BAI, "yb", 0.85), (OLD_LAO_CAI, "lc", 0.15))

# Industrial zones: name → (old province code, old commune name ending).
INDUSTRIAL_ZONES = {
    "KCN Phía Nam": (OLD_YEN_BAI, "Văn Phú"),
    "KCN Âu Lâu": (OLD_YEN_BAI, "Âu Lâu"),
    "KCN Minh Quân": (OLD_YEN_BAI, "Minh Quân"),
    "KCN Mông Sơn": (OLD_YEN_BAI, "Mông Sơn"),
    "KCN Tằng Loỏng": (OLD_LAO_CAI, "Tằng Loỏng"),
    "KCN Bắc Duyên Hải": (OLD_LAO_CAI, "Duyên Hải"),
}

SECTOR_WEIGHTS = {
    "trade": 17, "food": 13, "building_materials": 9, "mining": 8, "fuel_retail": 11, "agri_forestry": 7,
    "transport": 6, "healthcare": 6, "other": 8, "high_tech": 3, "electronics": 3, "telecom_digital": 2,
    "hitech_agri": 4, "water": 1, "electricity": 2,
}
IZ_SECTORS = {"high_tech", "electronics", "building_materials", "food", "mining"}


def _d(day: dt.date, lo: int, hi: int, rng: random.Random) -> dt.date:
    return day + dt.timedelta(days=rng.randint(lo, hi))


def _workday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1) if day.weekday() == 6 else day


def _rand_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass(eq=False)
class ProviderPlan:
    key: str
    name: str
    short: str
    code: str
    kind: str
    ownership: str
    weight: float
    verify: set[str] = field(default_factory=set)
    calibrate: set[str] = field(default_factory=set)
    test: set[str] = field(default_factory=set)
    org: Organization | None = None
    # (decision date, expiry) of each designation, oldest first
    designations: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)


@dataclass
class Ctx:
    rng: random.Random
    scale: float
    log: Callable[[str], None]
    kinds: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)
    sectors: dict = field(default_factory=dict)
    communes: list = field(default_factory=list)
    commune_weights: list = field(default_factory=list)
    preds: dict = field(default_factory=dict)  # new unit id → [old unit ids]
    origin: dict = field(default_factory=dict)  # new unit id → "yb" / "lc"
    iz_units: dict = field(default_factory=dict)
    taken_tax: set = field(default_factory=set)
    org_names: set = field(default_factory=set)
    counts: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# detection, deletion, accounts


def _analyze(*models) -> None:
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def demo_orgs():
    return Organization.objects.filter(notes__startswith=DEMO_NOTE)


def demo_present() -> bool:
    return demo_orgs().exists()


def delete_demo(log: Callable[[str], None] = print) -> None:
    """Delete demo data: records, instruments, standards, designations, … and demo organisations.

    Records and instruments are deleted with single SQL statements (no per-row signals): nothing
    else in the project refers to them with a cascading key. Organisations still referred to by
    non-demo data (protected keys) are kept.
    """
    with transaction.atomic(), change_context(enabled=False):
        orgs = demo_orgs()
        _delete_plan_and_programme_demo(orgs)  # they refer to records, accreditations and organisations
        records = ServiceRecord.objects.filter(
            Q(source=Source.DEMO) | Q(instrument__owner__in=orgs) | Q(provider__in=orgs))
        n_records = records._raw_delete(records.db)
        VerificationOfficer.objects.filter(provider__in=orgs).delete()
        instruments = Instrument.objects.filter(owner__in=orgs)
        n_instruments = instruments._raw_delete(instruments.db)
        standards = MeasurementStandard.objects.filter(Q(owner__in=orgs) | Q(calibrated_by__in=orgs))
        MeasurementStandard.objects.filter(traced_to__in=standards).update(traced_to=None)
        MeasurementStandard.objects.filter(calibrated_by__in=orgs).update(calibrated_by=None)
        MeasurementStandard.objects.filter(owner__in=orgs).delete()
        Designation.objects.filter(provider__in=orgs).delete()
        Accreditation.objects.filter(organization__in=orgs).delete()
        Person.objects.filter(organization__in=orgs).delete()
        User.objects.filter(username__in=ROLE_USERNAMES, organization__in=orgs).delete()
        kept = 0
        for org in list(orgs):
            try:
                with transaction.atomic():
                    org.delete()
            except (ProtectedError, RestrictedError):
                kept += 1
        summaries.rebuild_all()  # the records were deleted around the write path
        log(f"Deleted demo data: {n_records} records, {n_instruments} instruments"
            + (f"; kept {kept} organisations still referred to by other data." if kept else "."))


def _plans_and_programmes(ctx: Ctx, agencies: dict, enterprises, provider_plans) -> None:
    """The plan's side of the story: workplans, reports, budgets; programmes behind the targets."""
    from doluong.plans.demo import load_demo_plans
    from doluong.plans.models import Plan
    from doluong.plans.services import load_plan_210
    from doluong.programmes.demo import load_demo_programmes

    dost = agencies["dost"]
    others = [o for key, o in agencies.items() if key != "dost" and o.is_active]
    ctx.counts.update(load_demo_plans(rng=ctx.rng, dost=dost, agencies=others, today=ANCHOR))
    plan = Plan.objects.filter(number=load_plan_210(lead_agency=dost).number).first()
    orgs = [e.org for e in enterprises] + [p.org for p in provider_plans] + list(agencies.values())
    people = list(Person.objects.filter(organization__in=orgs).select_related("organization").order_by("pk"))
    programme_counts = load_demo_programmes(
        rng=ctx.rng, today=ANCHOR, enterprises=[e.org for e in enterprises],
        providers=[p.org for p in provider_plans], people=people, dost=dost, plan=plan, org_notes=DEMO_NOTE)
    # keys already counted by the registry part (people) are reported as what the programmes added
    ctx.counts.update({(f"{k}_added_by_programmes" if k in ctx.counts else k): v for k, v in programme_counts.items()})
    from doluong.inspections.demo import load_demo_inspections

    ctx.counts.update(load_demo_inspections(
        rng=ctx.rng, today=ANCHOR, enterprises=[e.org for e in enterprises], dost=dost,
        instruments=list(Instrument.objects.filter(owner__in=[e.org for e in enterprises]).select_related("kind"))))
    from doluong.reports.demo import load_demo_documents

    ctx.counts["plan_documents"] = load_demo_documents(today=ANCHOR)


def _delete_plan_and_programme_demo(orgs) -> None:
    """Programme rows of demo organisations, and the plans' workflow data.

    The demo writes workplans, reports, budget lines and change requests on Plan 210 itself, which
    cannot be told apart from real ones: ``--force`` is for demonstration databases only.
    """
    from doluong.inspections.demo import delete_demo_inspections
    from doluong.plans.models import AnnualWorkplan, BudgetLine, Plan, PlanChange, ProgressReport
    from doluong.programmes.demo import delete_demo_programmes

    delete_demo_inspections(organizations=orgs)
    delete_demo_programmes(orgs)
    ProgressReport.objects.all().delete()
    PlanChange.objects.all().delete()
    AnnualWorkplan.objects.all().delete()
    BudgetLine.objects.all().delete()
    Plan.objects.filter(number__startswith="DEMO-").delete()


def ensure_accounts() -> list[tuple[str, str, str, str]]:
    """Create or update the demo accounts; returns (username, role, organisation, password) rows."""
    orgs = demo_orgs()
    dost = orgs.filter(kind=OrganizationKind.DEPARTMENT, short_name="Sở KH&CN").first() \
        or Organization.objects.filter(short_name="Sở KH&CN").first()
    industry = orgs.filter(short_name="Sở Công Thương").first() \
        or Organization.objects.filter(short_name="Sở Công Thương").first()
    top = (ServiceRecord.objects.filter(source=Source.DEMO).values("provider")
           .annotate(n=Count("id")).order_by("-n", "provider").first())
    provider = Organization.objects.get(pk=top["provider"]) if top else None
    enterprise = None
    if provider is not None:
        owners = (Instrument.objects.filter(owner__notes__startswith=DEMO_NOTE, owner__kind=OrganizationKind.ENTERPRISE,
                                            records__provider=provider)
                  .values("owner", "owner__sector__code").annotate(n=Count("id", distinct=True))
                  .filter(n__gte=20).order_by("-n", "owner"))
        rows = list(owners)
        ordinary = [r for r in rows if r["owner__sector__code"] not in ("water", "electricity")]
        pick = (ordinary or rows or [None])[0]
        if pick is None:  # tiny data sets: the enterprise with most instruments from that provider
            pick = (Instrument.objects.filter(owner__notes__startswith=DEMO_NOTE,
                                              owner__kind=OrganizationKind.ENTERPRISE, records__provider=provider)
                    .values("owner").annotate(n=Count("id", distinct=True)).order_by("-n", "owner").first())
        if pick is not None:
            enterprise = Organization.objects.get(pk=pick["owner"])
    from doluong.demo.second_province import DOST_SHORT as TQ_DOST

    dost_tq = orgs.filter(kind=OrganizationKind.DEPARTMENT, short_name=TQ_DOST).first()
    # the national authority's account: an organisation placed in no province (the national role reads them all)
    national = Organization.objects.filter(name="Viện Đo lường Việt Nam").first()
    plan = [
        ("officer", Role.OFFICER, dost, "Cán bộ", "Sở KH&CN"),
        ("leader", Role.LEADER, dost, "Lãnh đạo", "Sở KH&CN"),
        ("agency", Role.AGENCY, industry, "Cán bộ", "Sở Công Thương"),
        ("provider", Role.PROVIDER, provider, "Kiểm định viên", "tổ chức kiểm định"),
        ("enterprise", Role.ENTERPRISE, enterprise, "Phụ trách đo lường", "doanh nghiệp"),
        ("officer_tq", Role.OFFICER, dost_tq, "Cán bộ", TQ_DOST),
        ("leader_tq", Role.LEADER, dost_tq, "Lãnh đạo", TQ_DOST),
        ("national", Role.NATIONAL, national, "Cán bộ", "cơ quan đo lường quốc gia"),
    ]
    out = []
    with change_context(enabled=False):
        for username, role, org, first, last in plan:
            if org is None:
                continue
            user, _ = User.objects.update_or_create(username=username, defaults={
                "role": role, "organization": org, "first_name": first, "last_name": last,
                "email": f"{username}@demo.doluong.local", "is_active": True})
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            out.append((username, str(role.label), str(org.name), PASSWORD))
        admin, _ = User.objects.get_or_create(username="admin", defaults={
            "role": Role.OFFICER, "is_staff": True, "is_superuser": True, "email": "admin@demo.doluong.local"})
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.organization = admin.organization or dost
        admin.set_password(PASSWORD)
        admin.save()
        out.append(("admin", "superuser", str(admin.organization.name) if admin.organization else "", PASSWORD))
    return out


# ---------------------------------------------------------------------------------------------------
# places


def _load_places(ctx: Ctx, province_code: str = NEW_PROVINCE_CODE, origins=LAO_CAI_ORIGINS,
                 zones: dict | None = None) -> None:
    """The communes of today's province ``province_code`` that came from the old provinces of ``origins``
    ((old code, origin key, share), first match first), their predecessors, and the industrial zones."""
    zones = INDUSTRIAL_ZONES if zones is None else zones
    province = AdministrativeUnit.objects.get(edition__code=CURRENT_CODE, level=UnitLevel.PROVINCE,
                                              code=province_code)
    old_provinces = dict(AdministrativeUnit.objects.filter(
        edition__code=LEGACY_CODE, level=UnitLevel.PROVINCE, code__in=[code for code, _o, _s in origins],
    ).values_list("pk", "code"))
    communes = list(AdministrativeUnit.objects.filter(
        edition__code=CURRENT_CODE, level=UnitLevel.COMMUNE, province=province).order_by("code"))
    preds: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for succ_id, pred_id, prov_id in (UnitSuccession.objects.filter(
            successor__in=communes, predecessor__level=UnitLevel.COMMUNE,
            predecessor__province_id__in=list(old_provinces))
            .order_by("successor_id", "predecessor__code")
            .values_list("successor_id", "predecessor_id", "predecessor__province_id")):
        preds[succ_id].append((pred_id, old_provinces[prov_id]))
    weights, placed = [], set()
    ctx.communes = []
    for code, origin, share in origins:
        group = [c for c in communes if c.pk not in placed and any(p[1] == code for p in preds.get(c.pk, []))]
        placed.update(c.pk for c in group)
        raw = [4.0 if c.division_type.lower().startswith("phường") else 1.0 for c in group]
        total = sum(raw) or 1.0
        weights += [share * r / total for r in raw]
        ctx.communes += group
        for c in group:
            ctx.origin[c.pk] = origin
            ctx.preds[c.pk] = [p for p, prov in preds[c.pk] if prov == code] or [p for p, _ in preds[c.pk]]
    ctx.commune_weights = weights
    by_pk = {c.pk: c for c in ctx.communes}
    for zone, (prov_code, suffix) in zones.items():
        link = (UnitSuccession.objects.filter(
            predecessor__edition__code=LEGACY_CODE, predecessor__level=UnitLevel.COMMUNE,
            predecessor__province__code=prov_code, predecessor__name__endswith=suffix,
            successor__in=communes).order_by("-is_primary", "successor__code").first())
        if link and link.successor_id in by_pk:
            ctx.iz_units[zone] = by_pk[link.successor_id]


def _commune(ctx: Ctx, origin: str | None = None) -> AdministrativeUnit:
    while True:
        unit = ctx.rng.choices(ctx.communes, weights=ctx.commune_weights, k=1)[0]
        if origin is None or ctx.origin[unit.pk] == origin:
            return unit


def _urban(unit: AdministrativeUnit) -> bool:
    return unit.division_type.lower().startswith("phường")


# ---------------------------------------------------------------------------------------------------
# organisations


def _unique_name(ctx: Ctx, name: str) -> str:
    candidate, n = name, 2
    while candidate in ctx.org_names:
        candidate = f"{name} {n}"
        n += 1
    ctx.org_names.add(candidate)
    return candidate


def _agencies(ctx: Ctx) -> dict[str, Organization]:
    """Provincial departments, press, the IZ board, some commune committees (matched on name)."""
    rng = ctx.rng
    seat = next((c for c in ctx.communes if c.name == "Phường Yên Bái"), ctx.communes[0])
    specs = [
        ("dost", "Sở Khoa học và Công nghệ tỉnh Lào Cai", "Sở KH&CN", OrganizationKind.DEPARTMENT, True,
         "Trước 01/07/2025: Sở Khoa học và Công nghệ tỉnh Yên Bái. Cơ quan chủ trì Kế hoạch 210/KH-UBND."),
        ("finance", "Sở Tài chính tỉnh Lào Cai", "Sở Tài chính", OrganizationKind.DEPARTMENT, True, ""),
        ("planning", "Sở Kế hoạch và Đầu tư tỉnh Yên Bái", "Sở KH&ĐT", OrganizationKind.DEPARTMENT, False,
         "Đã hợp nhất vào Sở Tài chính năm 2025; giữ lại để tra cứu lịch sử."),
        ("ict", "Sở Thông tin và Truyền thông tỉnh Yên Bái", "Sở TT&TT", OrganizationKind.DEPARTMENT, False,
         "Đã hợp nhất vào Sở Khoa học và Công nghệ năm 2025; giữ lại để tra cứu lịch sử."),
        ("industry", "Sở Công Thương tỉnh Lào Cai", "Sở Công Thương", OrganizationKind.DEPARTMENT, True, ""),
        ("health", "Sở Y tế tỉnh Lào Cai", "Sở Y tế", OrganizationKind.DEPARTMENT, True, ""),
        ("press_yb", "Báo Yên Bái", "Báo Yên Bái", OrganizationKind.PRESS, False,
         "Tên trước khi hợp nhất tỉnh (01/07/2025); giữ lại để tra cứu lịch sử."),
        ("radio_yb", "Đài Phát thanh và Truyền hình Yên Bái", "Đài PT-TH Yên Bái", OrganizationKind.PRESS, False,
         "Tên trước khi hợp nhất tỉnh (01/07/2025); giữ lại để tra cứu lịch sử."),
        ("press_lc", "Báo Lào Cai", "Báo Lào Cai", OrganizationKind.PRESS, True, ""),
        ("iz_board", "Ban Quản lý các khu công nghiệp tỉnh Lào Cai", "BQL các KCN", OrganizationKind.IZ_BOARD,
         True, ""),
    ]
    out: dict[str, Organization] = {}
    # Random values are drawn whether or not the organisation exists, so the stream (and so every
    # later name and tax code) is the same on a re-run that finds some of them kept.
    for key, name, short, kind, active, notes in specs:
        address, phone = nm.street_address(rng, seat.name, True), nm.phone(rng)
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = Organization.objects.create(
                name=name, short_name=short, kind=kind, ownership=Ownership.STATE, is_active=active,
                unit=seat, address=address, phone=phone, notes=f"{DEMO_NOTE} {notes}".strip())
        out[key] = org
        ctx.org_names.add(name)
    for unit in [c for c in ctx.communes if _urban(c)][:4] + [c for c in ctx.communes if not _urban(c)][:3]:
        name = f"Ủy ban nhân dân {unit.name}"
        address = nm.street_address(rng, unit.name, _urban(unit))
        org = Organization.objects.filter(name=name).first() or Organization.objects.create(
            name=name, short_name=f"UBND {unit.name}", kind=OrganizationKind.COMMUNE, ownership=Ownership.STATE,
            unit=unit, address=address, notes=DEMO_NOTE)
        out[f"commune_{unit.code}"] = org
        ctx.org_names.add(name)
    return out


def _enterprise_name(ctx: Ctx, sector: str, ownership: str) -> str:
    rng = ctx.rng
    word = rng.choice(nm.SECTOR_WORDS[sector])
    brand = rng.choice(nm.BRANDS)
    if ownership == Ownership.FOREIGN:
        base = f"Công ty TNHH {rng.choice(nm.FOREIGN_BRANDS)} " + rng.choice(["Việt Nam", "Vina", word])
    elif ownership == Ownership.OTHER:
        base = f"Hợp tác xã {word} {brand}"
    elif ownership == Ownership.STATE:
        base = rng.choice(["Công ty TNHH MTV", "Công ty Cổ phần"]) + f" {word} {brand}"
    elif sector == "fuel_retail" and rng.random() < 0.35:
        base = f"Cửa hàng xăng dầu {brand}"
    else:
        form = nm.pick(rng, [("Công ty TNHH", 45), ("Công ty Cổ phần", 25), ("Doanh nghiệp tư nhân", 12),
                             ("Công ty TNHH MTV", 10), ("Hộ kinh doanh", 3)])
        base = f"{form} {word} {brand}"
    return _unique_name(ctx, base)


@dataclass
class EnterprisePlan:
    org: Organization
    sector: str
    size: float
    utility: bool = False


def _enterprises(ctx: Ctx) -> tuple[list[EnterprisePlan], dict[str, list[EnterprisePlan]]]:
    rng = ctx.rng
    n = max(30, round(300 * ctx.scale))
    fixed = [
        ("Công ty Cổ phần Cấp nước Yên Bái", "water", Ownership.STATE, "yb", "utility_water_yb"),
        ("Công ty Cổ phần Cấp nước Lào Cai", "water", Ownership.STATE, "lc", "utility_water_lc"),
        ("Công ty Điện lực Yên Bái", "electricity", Ownership.STATE, "yb", "utility_power_yb"),
        ("Công ty Điện lực Lào Cai", "electricity", Ownership.STATE, "lc", "utility_power_lc"),
        ("Công ty Xăng dầu Yên Bái", "fuel_retail", Ownership.STATE, "yb", ""),
    ]
    plans: list[EnterprisePlan] = []
    orgs: list[Organization] = []
    sectors, weights = zip(*SECTOR_WEIGHTS.items(), strict=True)
    zones = list(ctx.iz_units.items())
    for i in range(n):
        if i < len(fixed):
            name, sector, ownership, origin, _key = fixed[i]
            name = _unique_name(ctx, name)
            size = 1.0
        else:
            sector = rng.choices(sectors, weights=weights, k=1)[0]
            ownership = nm.pick(rng, [(Ownership.STATE, 10), (Ownership.PRIVATE, 75), (Ownership.FOREIGN, 10),
                                      (Ownership.OTHER, 5)])
            name = _enterprise_name(ctx, sector, ownership)
            origin = None
            size = math.exp(rng.gauss(0, 0.9))
        in_zone = bool(zones) and sector in IZ_SECTORS and rng.random() < 0.35
        if in_zone:
            zone, unit = rng.choice(zones)
            address = f"Lô {rng.choice('ABCDEF')}{rng.randint(1, 30)}, {zone}, {unit.name}, tỉnh Lào Cai"
        else:
            unit = _commune(ctx, origin)
            address = nm.street_address(rng, unit.name, _urban(unit))
        prefix = "52" if ctx.origin[unit.pk] == "yb" else "53"
        domain = nm.slug(name.split(" ", 2)[-1])[:24] or "doanhnghiep"
        org = Organization(
            name=name, kind=OrganizationKind.ENTERPRISE, tax_code=nm.tax_code(rng, prefix, ctx.taken_tax),
            ownership=ownership, sector=ctx.sectors[sector], address=address, unit=unit, in_industrial_zone=in_zone,
            phone=nm.phone(rng), email=f"lienhe@{domain}.vn" if rng.random() < 0.6 else "", notes=DEMO_NOTE)
        orgs.append(org)
        plans.append(EnterprisePlan(org, sector, size, utility=i < 4))
    Organization.objects.bulk_create(orgs, batch_size=BATCH)
    by_sector: dict[str, list[EnterprisePlan]] = defaultdict(list)
    for p in plans:
        by_sector[p.sector].append(p)
    ctx.counts["enterprises"] = len(plans)
    return plans, by_sector


def _people(ctx: Ctx, orgs: list[Organization]) -> None:
    rng = ctx.rng
    people = []
    for org in orgs:
        for _ in range(rng.choice((1, 1, 2))):
            name = nm.person_name(rng)
            people.append(Person(full_name=name, organization=org, position=rng.choice(nm.POSITIONS),
                                 phone=nm.phone(rng), email=f"{nm.slug(name)}{rng.randint(1, 99)}@gmail.com"))
    Person.objects.bulk_create(people, batch_size=BATCH)
    ctx.counts["people"] = len(people)


# ---------------------------------------------------------------------------------------------------
# providers


GROUP2 = [k.code for k in KIND_BY_CODE.values() if k.group2]
NON_GROUP2 = [k.code for k in KIND_BY_CODE.values() if not k.group2]
SPECIALISED = {"khi_thai", "nong_do_con", "dien_nao", "tieu_cu_kinh_mat", "khuc_xa_mat", "thinh_luc", "am_ke",
               "toan_dac", "do_toc_do_xe", "be_tru_dung"}
METERS_E = {"cong_to_cu_1p", "cong_to_cu_3p", "cong_to_dt_1p", "cong_to_dt_3p", "bien_dong", "bien_ap"}


def _kinds_of(fields: set[str], codes) -> set[str]:
    return {c for c in codes if KIND_BY_CODE[c].field in fields}


def _provider_plans(ctx: Ctx) -> list[ProviderPlan]:
    rng = ctx.rng
    general = set(GROUP2) - SPECIALISED
    plans = [
        ProviderPlan("yb", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Yên Bái", "TT KT TĐC Yên Bái", "YB",
                     OrganizationKind.PROVIDER, Ownership.STATE, 10, verify=general,
                     calibrate=set(NON_GROUP2) | _kinds_of({"mass", "pressure", "temperature", "length"}, GROUP2),
                     test={"cot_do_nhien_lieu", "taximet"}),
        ProviderPlan("lc", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Lào Cai", "TT KT TĐC Lào Cai", "LC",
                     OrganizationKind.PROVIDER, Ownership.STATE, 3, verify=general - METERS_E - {"dong_ho_nuoc_lanh"},
                     calibrate={"nhiet_ke_hien_so", "may_do_ph", "can_phan_tich"}),
        ProviderPlan("qt1", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng 1", "QUATEST 1", "QT1",
                     OrganizationKind.PROVIDER, Ownership.STATE, 0.4, verify=set(GROUP2),
                     calibrate=set(NON_GROUP2) | SPECIALISED,
                     test={"taximet", "khi_thai", "cong_to_dt_1p", "dong_ho_nuoc_lanh"}),
        ProviderPlan("power", "Công ty TNHH MTV Thí nghiệm điện Tây Bắc", "TN điện Tây Bắc", "TNDTB",
                     OrganizationKind.PROVIDER, Ownership.STATE, 25, verify=set(METERS_E),
                     calibrate={"dong_ho_van_nang", "dien_tro_tiep_dat", "dien_tro_cach_dien"}),
        ProviderPlan("water", "Trạm Kiểm định đồng hồ nước – Công ty Cổ phần Cấp nước Yên Bái", "Trạm KĐ ĐHN Yên Bái",
                     "CNYB", OrganizationKind.PROVIDER, Ownership.STATE, 25, verify={"dong_ho_nuoc_lanh"}),
    ]
    n_total = max(15, round(15 * ctx.scale))
    field_codes = list(ctx.fields)
    i = 0
    while len(plans) < n_total:
        i += 1
        fields = set(rng.sample(field_codes, rng.randint(1, 3)))
        lab = rng.random() < 0.3
        brand = rng.choice(nm.BRANDS)
        if lab:
            name = rng.choice([f"Phòng Thí nghiệm Đo lường – Hiệu chuẩn {brand}",
                               f"Phòng Thử nghiệm {brand} (LAS-XD {rng.randint(100, 1999)})",
                               f"Trung tâm Thử nghiệm và Hiệu chuẩn {brand}"])
            kind = OrganizationKind.LAB
        else:
            name = rng.choice([f"Công ty TNHH Kiểm định và Hiệu chuẩn {brand}", f"Công ty Cổ phần Đo lường {brand}",
                               f"Công ty TNHH Kỹ thuật Đo lường {brand}"])
            kind = OrganizationKind.PROVIDER
        g2 = sorted(_kinds_of(fields, GROUP2) - SPECIALISED)
        verify = set() if lab or not g2 else set(rng.sample(g2, max(1, min(len(g2), rng.randint(2, 6)))))
        calibrate = _kinds_of(fields, NON_GROUP2) | set(rng.sample(sorted(_kinds_of(fields, GROUP2)) or GROUP2, 1))
        test = set(rng.sample(sorted(_kinds_of(fields, GROUP2)) or GROUP2, 1)) if rng.random() < 0.4 else set()
        plans.append(ProviderPlan(f"p{i}", _unique_name(ctx, name), "", f"P{i:02d}", kind,
                                  Ownership.PRIVATE if rng.random() < 0.85 else Ownership.OTHER, 2,
                                  verify=verify, calibrate=calibrate, test=test))
    # Designation history: most renewed once (first 2016–2018, renewal before expiry), some first
    # designated 2021–2024 (not yet due for renewal), one expired without renewal.
    for idx, plan in enumerate(plans):
        if idx == 7:  # one provider let its designation lapse
            first = _rand_date(rng, dt.date(2016, 1, 1), dt.date(2016, 12, 31))
            plan.designations.append((first, add_months(first, 60) - dt.timedelta(days=1)))
        elif idx < 5 or rng.random() < 0.55:
            first = _rand_date(rng, dt.date(2017, 3, 1), dt.date(2018, 10, 31))
            expiry = add_months(first, 60) - dt.timedelta(days=1)
            plan.designations.append((first, expiry))
            renewal = expiry - dt.timedelta(days=rng.randint(5, 60))
            plan.designations.append((renewal, add_months(renewal, 60) - dt.timedelta(days=1)))
        else:
            first = _rand_date(rng, dt.date(2021, 12, 1), dt.date(2024, 10, 31))
            plan.designations.append((first, add_months(first, 60) - dt.timedelta(days=1)))
    return plans


def _create_providers(ctx: Ctx, plans: list[ProviderPlan]) -> None:
    rng = ctx.rng
    orgs = []
    for plan in plans:
        unit = _commune(ctx, "lc" if plan.key == "lc" else ("yb" if plan.key in ("yb", "water", "power") else None))
        if plan.key == "qt1":
            unit, address = None, "Số 8 Hoàng Quốc Việt, Cầu Giấy, Hà Nội"
        else:
            address = nm.street_address(rng, unit.name, _urban(unit))
        plan.org = Organization(
            name=plan.name if plan.key.startswith("p") else _unique_name(ctx, plan.name),
            short_name=plan.short, kind=plan.kind, provider_code=plan.code, ownership=plan.ownership,
            tax_code=nm.tax_code(rng, "01" if plan.key == "qt1" else "52", ctx.taken_tax),
            sector=ctx.sectors["other"], address=address, unit=unit, phone=nm.phone(rng),
            email=f"kiemdinh@{nm.slug(plan.code)}.vn", notes=DEMO_NOTE)
        orgs.append(plan.org)
    Organization.objects.bulk_create(orgs, batch_size=BATCH)
    ctx.counts["providers"] = len(orgs)


def _designations(ctx: Ctx, plans: list[ProviderPlan]) -> dict:
    """Create designations and scopes; returns (kind code, activity) → [(provider plan, from, to, limit)]."""
    rng = ctx.rng
    windows: dict[tuple[str, str], list] = defaultdict(list)
    designations, scope_rows = [], []
    seq = 100
    for plan in plans:
        for n, (start, expiry) in enumerate(plan.designations):
            seq += rng.randint(3, 40)
            issuer = "Tổng cục Tiêu chuẩn Đo lường Chất lượng" if start < dt.date(2025, 3, 1) \
                else "Ủy ban Tiêu chuẩn Đo lường Chất lượng quốc gia"
            des = Designation(provider=plan.org, decision_number=f"{seq}/QĐ-TĐC", decision_date=start,
                              issuer=issuer, expires_on=expiry,
                              notes="Chỉ định lại (gia hạn)." if n else "Chỉ định lần đầu.")
            designations.append(des)
            for activity, codes in ((Activity.VERIFICATION, plan.verify), (Activity.CALIBRATION, plan.calibrate),
                                    (Activity.TESTING, plan.test)):
                for code in sorted(codes):
                    limit = None
                    if code == "can_o_to" and plan.key not in ("yb", "qt1"):
                        limit = Decimal(60)
                    scope_rows.append((des, code, activity, limit))
                    windows[(code, activity)].append((plan, start, expiry, limit))
    Designation.objects.bulk_create(designations, batch_size=BATCH)
    scopes = [DesignationScope(designation=des, kind=ctx.kinds[code], activity=activity, range_max=limit,
                               range_description=f"đến {limit} t" if limit else "")
              for des, code, activity, limit in scope_rows]
    DesignationScope.objects.bulk_create(scopes, batch_size=BATCH)
    ctx.counts["designations"] = len(designations)
    ctx.counts["designation_scopes"] = len(scopes)
    return windows


def _accreditations(ctx: Ctx, plans: list[ProviderPlan]) -> None:
    rng = ctx.rng
    used = set(Accreditation.objects.values_list("standard", "number"))
    rows, links = [], []
    for plan in plans:
        own_fields = {KIND_BY_CODE[c].field for c in plan.verify | plan.calibrate | plan.test}
        wanted = []
        if plan.key in ("yb", "lc", "qt1", "power") or rng.random() < 0.6:
            wanted.append(AccreditationStandard.ISO17025)
        if plan.key in ("yb", "qt1") or rng.random() < 0.25:
            wanted.append(AccreditationStandard.ISO9001)
        for standard in wanted:
            while True:
                number = (f"VILAS {rng.randint(100, 1499):03d}" if standard == AccreditationStandard.ISO17025
                          else f"QMS-{rng.randint(10000, 99999)}")
                if (standard, number) not in used:
                    used.add((standard, number))
                    break
            issued = _rand_date(rng, dt.date(2021, 1, 1), dt.date(2025, 6, 30))
            acc = Accreditation(organization=plan.org, standard=standard, number=number,
                                body="BoA" if standard == AccreditationStandard.ISO17025 else "QUACERT",
                                issued_on=issued, expires_on=add_months(issued, 36 if standard ==
                                                                        AccreditationStandard.ISO9001 else 60),
                                scope="Hiệu chuẩn, kiểm định phương tiện đo lĩnh vực "
                                      + ", ".join(ctx.fields[f].name.lower() for f in sorted(own_fields)))
            rows.append(acc)
            links.append((acc, own_fields))
    Accreditation.objects.bulk_create(rows, batch_size=BATCH)
    through = Accreditation.fields.through
    through.objects.bulk_create([through(accreditation_id=acc.pk, metrologyfield_id=ctx.fields[f].pk)
                                 for acc, fs in links for f in sorted(fs)], batch_size=BATCH)
    ctx.counts["accreditations"] = len(rows)


def _officers(ctx: Ctx, plans: list[ProviderPlan]) -> dict:
    """3–8 officers per provider; returns (provider org id, kind code) → [officer ids], provider id → [ids]."""
    rng = ctx.rng
    rows, kinds_of = [], []
    for plan in plans:
        codes = sorted(plan.verify | plan.calibrate | plan.test)
        n = rng.randint(3, 8)
        assigned: list[set[str]] = [set() for _ in range(n)]
        for i, code in enumerate(codes):
            assigned[i % n].add(code)
            if rng.random() < 0.5:
                assigned[rng.randrange(n)].add(code)
        for k in range(n):
            issued = _rand_date(rng, dt.date(2014, 1, 1), dt.date(2024, 12, 31))
            rows.append(VerificationOfficer(
                provider=plan.org, full_name=nm.person_name(rng),
                certificate_number=f"{plan.code}-KĐV-{k + 1:03d}/{issued.year}", issued_on=issued,
                expires_on=None, is_active=rng.random() > 0.05))
            kinds_of.append(assigned[k])
    VerificationOfficer.objects.bulk_create(rows, batch_size=BATCH)
    through = VerificationOfficer.kinds.through
    through.objects.bulk_create([through(verificationofficer_id=o.pk, instrumentkind_id=ctx.kinds[c].pk)
                                 for o, cs in zip(rows, kinds_of, strict=True) for c in sorted(cs)], batch_size=BATCH)
    by_kind: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_provider: dict[int, list[int]] = defaultdict(list)
    for o, cs in zip(rows, kinds_of, strict=True):
        by_provider[o.provider_id].append(o.pk)
        for c in cs:
            by_kind[(o.provider_id, c)].append(o.pk)
    ctx.counts["officers"] = len(rows)
    return {"by_kind": by_kind, "by_provider": by_provider}


def _standard_field(key: str) -> str:
    base = key.split("_")[0]
    return {"water": "volume_flow", "volume": "volume_flow"}.get(base, base)


def _standards(ctx: Ctx, plans: list[ProviderPlan], vmi: Organization) -> None:
    rng = ctx.rng
    national = []
    for code, fld in ctx.fields.items():
        national.append(MeasurementStandard(
            owner=vmi, name=f"Chuẩn quốc gia – lĩnh vực {fld.name.lower()}", field=fld,
            level="national", serial_number=f"VMI-{code.upper()}-01", manufacturer="Viện Đo lường Việt Nam"))
    MeasurementStandard.objects.bulk_create(national)
    nat_by_field = {s.field_id: s for s in national}
    qt1 = next(p.org for p in plans if p.key == "qt1")
    seq = 0
    for plan in plans:
        keys = sorted({STANDARD_FOR_KIND[c] for c in plan.verify | plan.calibrate | plan.test})
        keys = sorted({f"{_standard_field(k)}_ref" for k in keys if f"{_standard_field(k)}_ref" in STANDARDS}) + keys
        target = rng.randint(8, 12)
        chosen = [keys[i % len(keys)] for i in range(max(target, min(len(keys), 14)))]
        refs: dict[int, MeasurementStandard] = {}
        rows = []
        for i, key in enumerate(chosen):
            name, level, is_rm, rng_text, accuracy = STANDARDS[key]
            fld = ctx.fields[_standard_field(key)]
            copy_no = chosen[:i].count(key) + 1
            seq += 1
            calibrated = _rand_date(rng, dt.date(2025, 9, 1), dt.date(2026, 10, 31))
            by = vmi if level == "reference" or plan.key == "qt1" else qt1
            std = MeasurementStandard(
                owner=plan.org, name=name + (f" (bộ số {copy_no})" if copy_no > 1 else ""), field=fld,
                kind=None if key.endswith("_ref") else ctx.kinds[next(
                    c for c in sorted(plan.verify | plan.calibrate | plan.test) if STANDARD_FOR_KIND[c] == key)],
                is_reference_material=is_rm, level=level, serial_number=f"{plan.code}-C{seq:04d}",
                manufacturer=rng.choice(["Mettler Toledo", "Fluke", "Wika", "Zeal", "Nhơn Hòa", "VMI", "Beamex"]),
                measuring_range=rng_text, accuracy=accuracy, calibrated_by=by,
                calibration_certificate=f"{'V01' if by is vmi else 'QT1-HC'}.{calibrated.year}.{seq:05d}",
                calibrated_on=calibrated,
                calibration_due_on=add_months(calibrated, 24 if is_rm else 12) - dt.timedelta(days=1))
            if level == "reference":
                std.traced_to = nat_by_field[fld.pk]
                refs.setdefault(fld.pk, std)
            rows.append(std)
        MeasurementStandard.objects.bulk_create([s for s in rows if s.level == "reference"])
        for s in rows:
            if s.level != "reference":
                s.traced_to = refs.get(s.field_id) or nat_by_field[s.field_id]
        MeasurementStandard.objects.bulk_create([s for s in rows if s.level != "reference"], batch_size=BATCH)
        ctx.counts["standards"] = ctx.counts.get("standards", len(national)) + len(rows)


# ---------------------------------------------------------------------------------------------------
# instruments and records


@dataclass(slots=True)
class InstrumentPlan:
    kind: str
    owner: int
    serial: str
    maker: str
    model: str
    range_text: str
    range_max: float | None
    accuracy: str
    location: str
    unit: int
    old_unit: int
    installed: dt.date
    status: str = InstrumentStatus.IN_USE


def _instrument_plans(ctx: Ctx, enterprises, by_sector, utilities, *, n: int | None = None,
                      kinds=None) -> list[InstrumentPlan]:
    """``n`` instruments (default 10 000 × scale) of the ``kinds`` (codes; default every kind in SPECIMENS)."""
    rng = ctx.rng
    n = round(10000 * ctx.scale) if n is None else n
    kinds = sorted(SPECIMENS if kinds is None else kinds)
    # A pick adds a batch of instruments to one owner; weigh picks so that shares hold per instrument.
    def per_pick(spec) -> float:
        mean = sum(spec.per_owner) / 2
        return 0.75 + 0.25 * mean if spec.utility else mean

    weights = [SPECIMENS[k].weight / per_pick(SPECIMENS[k]) for k in kinds]
    serials: set[tuple[int, str, str]] = set()
    all_sizes = [e.size for e in enterprises]
    pools: dict[str, tuple[list, list]] = {}
    for code in kinds:
        spec = SPECIMENS[code]
        pool = [e for s in spec.sectors for e in by_sector.get(s, []) if not e.utility]
        if not pool:
            pool = enterprises
        pools[code] = (pool, [e.size * (2.0 if e.sector == spec.sectors[0] else 1.0) for e in pool])
    by_pk = {c.pk: c for c in ctx.communes}
    out: list[InstrumentPlan] = []
    pending: list[tuple[str, EnterprisePlan]] = []
    while len(out) < n:
        if not pending:
            code = rng.choices(kinds, weights=weights, k=1)[0]
            spec = SPECIMENS[code]
            if spec.utility and rng.random() < 0.75:
                owner = utilities[spec.utility][0 if rng.random() < 0.8 else 1]
                batch = 1
            else:
                pool, pool_w = pools[code]
                owner = rng.choices(pool, weights=pool_w, k=1)[0] if pool else rng.choices(enterprises, all_sizes)[0]
                batch = rng.randint(*spec.per_owner)
            pending = [(code, owner)] * batch
        code, owner = pending.pop()
        spec = SPECIMENS[code]
        maker, models = rng.choice(spec.makers)
        range_text, range_max, accuracy = rng.choice(spec.ranges)
        org = owner.org
        utility = owner.utility
        # Utilities' meters are all over the province; an enterprise's instruments mostly at its seat.
        unit = _commune(ctx, ctx.origin[org.unit_id]) if utility or rng.random() < 0.1 else by_pk[org.unit_id]
        while True:
            serial = f"{maker[:2].upper()}{rng.randint(10, 26)}{rng.randint(0, 9999999):07d}"
            if (org.pk, code, serial) not in serials:
                serials.add((org.pk, code, serial))
                break
        location = rng.choice(spec.locations)
        if utility:
            location = f"{location} – {nm.street_address(rng, unit.name, _urban(unit))}"
        preds = ctx.preds.get(unit.pk) or [unit.pk]
        installed = (_rand_date(rng, dt.date(2010, 1, 1), dt.date(2018, 12, 31)) if rng.random() < 0.72
                     else _rand_date(rng, dt.date(2019, 1, 1), dt.date(2026, 10, 31)))
        out.append(InstrumentPlan(code, org.pk, serial, maker, rng.choice(models), range_text, range_max, accuracy,
                                  location, unit.pk, rng.choice(preds), installed))
    return out


class Chooser:
    """Picks a provider allowed to do an activity on a kind on a date (the rule of providers.selectors.ScopeMap,
    with the same designation_in_force predicate, over the designations the demo made)."""

    def __init__(self, ctx: Ctx, windows, plans: list[ProviderPlan], officers):
        self.rng = ctx.rng
        self.windows = windows
        self.officers = officers
        self.calibrators = [p for p in plans if p.key in ("yb", "lc")]

    def provider(self, code: str, activity: str, day: dt.date, range_max: float | None, unit_origin: str):
        candidates, weights = [], []
        for plan, start, end, limit in self.windows.get((code, activity), ()):
            if designation_in_force(start, end, None, day) and (
                    range_max is None or limit is None or Decimal(str(range_max)) <= limit):
                if plan in candidates:
                    continue
                candidates.append(plan)
                w = plan.weight
                if plan.key == "lc":
                    w *= 6 if unit_origin == "lc" else 0.3
                weights.append(w)
        if not candidates:
            if activity == Activity.VERIFICATION:
                return None
            # Calibration/testing is allowed without a scope, unless the provider holds a scope for
            # the kind whose range excludes the instrument.
            free = [p for p in self.calibrators if not any(
                w[0] is p for w in self.windows.get((code, activity), ()))]
            return self.rng.choice(free) if free else None
        return self.rng.choices(candidates, weights=weights, k=1)[0]

    def officer(self, provider_id: int, code: str) -> int | None:
        pool = self.officers["by_kind"].get((provider_id, code)) or self.officers["by_provider"].get(provider_id)
        return self.rng.choice(pool) if pool else None


# record tuple: (day, provider plan, instrument index, activity, result, officer id, notes)


def _histories(ctx: Ctx, plans: list[InstrumentPlan], chooser: Chooser) -> list[tuple]:
    rng = ctx.rng
    out: list[tuple] = []
    for idx, ip in enumerate(plans):
        kind = KIND_BY_CODE[ip.kind]
        origin = ctx.origin.get(ip.unit, "yb")
        lapsed = rng.random() < 0.075
        if kind.group2 and kind.interval:
            months = ctx.kinds[ip.kind].verification_interval_months or kind.interval
            if ip.installed < FIRST_RECORD:
                day = _d(FIRST_RECORD, 0, max(0, (add_months(FIRST_RECORD, months) - FIRST_RECORD).days - 1), rng)
            else:
                day = ip.installed
            tries = 0
            note = "Kiểm định ban đầu." if ip.installed >= FIRST_RECORD else ""
            while day <= LAST_RECORD:
                day = _workday(day)
                if day > LAST_RECORD:
                    break
                if lapsed and valid_until(day, months) >= ANCHOR:
                    break
                plan = chooser.provider(ip.kind, Activity.VERIFICATION, day, ip.range_max, origin)
                if plan is None:
                    tries += 1
                    if tries > 12:
                        break
                    day += dt.timedelta(days=30)
                    continue
                passed = rng.random() < 0.95
                out.append((day, plan, idx, Activity.VERIFICATION, Result.PASS if passed else Result.FAIL,
                            chooser.officer(plan.org.pk, ip.kind), note))
                note = ""
                if not passed:
                    if rng.random() < 0.7:
                        day = _d(day, 3, 20, rng)
                        note = "Kiểm định sau sửa chữa."
                        continue
                    ip.status = InstrumentStatus.OUT_OF_SERVICE if rng.random() < 0.6 else InstrumentStatus.RETIRED
                    break
                if rng.random() < 0.2 and (kind.field in ("mass", "pressure", "temperature")):
                    cal_day = _workday(_d(day, 150, 200, rng))
                    cplan = chooser.provider(ip.kind, Activity.CALIBRATION, cal_day, ip.range_max, origin)
                    if cplan is not None and cal_day <= LAST_RECORD:
                        out.append((cal_day, cplan, idx, Activity.CALIBRATION, Result.DONE,
                                    chooser.officer(cplan.org.pk, ip.kind), ""))
                if rng.random() < 0.12:  # repaired, moved or seal broken: verified again mid-cycle
                    day = _d(day, 60, min(300, 30 * months - 30), rng)
                    note = "Kiểm định sau sửa chữa."
                    continue
                nxt = add_months(day, months)
                day = _d(nxt, 10, 120, rng) if rng.random() < 0.08 else _d(nxt, -45, -1, rng)
        elif kind.group2:
            if ip.installed >= FIRST_RECORD:
                day = _workday(ip.installed)
                plan = chooser.provider(ip.kind, Activity.VERIFICATION, day, ip.range_max, origin)
                if plan is not None and day <= LAST_RECORD:
                    out.append((day, plan, idx, Activity.VERIFICATION,
                                Result.PASS if rng.random() < 0.96 else Result.FAIL,
                                chooser.officer(plan.org.pk, ip.kind), "Kiểm định ban đầu."))
        elif rng.random() < 0.8:
            day = _d(max(ip.installed, FIRST_RECORD), 0, 330, rng)
            while day <= LAST_RECORD:
                day = _workday(day)
                plan = chooser.provider(ip.kind, Activity.CALIBRATION, day, ip.range_max, origin)
                if plan is not None and day <= LAST_RECORD:
                    out.append((day, plan, idx, Activity.CALIBRATION, Result.DONE,
                                chooser.officer(plan.org.pk, ip.kind), ""))
                day = _d(add_months(day, 12), -20, 30, rng)
        if kind.group2 and ip.installed >= FIRST_RECORD and rng.random() < 0.02:
            tplan = chooser.provider(ip.kind, Activity.TESTING, ip.installed, ip.range_max, origin)
            if tplan is not None:
                out.append((_workday(ip.installed), tplan, idx, Activity.TESTING, Result.PASS,
                            chooser.officer(tplan.org.pk, ip.kind), "Thử nghiệm phục vụ phê duyệt mẫu."))
    return out


def _fit_count(ctx: Ctx, records: list[tuple], plans: list[InstrumentPlan], chooser: Chooser) -> list[tuple]:
    """Make the number of records exactly 50 000 × scale.

    Too many: drop the oldest (the history simply starts later). Too few: add calibrations (in-house
    programmes of enterprises), which do not change due dates.
    """
    target = round(50000 * ctx.scale)
    rng = ctx.rng
    if len(records) > target:
        records.sort(key=lambda r: (r[0], r[2]))
        return records[len(records) - target:]
    candidates = [i for i, p in enumerate(plans) if KIND_BY_CODE[p.kind].field in
                  ("mass", "pressure", "temperature", "electrical", "physchem", "length")]
    guard = 0
    while len(records) < target and candidates and guard < target * 20:
        guard += 1
        idx = rng.choice(candidates)
        ip = plans[idx]
        day = _workday(_rand_date(rng, max(ip.installed, FIRST_RECORD), LAST_RECORD))
        if day > LAST_RECORD:
            continue
        plan = chooser.provider(ip.kind, Activity.CALIBRATION, day, ip.range_max, ctx.origin.get(ip.unit, "yb"))
        if plan is None:
            continue
        records.append((day, plan, idx, Activity.CALIBRATION, Result.DONE, chooser.officer(plan.org.pk, ip.kind),
                        "Hiệu chuẩn theo chương trình nội bộ của doanh nghiệp."))
    return records


def _insert_instruments(ctx: Ctx, plans: list[InstrumentPlan], owners: dict[int, Organization]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(plans), BATCH):
        chunk = []
        for ip in plans[start:start + BATCH]:
            chunk.append(Instrument(
                owner=owners[ip.owner], kind=ctx.kinds[ip.kind], serial_number=ip.serial, manufacturer=ip.maker,
                model_name=ip.model, measuring_range=ip.range_text,
                range_max=None if ip.range_max is None else Decimal(str(ip.range_max)),
                accuracy_class=ip.accuracy, location=ip.location, unit_id=ip.unit, status=ip.status,
                notes=f"Đưa vào sử dụng: {ip.installed:%d/%m/%Y}."))
        Instrument.objects.bulk_create(chunk, batch_size=BATCH)
        ids.extend(o.pk for o in chunk)
    ctx.counts["instruments"] = len(ids)
    return ids


_PREFIX = {Activity.VERIFICATION: "KD", Activity.CALIBRATION: "HC", Activity.TESTING: "TN"}


def _insert_records(ctx: Ctx, records: list[tuple], plans: list[InstrumentPlan], ids: list[int]) -> None:
    records.sort(key=lambda r: (r[0], r[1].code, r[2], r[3]))
    cert_seq: dict[tuple, int] = defaultdict(int)
    stamp_seq: dict[tuple, int] = defaultdict(int)
    rng = ctx.rng
    chunk: list[ServiceRecord] = []
    for day, plan, idx, activity, result, officer, note in records:
        ip = plans[idx]
        key = (plan.code, day.year, activity)
        cert_seq[key] += 1
        certificate = f"{plan.code}-{_PREFIX[activity]}-{day.year}-{cert_seq[key]:06d}"
        stamp = ""
        until = None
        if activity == Activity.VERIFICATION and result == Result.PASS:
            stamp_seq[(plan.code, day.year)] += 1
            stamp = f"{plan.code}{day:%y}-{stamp_seq[(plan.code, day.year)]:07d}"
            until = valid_until_for(activity, result, day, ctx.kinds[ip.kind].verification_interval_months)
        notes = note
        if result == Result.FAIL:
            notes = rng.choice(["Sai số vượt quá sai số lớn nhất cho phép.",
                                "Không đạt yêu cầu kỹ thuật (kiểm tra bên ngoài).", "Độ lặp lại không đạt."])
        chunk.append(ServiceRecord(
            provider_id=plan.org.pk, instrument_id=ids[idx], officer_id=officer, activity=activity,
            performed_on=day, result=result, certificate_number=certificate, stamp_number=stamp,
            valid_until=until, unit_id=ip.old_unit if day < REFORM_DATE else ip.unit, notes=notes,
            source=Source.DEMO))
        if len(chunk) >= BATCH:
            ServiceRecord.objects.bulk_create(chunk, batch_size=BATCH)
            chunk = []
    if chunk:
        ServiceRecord.objects.bulk_create(chunk, batch_size=BATCH)
    ctx.counts["records"] = len(records)


# ---------------------------------------------------------------------------------------------------
# entry point


def load_demo(*, scale: float = 1.0, seed: int = 2019, accounts: bool = True, force: bool = False,
              log: Callable[[str], None] = print) -> dict:
    """Load the demo data set; returns counts, timings and (when made) the account table.

    Does nothing but refresh the accounts when demo data are already present, unless ``force``.
    """
    started = time.perf_counter()
    if not reference_loaded():
        log("Reference data missing: loading it first (load_reference).")
        load_reference()
    if demo_present():
        if not force:
            log("Demo data are already loaded; nothing to do (use --force to delete and reload them).")
            return {"skipped": True, "accounts": ensure_accounts() if accounts else [],
                    "seconds": time.perf_counter() - started}
        delete_demo(log)
    ctx = Ctx(rng=random.Random(seed), scale=scale, log=log)
    # The demo writes in bulk around the write path and without history, on purpose: the data are invented,
    # so history rows would describe actions nobody took (and would be the largest table); every object
    # says where it came from instead (records: source "demo", organisations: DEMO_NOTE). The rules are
    # those of the write path all the same: the designation-in-force predicate chooses the providers
    # (Chooser) and valid_until_for dates the records.
    with transaction.atomic(), change_context(enabled=False):
        ctx.kinds = current_kinds()
        ctx.fields = {f.code: f for f in MetrologyField.objects.all()}
        ctx.sectors = {s.code: s for s in Sector.objects.all()}
        ctx.taken_tax = set(Organization.objects.exclude(tax_code=None).values_list("tax_code", flat=True))
        ctx.org_names = set()
        _load_places(ctx)
        agencies = _agencies(ctx)
        vmi = Organization.objects.filter(name="Viện Đo lường Việt Nam").first() or Organization.objects.create(
            name="Viện Đo lường Việt Nam", short_name="VMI", kind=OrganizationKind.NATIONAL,
            ownership=Ownership.STATE, address="Số 8 Hoàng Quốc Việt, Cầu Giấy, Hà Nội", notes=DEMO_NOTE)
        enterprises, by_sector = _enterprises(ctx)
        utilities = {"water": [enterprises[0], enterprises[1]], "electricity": [enterprises[2], enterprises[3]]}
        plans = _provider_plans(ctx)
        _create_providers(ctx, plans)
        _people(ctx, [e.org for e in enterprises] + [p.org for p in plans] + list(agencies.values()))
        windows = _designations(ctx, plans)
        _accreditations(ctx, plans)
        officers = _officers(ctx, plans)
        _standards(ctx, plans, vmi)
        log(f"Organisations ready ({time.perf_counter() - started:.1f} s).")
        iplans = _instrument_plans(ctx, enterprises, by_sector, utilities)
        chooser = Chooser(ctx, windows, plans, officers)
        records = _histories(ctx, iplans, chooser)
        natural = len(records)
        records = _fit_count(ctx, records, iplans, chooser)
        owners = {e.org.pk: e.org for e in enterprises}
        ids = _insert_instruments(ctx, iplans, owners)
        log(f"Instruments inserted ({time.perf_counter() - started:.1f} s); records: {natural} generated, "
            f"{len(records)} kept.")
        _insert_records(ctx, records, iplans, ids)
        del records
        log(f"Records inserted ({time.perf_counter() - started:.1f} s).")
        _analyze(ServiceRecord, Instrument)  # fresh statistics let the planner use the new indexes
        for start in range(0, len(ids), BATCH):
            refresh_due_dates(ids[start:start + BATCH])
        _analyze(Instrument)  # again: the due dates were all empty when the statistics were taken
        log(f"Due dates refreshed ({time.perf_counter() - started:.1f} s).")
        _plans_and_programmes(ctx, agencies, enterprises, plans)
        log(f"Plans and programmes ready ({time.perf_counter() - started:.1f} s).")
        from doluong.demo.second_province import load_second_province

        ctx.counts.update({f"tq_{k}": v for k, v in load_second_province(ctx).items()})
        log(f"Second province (Tuyên Quang) ready ({time.perf_counter() - started:.1f} s).")
        # the demo wrote in bulk, around the write path that keeps the dashboards' summaries: build them whole
        summaries.rebuild_all()
        _analyze(*summaries.TABLES)
        log(f"Dashboard summaries built ({time.perf_counter() - started:.1f} s).")
    result = {"skipped": False, "counts": ctx.counts}
    result["accounts"] = ensure_accounts() if accounts else []
    result["seconds"] = time.perf_counter() - started
    return result
