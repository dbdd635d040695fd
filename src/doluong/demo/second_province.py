"""The demo's second province: today's Tuyên Quang (which took in Hà Giang on 1 July 2025), with its own plan.

Smaller than Lào Cai and built with the same machinery (:mod:`doluong.demo.generator`): the communes of
today's Tuyên Quang that came from old Tuyên Quang and old Hà Giang, the province's Department of Science
and Technology and Department of Industry and Trade, its verification centre with a designation in force for
a few kinds, verification officers, 60 × scale enterprises (at least 8) and 150 × scale instruments (at least
12), with their verification records from 2020 to 2026 chosen by the designation-in-force predicate and dated
by ``valid_until_for``. A record made before 1 July 2025 is placed on the old map, in a commune of old Tuyên
Quang or old Hà Giang that became the instrument's commune.

Its plan (``DEMO-45/KH-UBND``, 2026–2030, targets on the same indicators as Plan 210) is loaded the way a
province loads any plan, without code: a plan workbook in the layout of :mod:`doluong.reports.planbook`,
built in memory and loaded by ``planbook.load`` as the province's officer. A few trainings and a few
enterprises supported by the measurement assurance programme give its dashboard something to count.

Every organisation carries ``DEMO_NOTE``, so ``delete_demo`` removes all of it (and the plan, by its
``DEMO-`` number).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import time
from collections import defaultdict
from decimal import Decimal

import xlsxwriter

from doluong.core.dates import add_months
from doluong.core.roles import Role
from doluong.demo import generator as g
from doluong.demo import names as nm
from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.geo.services import CURRENT_CODE
from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person, User
from doluong.providers.models import Activity
from doluong.records.models import ServiceRecord
from doluong.records.services import refresh_due_dates
from doluong.reports import planbook

PROVINCE_CODE = "8"  # Tỉnh Tuyên Quang on the map from 1 July 2025 (old Tuyên Quang 8 + old Hà Giang 2)
PROVINCE_NAME = "Tuyên Quang"
OLD_TUYEN_QUANG = "8"
OLD_HA_GIANG = "2"
ORIGINS = ((OLD_TUYEN_QUANG, "tq", 0.7), (OLD_HA_GIANG, "hg", 0.3))
TAX_PREFIX = {"tq": "50", "hg": "51"}  # the provinces' tax-office prefixes
ZONES = {"KCN Long Bình An": (OLD_TUYEN_QUANG, "An Tường"), "KCN Sơn Nam": (OLD_TUYEN_QUANG, "Sơn Nam")}
SEAT = "Phường Minh Xuân"

DOST_NAME = "Sở Khoa học và Công nghệ tỉnh Tuyên Quang"
DOST_SHORT = "Sở KH&CN Tuyên Quang"  # distinct from Lào Cai's "Sở KH&CN" (the demo finds that one by it)
INDUSTRY_NAME = "Sở Công Thương tỉnh Tuyên Quang"
INDUSTRY_SHORT = "Sở Công Thương Tuyên Quang"
OFFICER = "officer_tq"

PLAN_NUMBER = "DEMO-45/KH-UBND"  # "DEMO-": deleted with the demo
PLAN_ISSUED = dt.date(2026, 2, 10)
FIRST_KEPT = dt.date(2020, 1, 1)

# The verification centre's designation: the kinds the province's markets, filling stations, water supply,
# clinics and taxis need.
VERIFIED_KINDS = {"can_ban", "can_dia", "can_dong_ho_lo_xo", "cot_do_nhien_lieu", "dong_ho_nuoc_lanh",
                  "huyet_ap_ke", "taximet"}
FIXED_ENTERPRISES = [  # name, sector, ownership, origin; the first two are the water utilities
    ("Công ty Cổ phần Cấp nước Tuyên Quang", "water", Ownership.STATE, "tq"),
    ("Công ty Cổ phần Cấp nước Hà Giang", "water", Ownership.STATE, "hg"),
    ("Công ty Xăng dầu Tuyên Quang", "fuel_retail", Ownership.STATE, "tq"),
]

PLAN = {
    "number": PLAN_NUMBER,
    "title": "[Dữ liệu mẫu] Kế hoạch thực hiện Đề án “Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp "
             "Việt Nam nâng cao năng lực cạnh tranh và hội nhập quốc tế” trên địa bàn tỉnh Tuyên Quang giai đoạn "
             "2026–2030",
    "issued_on": PLAN_ISSUED.strftime("%d/%m/%Y"),
    "issuer_name": "UBND tỉnh Tuyên Quang",
    "signed_by": "(dữ liệu mẫu)",
    "legal_basis": "Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ",
    "start_year": 2026,
    "end_year": 2030,
    "summary": "DỮ LIỆU MẪU để trình diễn hệ thống, không phải văn bản thật. Kế hoạch giả định của tỉnh Tuyên Quang "
               "sau hợp nhất với tỉnh Hà Giang (1/7/2025). Giai đoạn 1: 2026–2027; giai đoạn 2: 2028–2030. Sở Khoa "
               "học và Công nghệ chủ trì, báo cáo UBND tỉnh hằng năm.",
}
PHASES = [(1, 2026, 2027), (2, 2028, 2030)]
TASKS = [  # code, title, solution group, coordinating agencies, timeframe, due year
    ("I.1", "Tuyên truyền, phổ biến pháp luật về đo lường; hưởng ứng Ngày Đo lường Việt Nam 20/01 hằng năm", "e",
     "Báo và Phát thanh, Truyền hình Tuyên Quang; UBND các xã, phường", "yearly", ""),
    ("II.1", "Rà soát văn bản, đề xuất cơ chế, chính sách hỗ trợ doanh nghiệp về đo lường", "a",
     "Sở Tài chính, Sở Công Thương tỉnh Tuyên Quang", "yearly", ""),
    ("II.2", "Bồi dưỡng nghiệp vụ đo lường cho công chức cấp tỉnh, cấp xã và cán bộ doanh nghiệp", "b",
     "Sở Nội vụ; UBND các xã, phường; các doanh nghiệp", "by_2030", 2030),
    ("II.3", "Nâng cao năng lực kiểm định đồng hồ nước, cột đo nhiên liệu của Trung tâm Kỹ thuật Tiêu chuẩn Đo "
     "lường Chất lượng Tuyên Quang", "b", "Sở Tài chính", "by_2030", 2030),
    ("II.4", "Kiểm tra đo lường trong kinh doanh xăng dầu, cân tại chợ và cửa khẩu", "c",
     "Sở Công Thương tỉnh Tuyên Quang; Công an tỉnh", "yearly", ""),
    ("II.5", "Triển khai Chương trình đảm bảo đo lường cho doanh nghiệp (kiểm định, hiệu chuẩn, thử nghiệm)", "d",
     "Các tổ chức cung cấp dịch vụ về đo lường; doanh nghiệp", "yearly", ""),
]
TARGETS = [  # indicator, milestone, value, label, required ownership
    ("T1", "31/12/2027", 3, "Số loại chuẩn đo lường, phương tiện đo được hỗ trợ, khuyến khích xã hội hóa", ""),
    ("T1", "31/12/2030", 8, "Số loại chuẩn đo lường, phương tiện đo được hỗ trợ, khuyến khích xã hội hóa", ""),
    ("T2", "31/12/2030", 1, "Số phòng thí nghiệm được công nhận áp dụng bộ tiêu chí quốc gia", ""),
    ("T3", "31/12/2027", 6, "Lượt doanh nghiệp được hỗ trợ theo chương trình đảm bảo đo lường", "state, private"),
    ("T3", "31/12/2030", 15, "Lượt doanh nghiệp được hỗ trợ theo chương trình đảm bảo đo lường", "state, private"),
    ("T4", "31/12/2027", 60, "Bồi dưỡng, nâng cao chuyên môn nghiệp vụ về đo lường", ""),
    ("T4", "31/12/2030", 150, "Bồi dưỡng, nâng cao chuyên môn nghiệp vụ về đo lường", ""),
    ("T5", "31/12/2030", 1, "Số tổ chức dịch vụ kiểm định, hiệu chuẩn, thử nghiệm được nâng cao năng lực", ""),
]
TRAININGS = [  # starts on, title, attendees (provincial officials, enterprise staff, provider staff), task
    (dt.date(2026, 3, 18), "Tập huấn nghiệp vụ quản lý đo lường cho công chức sau sắp xếp đơn vị hành chính",
     (6, 8, 2), "II.2"),
    (dt.date(2026, 9, 23), "Tập huấn kiểm soát đo lường trong kinh doanh xăng dầu và cân tại chợ", (2, 12, 2),
     "II.2"),
]


def province() -> AdministrativeUnit:
    """Tỉnh Tuyên Quang on today's map (the same lookup as Lào Cai's in ``generator._load_places``)."""
    unit = AdministrativeUnit.objects.get(edition__code=CURRENT_CODE, level=UnitLevel.PROVINCE, code=PROVINCE_CODE)
    if PROVINCE_NAME not in unit.name:  # the map's codes are the GSO's: a different package would say so here
        raise ValueError(f"Province {PROVINCE_CODE} of {CURRENT_CODE} is {unit.name}, not {PROVINCE_NAME}.")
    return unit


def _address(rng: random.Random, unit: AdministrativeUnit) -> str:
    return nm.street_address(rng, unit.name, g._urban(unit)).replace("tỉnh Lào Cai", f"tỉnh {PROVINCE_NAME}")


def load_second_province(parent: g.Ctx, *, today: dt.date = g.ANCHOR) -> dict[str, int]:
    """Add Tuyên Quang to the demo (inside ``load_demo``'s transaction, after Lào Cai); returns counts.

    ``parent``: Lào Cai's context, for the reference rows, the scale, the log and the names and tax codes
    already taken; the province draws from its own generator, seeded from the parent's.
    """
    started = time.perf_counter()
    ctx = g.Ctx(rng=random.Random(parent.rng.getrandbits(64)), scale=parent.scale, log=parent.log,
                kinds=parent.kinds, fields=parent.fields, sectors=parent.sectors, taken_tax=parent.taken_tax,
                org_names=parent.org_names)
    g._load_places(ctx, PROVINCE_CODE, ORIGINS, ZONES)
    agencies = _agencies(ctx)
    enterprises, by_sector = _enterprises(ctx)
    centre = _provider(ctx)
    g._people(ctx, [e.org for e in enterprises] + [centre.org, *agencies.values()])
    windows = g._designations(ctx, [centre])
    g._accreditations(ctx, [centre])
    officers = g._officers(ctx, [centre])
    iplans = g._instrument_plans(ctx, enterprises, by_sector, {"water": enterprises[:2]},
                                 n=max(12, round(150 * ctx.scale)), kinds=VERIFIED_KINDS)
    chooser = g.Chooser(ctx, windows, [centre], officers)
    records = [r for r in g._histories(ctx, iplans, chooser) if r[0] >= FIRST_KEPT]
    ids = g._insert_instruments(ctx, iplans, {e.org.pk: e.org for e in enterprises})
    g._insert_records(ctx, records, iplans, ids)
    refresh_due_dates(ids)
    officer = _officer_account(agencies["dost"])
    plan = planbook.load(plan_workbook(province()), user=officer)
    ctx.counts["plan_tasks"] = plan.tasks.count()
    ctx.counts["plan_targets"] = plan.targets.count()
    _trainings(ctx, plan, agencies, enterprises, centre, today)
    _assurance(ctx, plan, enterprises, today)
    ctx.log(f"Tuyên Quang: {len(enterprises)} enterprises, {len(ids)} instruments, {len(records)} records, plan "
            f"{plan.number} ({time.perf_counter() - started:.1f} s).")
    return ctx.counts


# ---------------------------------------------------------------------------------------------------
# organisations


def _agencies(ctx: g.Ctx) -> dict[str, Organization]:
    rng = ctx.rng
    seat = next((c for c in ctx.communes if c.name == SEAT), ctx.communes[0])
    out = {}
    for key, name, short in (("dost", DOST_NAME, DOST_SHORT), ("industry", INDUSTRY_NAME, INDUSTRY_SHORT)):
        address, phone = _address(rng, seat), nm.phone(rng)
        org = Organization.objects.filter(name=name).first() or Organization.objects.create(
            name=name, short_name=short, kind=OrganizationKind.DEPARTMENT, ownership=Ownership.STATE, unit=seat,
            address=address, phone=phone, notes=g.DEMO_NOTE)
        out[key] = org
        ctx.org_names.add(name)
    return out


def _enterprises(ctx: g.Ctx) -> tuple[list[g.EnterprisePlan], dict[str, list[g.EnterprisePlan]]]:
    """Enterprises placed in communes of Tuyên Quang (the utilities and the fuel company first)."""
    rng = ctx.rng
    n = max(8, round(60 * ctx.scale))
    sectors, weights = zip(*g.SECTOR_WEIGHTS.items(), strict=True)
    zones = list(ctx.iz_units.items())
    plans, orgs = [], []
    for i in range(n):
        if i < len(FIXED_ENTERPRISES):
            name, sector, ownership, origin = FIXED_ENTERPRISES[i]
            name, size = g._unique_name(ctx, name), 1.0
        else:
            sector = rng.choices(sectors, weights=weights, k=1)[0]
            ownership = nm.pick(rng, [(Ownership.STATE, 8), (Ownership.PRIVATE, 82), (Ownership.FOREIGN, 5),
                                      (Ownership.OTHER, 5)])
            name, origin, size = g._enterprise_name(ctx, sector, ownership), None, math.exp(rng.gauss(0, 0.9))
        in_zone = bool(zones) and sector in g.IZ_SECTORS and rng.random() < 0.35
        if in_zone:
            zone, unit = rng.choice(zones)
            address = f"Lô {rng.choice('ABCDEF')}{rng.randint(1, 30)}, {zone}, {unit.name}, tỉnh {PROVINCE_NAME}"
        else:
            unit = g._commune(ctx, origin)
            address = _address(rng, unit)
        domain = nm.slug(name.split(" ", 2)[-1])[:24] or "doanhnghiep"
        org = Organization(
            name=name, kind=OrganizationKind.ENTERPRISE, ownership=ownership, sector=ctx.sectors[sector],
            tax_code=nm.tax_code(rng, TAX_PREFIX[ctx.origin[unit.pk]], ctx.taken_tax), address=address, unit=unit,
            in_industrial_zone=in_zone, phone=nm.phone(rng),
            email=f"lienhe@{domain}.vn" if rng.random() < 0.6 else "", notes=g.DEMO_NOTE)
        orgs.append(org)
        plans.append(g.EnterprisePlan(org, sector, size, utility=i < 2))
    Organization.objects.bulk_create(orgs, batch_size=g.BATCH)
    by_sector: dict[str, list[g.EnterprisePlan]] = defaultdict(list)
    for p in plans:
        by_sector[p.sector].append(p)
    ctx.counts["enterprises"] = len(plans)
    return plans, by_sector


def _provider(ctx: g.Ctx) -> g.ProviderPlan:
    """The province's verification centre, designated in 2018 and again (before expiry) in 2023."""
    rng = ctx.rng
    centre = g.ProviderPlan("tq", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng Tuyên Quang",
                            "TT KT TĐC Tuyên Quang", "TQ", OrganizationKind.PROVIDER, Ownership.STATE, 1,
                            verify=set(VERIFIED_KINDS))
    first = g._rand_date(rng, dt.date(2018, 3, 1), dt.date(2018, 9, 30))
    expiry = add_months(first, 60) - dt.timedelta(days=1)
    renewal = expiry - dt.timedelta(days=rng.randint(10, 45))
    centre.designations = [(first, expiry), (renewal, add_months(renewal, 60) - dt.timedelta(days=1))]
    unit = next((c for c in ctx.communes if c.name == SEAT), ctx.communes[0])
    centre.org = Organization.objects.create(
        name=g._unique_name(ctx, centre.name), short_name=centre.short, kind=centre.kind, provider_code=centre.code,
        ownership=centre.ownership, tax_code=nm.tax_code(rng, TAX_PREFIX["tq"], ctx.taken_tax),
        sector=ctx.sectors["other"], address=_address(rng, unit), unit=unit, phone=nm.phone(rng),
        email=f"kiemdinh@{nm.slug(centre.code)}.vn", notes=g.DEMO_NOTE)
    ctx.counts["providers"] = 1
    return centre


def _officer_account(dost: Organization) -> User:
    """The province's programme officer, who loads the plan (``ensure_accounts`` sets the demo password)."""
    user, created = User.objects.update_or_create(username=OFFICER, defaults={
        "role": Role.OFFICER, "organization": dost, "is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# ---------------------------------------------------------------------------------------------------
# the plan, as a plan workbook


def plan_workbook(unit: AdministrativeUnit) -> bytes:
    """Tuyên Quang's plan as a plan workbook (the layout ``planbook.export`` writes and ``planbook.load`` reads)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    values = {**PLAN, "province_code": unit.code, "edition_code": unit.edition.code}
    sheet = book.add_worksheet(planbook.SHEETS["plan"][:31])
    sheet.write_row(0, 0, ["Trường (field)", "Giá trị (value)"])
    for i, (key, label) in enumerate(planbook.PLAN_FIELDS, 1):
        sheet.write_row(i, 0, [label, values[key]])
    rows = {"phases": (planbook.PHASE_COLS, [list(p) for p in PHASES]),
            "tasks": (planbook.TASK_COLS, [[code, title, title + ".", group, DOST_NAME, coordinating, timeframe, due]
                                           for code, title, group, coordinating, timeframe, due in TASKS]),
            "targets": (planbook.TARGET_COLS, [list(t) for t in TARGETS])}
    for key, (header, body) in rows.items():
        sheet = book.add_worksheet(planbook.SHEETS[key][:31])
        sheet.write_row(0, 0, header)
        for i, row in enumerate(body, 1):
            sheet.write_row(i, 0, row)
    book.close()
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------
# what the plan's dashboard counts: trainings (T4) and the measurement assurance programme (T3)


def _trainings(ctx: g.Ctx, plan, agencies, enterprises, centre, today) -> None:
    from doluong.programmes.models import Attendance, AttendeeRole, Training

    rng = ctx.rng
    dost = agencies["dost"]
    tasks = {t.code: t for t in plan.tasks.all()}
    people = defaultdict(list)
    roles = {**{o.pk: AttendeeRole.PROVINCIAL_OFFICIAL for o in agencies.values()},
             **{e.org.pk: AttendeeRole.ENTERPRISE_STAFF for e in enterprises},
             centre.org.pk: AttendeeRole.PROVIDER_STAFF}
    for person in Person.objects.filter(organization__in=list(roles)).order_by("pk"):
        people[roles[person.organization_id]].append(person)
    trainings, groups = [], []
    for day, title, wanted, task in TRAININGS:
        if day > today:
            continue
        trainings.append(Training(title=title, starts_on=day, ends_on=day + dt.timedelta(days=1), organizer=dost,
                                  unit=dost.unit, plan=plan, task=tasks.get(task),
                                  location="Hội trường Sở Khoa học và Công nghệ tỉnh Tuyên Quang",
                                  topic="Luật Đo lường và văn bản hướng dẫn; kiểm định phương tiện đo nhóm 2."))
        roles_wanted = (AttendeeRole.PROVINCIAL_OFFICIAL, AttendeeRole.ENTERPRISE_STAFF, AttendeeRole.PROVIDER_STAFF)
        groups.append([(role, p) for role, k in zip(roles_wanted, wanted, strict=True)
                       for p in rng.sample(people[role], min(k, len(people[role])))])
    Training.objects.bulk_create(trainings)
    rows = [Attendance(training=t, person=p, organization=p.organization, role=role)
            for t, group in zip(trainings, groups, strict=True) for role, p in group]
    Attendance.objects.bulk_create(rows)
    ctx.counts.update(trainings=len(trainings), attendances=len(rows))


def _assurance(ctx: g.Ctx, plan, enterprises, today) -> None:
    """Enterprises supported in 2026 with the cost of a verification, the record behind each support."""
    from doluong.programmes.models import AssuranceCase, Stage, SupportDelivery, SupportKind

    rng = ctx.rng
    year = 2026
    first = {}
    for r in (ServiceRecord.objects.filter(instrument__owner__in=[e.org for e in enterprises[2:]],
                                           activity=Activity.VERIFICATION, performed_on__gte=dt.date(year, 5, 1),
                                           performed_on__lte=today)
              .select_related("instrument").order_by("performed_on", "pk")):
        first.setdefault(r.instrument.owner_id, r)
    state = [r for r in first.values() if r.instrument.owner_id == enterprises[2].org.pk]  # the fuel company
    others = [r for r in first.values() if r.instrument.owner_id != enterprises[2].org.pk]
    chosen = state[:1] + rng.sample(others, min(3, len(others)))
    cases, rows = [], []
    for record in chosen:
        surveyed = g._workday(dt.date(year, 3, rng.randint(2, 20)))
        selected = surveyed + dt.timedelta(days=rng.randint(10, 25))
        case = AssuranceCase(enterprise_id=record.instrument.owner_id, plan=plan, year=year, surveyed_on=surveyed,
                             selected_on=selected, stage=Stage.SUPPORTING,
                             assessment_summary="Khảo sát phương tiện đo và nhu cầu hỗ trợ của doanh nghiệp.")
        cases.append(case)
        rows.append(SupportDelivery(case=case, kind=SupportKind.VERIFICATION, delivered_on=record.performed_on,
                                    provider_id=record.provider_id, record=record,
                                    cost=Decimal(rng.choice([1_500_000, 2_500_000])),
                                    description="Hỗ trợ chi phí kiểm định phương tiện đo."))
    AssuranceCase.objects.bulk_create(cases)
    SupportDelivery.objects.bulk_create(rows)
    ctx.counts.update(assurance_cases=len(cases), support_deliveries=len(rows))
