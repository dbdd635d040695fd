"""Demo data for the programmes, shaped so that the plan's dashboard tells a story on 24/11/2026.

As of that date (Plan 210/KH-UBND targets, see ``shared/reference/plan-210-structured.md``):

* T1 — 13 distinct items privately provided by the end of 2025 (target 10: met), 15 now (toward 20 by 2030);
* T2 — one lab applying the national criteria set since 2025 (met), no second one yet (2 by 2030);
* T3 — 14 enterprise-times by the end of 2025, all for private or foreign-invested enterprises, so the
  condition "state-capital and private" was unmet in 2025; a state-capital enterprise supported in 2026;
* T4 — 80 person-times by the end of 2025 (target 100: missed), 105 now (150 by 2030: at risk);
* T5 — one provider's capacity raised (ISO/IEC 17025, completed in 2023), another support under way.

Plus outreach every year: Vietnam Metrology Day (20/1), conferences, media pieces, reviews of legal
documents. Everything is deterministic for a given ``rng``; nothing depends on the real date.
Organisations and people created here carry ``org_notes`` (by default the given enterprises' notes,
the demo marker) so that the demo's deletion finds them; :func:`delete_demo_programmes` deletes the
programme rows that refer to a set of organisations and must run before those are deleted.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q

from doluong.geo.models import UnitSuccession
from doluong.geo.services import REFORM_DATE
from doluong.instruments.models import InstrumentKind, MetrologyField
from doluong.orgs.models import Organization, OrganizationKind, Ownership, Person
from doluong.programmes.models import (
    AssessmentResult,
    AssuranceCase,
    Attendance,
    AttendeeRole,
    CapacityKind,
    CapacitySupport,
    CriteriaAssessment,
    CriteriaSet,
    OutreachEvent,
    OutreachKind,
    PrivateProvision,
    ProvisionItemType,
    Stage,
    SupportDelivery,
    SupportKind,
    Training,
)
from doluong.providers.models import Accreditation, AccreditationStandard
from doluong.records.models import ServiceRecord

DEMO_CRITERIA_CODE = "DEMO-BTC-DL"

# A plausible criteria set. The official national set's text is not available offline: this one is
# invented for the demonstration and says so in its name.
DEMO_CRITERIA = [
    {"code": "TC1", "text": "Tư cách pháp lý, tổ chức bộ máy và phạm vi hoạt động đo lường", "max_score": 10},
    {"code": "TC2", "text": "Nhân lực: kiểm định viên, kỹ thuật viên được đào tạo, chứng nhận", "max_score": 15},
    {"code": "TC3", "text": "Chuẩn đo lường, phương tiện đo và liên kết chuẩn đến chuẩn quốc gia", "max_score": 20},
    {"code": "TC4", "text": "Điều kiện môi trường và cơ sở vật chất phòng thí nghiệm", "max_score": 10},
    {"code": "TC5", "text": "Quy trình kiểm định, hiệu chuẩn, thử nghiệm và đánh giá độ không đảm bảo đo",
     "max_score": 15},
    {"code": "TC6", "text": "Hệ thống quản lý (TCVN ISO/IEC 17025) và kiểm soát hồ sơ", "max_score": 10},
    {"code": "TC7", "text": "Tham gia so sánh liên phòng, thử nghiệm thành thạo", "max_score": 10},
    {"code": "TC8", "text": "Năng lực đáp ứng nhu cầu doanh nghiệp trên địa bàn", "max_score": 10},
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hà", "Lò", "Giàng", "Sầm", "Hoàng"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Thanh"]
MIDDLE_F = ["Thị", "Thu", "Thanh", "Ngọc", "Thúy", "Hồng"]
GIVEN_M = ["Hùng", "Dũng", "Tuấn", "Cường", "Thắng", "Long", "Sơn", "Hải", "Khánh", "Quân", "Trung", "Mạnh", "Tú"]
GIVEN_F = ["Lan", "Hương", "Hà", "Mai", "Linh", "Trang", "Nga", "Yến", "Hoa", "Thảo", "Phương", "Dung"]

OLD_DISTRICTS = ["Văn Yên", "Lục Yên", "Trấn Yên", "Yên Bình", "Văn Chấn", "Mù Cang Chải"]

# (date, title, {role: number}, on enterprise demand, task code). Person-times: 80 to the end of 2025, 105 now.
R = AttendeeRole
TRAININGS = [
    (dt.date(2019, 11, 12), "Tập huấn triển khai Kế hoạch 210/KH-UBND và pháp luật về đo lường",
     {R.PROVINCIAL_OFFICIAL: 4, R.DISTRICT_OFFICIAL: 6, R.ENTERPRISE_STAFF: 2}, False, "II.2.c"),
    (dt.date(2020, 10, 20), "Tập huấn quản lý nhà nước về đo lường cho công chức cấp huyện, cấp xã",
     {R.DISTRICT_OFFICIAL: 4, R.COMMUNE_OFFICIAL: 6}, False, "II.2.c"),
    (dt.date(2021, 12, 7), "Tập huấn trực tuyến: đo lường đối với hàng đóng gói sẵn",
     {R.ENTERPRISE_STAFF: 8}, True, "II.2.c"),
    (dt.date(2022, 6, 16), "Tập huấn kiểm tra đo lường tại chợ, cửa hàng xăng dầu",
     {R.PROVINCIAL_OFFICIAL: 2, R.DISTRICT_OFFICIAL: 3, R.COMMUNE_OFFICIAL: 5}, False, "II.2.c"),
    (dt.date(2023, 5, 23), "Bồi dưỡng nghiệp vụ hiệu chuẩn phương tiện đo trong doanh nghiệp",
     {R.ENTERPRISE_STAFF: 10, R.PROVIDER_STAFF: 2}, True, "II.2.c"),
    (dt.date(2024, 8, 27), "Tập huấn đo lường cho doanh nghiệp trong khu công nghiệp",
     {R.ENTERPRISE_STAFF: 9, R.PROVIDER_STAFF: 1}, True, "II.2.c"),
    (dt.date(2024, 11, 14), "Tập huấn sử dụng cân đối chứng tại chợ",
     {R.DISTRICT_OFFICIAL: 2, R.COMMUNE_OFFICIAL: 4}, False, "II.2.c"),
    (dt.date(2025, 10, 21), "Tập huấn quản lý đo lường cấp xã sau sắp xếp đơn vị hành chính",
     {R.PROVINCIAL_OFFICIAL: 3, R.COMMUNE_OFFICIAL: 9}, False, "II.2.c"),
    (dt.date(2026, 4, 9), "Tập huấn theo đặt hàng doanh nghiệp: hiệu chuẩn nội bộ và đánh giá độ không đảm bảo đo",
     {R.ENTERPRISE_STAFF: 11, R.PROVIDER_STAFF: 2}, True, "II.2.c"),
    (dt.date(2026, 9, 15), "Tập huấn pháp luật đo lường mới cho công chức cấp tỉnh, cấp xã",
     {R.PROVINCIAL_OFFICIAL: 4, R.COMMUNE_OFFICIAL: 8}, False, "II.2.c"),
]

# T1: (year, month, field code preference) — 13 to the end of 2025, 15 by late 2026 (one kind and one
# reference material in 2026), plus one kind opened to a second provider (not a new item).
PROVISION_YEARS = [2020, 2021, 2021, 2022, 2022, 2022, 2023, 2023, 2023, 2024, 2024, 2025, 2025, 2026]
REFERENCE_MATERIALS = [(dt.date(2026, 6, 2), "physchem", "Chất chuẩn pH 4,01 – 7,00 – 10,01")]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


class _People:
    """Makes Person rows on demand in the right organisations; re-uses some for later trainings."""

    def __init__(self, rng, pools: dict[str, list[Organization]], existing: dict[str, list[Person]]):
        self.rng = rng
        self.pools = pools
        self.seen: dict[str, list[Person]] = {k: list(v) for k, v in existing.items()}
        self.new: list[Person] = []

    def pick(self, role: str, n: int, on: dt.date) -> list[Person]:
        key = "district" if role == R.DISTRICT_OFFICIAL else role
        chosen: list[Person] = []
        known = [p for p in self.seen.get(key, []) if role != R.DISTRICT_OFFICIAL or on < REFORM_DATE]
        reuse = min(len(known), n // 3)
        chosen += self.rng.sample(known, reuse)
        orgs = self.pools.get(key) or self.pools["fallback"]
        while len(chosen) < n:
            org = self.rng.choice(orgs)
            person = Person(full_name=_name(self.rng), organization=org, position=_position(role))
            self.new.append(person)
            self.seen.setdefault(key, []).append(person)
            chosen.append(person)
        return chosen


def _position(role: str) -> str:
    return {
        R.PROVINCIAL_OFFICIAL: "Chuyên viên", R.DISTRICT_OFFICIAL: "Chuyên viên Phòng Kinh tế – Hạ tầng",
        R.COMMUNE_OFFICIAL: "Công chức Văn phòng – Thống kê", R.ENTERPRISE_STAFF: "Cán bộ kỹ thuật",
        R.PROVIDER_STAFF: "Kiểm định viên",
    }.get(role, "")


def load_demo_programmes(*, rng: random.Random, today: dt.date, enterprises: list[Organization],
                         providers: list[Organization], people: list[Person], dost: Organization,
                         plan=None, org_notes: str | None = None) -> dict[str, int]:
    """Create the programmes' demo rows; returns counts by model.

    ``enterprises`` and ``providers``: demo organisations (any order; sorted by id here);
    ``people``: existing people that may attend trainings (their organisation decides their role);
    ``dost``: the lead agency (organiser of trainings and events); ``plan``: the plan whose tasks
    (by appendix code) cases, trainings and events are linked to; ``today``:
    the demo's reference date (nothing dated after it is created).
    """
    enterprises = sorted(enterprises, key=lambda o: o.pk)
    providers = sorted(providers, key=lambda o: o.pk)
    notes = org_notes if org_notes is not None else (enterprises[0].notes if enterprises else "")
    tasks = {t.code: t for t in plan.tasks.all()} if plan is not None else {}
    old_seat = None
    if dost.unit_id:
        old_seat = (UnitSuccession.objects.filter(successor_id=dost.unit_id).select_related("predecessor")
                    .order_by("-is_primary", "pk").first())
        old_seat = old_seat.predecessor if old_seat else None

    def seat(day: dt.date):
        return old_seat if day < REFORM_DATE and old_seat is not None else dost.unit

    counts: dict[str, int] = {}
    _outreach(rng, today, dost, seat, tasks, counts)
    _trainings(rng, today, enterprises, providers, people, dost, seat, plan, tasks, notes, counts)
    _provisions(rng, today, enterprises, providers, counts)
    _criteria(rng, today, providers, counts)
    _capacity(today, providers, counts)
    _assurance(rng, today, enterprises, providers, plan, counts)
    return counts


# ---------------------------------------------------------------------------------------------------


def _outreach(rng, today, dost, seat, tasks, counts):
    press = list(Organization.objects.filter(kind=OrganizationKind.PRESS).order_by("pk"))
    rows = []

    def add(kind, title, day, organizer=dost, participants=None, description="", task=None):
        if day > today:
            return
        ev = OutreachEvent(kind=kind, title=title, held_on=day, organizer=organizer, participants=participants,
                           unit=seat(day), description=description)
        if task and tasks.get(task) is not None:
            ev.task = tasks[task]
        rows.append(ev)

    for year in range(2019, today.year + 1):
        add(OutreachKind.METROLOGY_DAY, f"Hưởng ứng Ngày Đo lường Việt Nam 20/01/{year}", dt.date(year, 1, 20),
            participants=rng.randint(40, 120),
            description="Treo băng rôn, phát tờ rơi, kiểm tra miễn phí cân tại chợ trung tâm.", task="I.1")
        add(OutreachKind.LEGAL_REVIEW, f"Rà soát văn bản quy phạm pháp luật về đo lường năm {year}",
            _weekday(dt.date(year, 11, 5)), task="II.1")
        for k in range(rng.randint(1, 3)):
            paper = [p for p in press if p.is_active == (year >= 2025)] or press
            add(OutreachKind.MEDIA_PIECE, rng.choice([
                "Phóng sự: đo lường trong kinh doanh xăng dầu", "Bài viết: cân đối chứng tại chợ",
                "Chuyên mục khoa học: đồng hồ nước và quyền lợi người tiêu dùng",
                "Tin: kết quả kiểm tra đo lường hàng đóng gói sẵn",
                "Phóng sự: doanh nghiệp tham gia chương trình đảm bảo đo lường"]),
                _weekday(dt.date(year, 3 + 4 * k, rng.randint(1, 25))),
                organizer=rng.choice(paper) if paper else dost, task="I.1")
    add(OutreachKind.CONFERENCE, "Hội nghị triển khai Kế hoạch 210/KH-UBND về đo lường", dt.date(2019, 9, 24),
        participants=110, task="I.2")
    add(OutreachKind.WORKSHOP, "Hội thảo: chương trình đảm bảo đo lường cho doanh nghiệp", dt.date(2021, 9, 28),
        participants=60, task="I.2")
    add(OutreachKind.WORKSHOP, "Hội thảo: bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường",
        dt.date(2022, 10, 13), participants=45, task="I.2")
    add(OutreachKind.AWARD, "Khen thưởng tập thể, cá nhân có thành tích trong hoạt động đo lường giai đoạn 2019–2022",
        dt.date(2023, 1, 19), participants=25)
    add(OutreachKind.INTERNATIONAL_COOPERATION, "Đoàn công tác trao đổi kinh nghiệm quản lý đo lường với tỉnh "
        "Vân Nam (Trung Quốc)", dt.date(2023, 11, 8), participants=8, task="II.5")
    add(OutreachKind.ST_TASK, "Nhiệm vụ KH&CN cấp tỉnh: ứng dụng cân điện tử kết nối dữ liệu tại chợ",
        dt.date(2024, 3, 1), task="II.1")
    add(OutreachKind.CONFERENCE, "Hội nghị sơ kết giai đoạn 2019–2025 Kế hoạch 210/KH-UBND", dt.date(2025, 12, 16),
        participants=90, task="I.2")
    add(OutreachKind.WORKSHOP, "Hội thảo: đo lường phục vụ chuyển đổi số trong doanh nghiệp", dt.date(2026, 8, 20),
        participants=55, task="I.2")
    OutreachEvent.objects.bulk_create(rows)
    counts["outreach_events"] = len(rows)


def _trainings(rng, today, enterprises, providers, people, dost, seat, plan, tasks, notes, counts):
    departments = list(Organization.objects.filter(kind=OrganizationKind.DEPARTMENT, is_active=True).order_by("pk"))
    communes = list(Organization.objects.filter(kind=OrganizationKind.COMMUNE).order_by("pk"))
    districts = list(Organization.objects.filter(kind=OrganizationKind.OTHER, name__startswith="Ủy ban nhân dân huyện")
                     .order_by("pk"))
    if not districts:
        districts = [Organization(name=f"Ủy ban nhân dân huyện {d}", short_name=f"UBND huyện {d}",
                                  kind=OrganizationKind.OTHER, ownership=Ownership.STATE, is_active=False,
                                  notes=notes)  # the demo marker, exactly: the demo's deletion matches it
                     for d in OLD_DISTRICTS]
        Organization.objects.bulk_create(districts)
        counts["district_committees"] = len(districts)
    ent_ids = {o.pk for o in enterprises}
    prov_ids = {o.pk for o in providers}
    existing: dict[str, list[Person]] = defaultdict(list)
    for p in sorted(people, key=lambda p: p.pk):
        if p.organization_id in ent_ids:
            existing[R.ENTERPRISE_STAFF].append(p)
        elif p.organization_id in prov_ids:
            existing[R.PROVIDER_STAFF].append(p)
    pools = {R.PROVINCIAL_OFFICIAL: [dost, *[d for d in departments if d.pk != dost.pk]][:4],
             R.COMMUNE_OFFICIAL: communes, "district": districts, R.ENTERPRISE_STAFF: enterprises,
             R.PROVIDER_STAFF: providers, "fallback": [dost]}
    maker = _People(rng, pools, existing)
    trainings, plan_rows = [], []
    for day, title, by_role, demand, task in TRAININGS:
        if day > today:
            continue
        t = Training(title=title, starts_on=day, ends_on=day + dt.timedelta(days=1), organizer=dost, unit=seat(day),
                     location="Hội trường Sở Khoa học và Công nghệ" if not demand else "Trực tuyến"
                     if day.year == 2021 else "Hội trường Ban Quản lý các khu công nghiệp",
                     on_enterprise_demand=demand,
                     topic="Luật Đo lường và văn bản hướng dẫn; kiểm định, hiệu chuẩn, thử nghiệm; đo lường trong "
                           "thương mại bán lẻ.")
        if plan is not None:
            t.plan = plan
            t.task = tasks.get(task)
        trainings.append(t)
        plan_rows.append([(role, maker.pick(role, n, day)) for role, n in by_role.items()])
    Person.objects.bulk_create(maker.new)
    Training.objects.bulk_create(trainings)
    rows = []
    for t, groups in zip(trainings, plan_rows, strict=True):
        listed = set()
        for role, persons in groups:
            for p in persons:
                if p.pk in listed:
                    continue
                listed.add(p.pk)
                rows.append(Attendance(training=t, person=p, organization=p.organization, role=role))
    Attendance.objects.bulk_create(rows)
    counts.update(people=len(maker.new), trainings=len(trainings), attendances=len(rows))


def _provisions(rng, today, enterprises, providers, counts):
    private = [p for p in providers if p.ownership != Ownership.STATE] \
        or [e for e in enterprises if e.ownership == Ownership.PRIVATE][:2]
    if not private:
        counts["private_provisions"] = 0
        return
    kinds = list(InstrumentKind.objects.filter(valid_to__isnull=True).select_related("field").order_by("code"))
    by_field: dict[int, list[InstrumentKind]] = defaultdict(list)
    for k in kinds:
        by_field[k.field_id].append(k)
    field_ids = sorted(by_field)
    chosen: list[InstrumentKind] = []
    i = 0
    while len(chosen) < len(PROVISION_YEARS) and any(by_field.values()):
        bucket = by_field[field_ids[i % len(field_ids)]]
        if bucket:
            chosen.append(bucket.pop(rng.randrange(len(bucket))))
        i += 1
    rows = []
    for n, (year, kind) in enumerate(zip(PROVISION_YEARS, chosen, strict=False)):
        day = _weekday(dt.date(year, rng.randint(2, 10), rng.randint(1, 28)))
        if day > today:
            continue
        provider = private[n % len(private)]
        item = ProvisionItemType.MEASUREMENT_STANDARD if n % 4 == 3 else ProvisionItemType.MEASURING_INSTRUMENT_SERVICE
        rows.append(PrivateProvision(provider=provider, field=kind.field, kind=kind, item_type=item,
                                     available_from=day, evidence=f"Quyết định chỉ định số {rng.randint(100, 999)}/"
                                     f"QĐ-TĐC ngày {day:%d/%m/%Y} (minh họa)."))
    if rows and len(private) > 1:  # the same kind opened to a second provider: not a new item
        first = rows[0]
        rows.append(PrivateProvision(provider=private[1], field=first.field, kind=first.kind,
                                     item_type=first.item_type, available_from=dt.date(2024, 9, 10),
                                     evidence="Mở rộng phạm vi chỉ định (minh họa)."))
    fields = {f.code: f for f in MetrologyField.objects.all()}
    for day, code, text in REFERENCE_MATERIALS:
        field = fields.get(code) or next(iter(fields.values()), None)
        if field is not None and day <= today:
            rows.append(PrivateProvision(provider=private[0], field=field, description=text, available_from=day,
                                         item_type=ProvisionItemType.REFERENCE_MATERIAL,
                                         evidence="Hợp đồng cung cấp chất chuẩn có chứng nhận (minh họa)."))
    PrivateProvision.objects.bulk_create(rows)
    counts["private_provisions"] = len(rows)


def _criteria(rng, today, providers, counts):
    cs = CriteriaSet.objects.filter(code=DEMO_CRITERIA_CODE, version="1").first() or CriteriaSet.objects.create(
        code=DEMO_CRITERIA_CODE, version="1",
        name="Bộ tiêu chí đánh giá các lĩnh vực đo lường — BẢN MINH HỌA (không phải văn bản chính thức)",
        issued_by="Dữ liệu minh họa (văn bản chính thức của Bộ KH&CN không có sẵn ngoại tuyến)",
        issued_on=dt.date(2021, 12, 30), criteria=DEMO_CRITERIA, is_active=True)
    counts["criteria_sets"] = 1
    # T2 counts accredited labs (ISO/IEC 17025 held when assessed): accredited ones first.
    accredited = set(Accreditation.objects.filter(organization__in=providers, standard="ISO/IEC 17025",
                                                  issued_on__lte=dt.date(2023, 9, 1))
                     .values_list("organization_id", flat=True))
    labs = sorted(providers, key=lambda p: (p.pk not in accredited, p.kind != OrganizationKind.LAB, p.pk))
    if not labs:
        counts["criteria_assessments"] = 0
        return
    plan = [(labs[0], dt.date(2023, 9, 26), 0.62, AssessmentResult.APPLIED_PARTLY),
            (labs[0], dt.date(2025, 6, 17), 0.83, AssessmentResult.APPLIED_MEETS)]
    if len(labs) > 1:
        plan.append((labs[1], dt.date(2026, 5, 12), 0.45, AssessmentResult.NOT_APPLIED))
    rows = []
    for org, day, share, result in plan:
        if day > today:
            continue
        scores = {c["code"]: min(c["max_score"], max(0, round(c["max_score"] * (share + rng.uniform(-0.1, 0.1)))))
                  for c in DEMO_CRITERIA}
        a = CriteriaAssessment(organization=org, criteria_set=cs, assessed_on=day, scores=scores, result=result,
                               notes="Đánh giá minh họa theo bộ tiêu chí minh họa.")
        a.total = a.compute_total()
        rows.append(a)
    CriteriaAssessment.objects.bulk_create(rows)
    counts["criteria_assessments"] = len(rows)


def _capacity(today, providers, counts):
    if not providers:
        counts["capacity_supports"] = 0
        return
    acc = (Accreditation.objects.filter(organization__in=providers, standard=AccreditationStandard.ISO17025,
                                        issued_on__year=2023).order_by("issued_on", "pk").first())
    provider = next((p for p in providers if acc and p.pk == acc.organization_id), providers[0])
    done = acc.issued_on if acc else dt.date(2023, 10, 16)
    rows = [CapacitySupport(provider=provider, kind=CapacityKind.ISO17025_ACCREDITATION,
                            started_on=dt.date(2022, 3, 15), completed_on=done, accreditation=acc,
                            cost=Decimal(450_000_000),
                            outcome="Phòng thí nghiệm được công nhận phù hợp TCVN ISO/IEC 17025:2017.")]
    if len(providers) > 1 and dt.date(2025, 8, 4) <= today:
        rows.append(CapacitySupport(provider=providers[-1], kind=CapacityKind.ISO9001_CERTIFICATION,
                                    started_on=dt.date(2025, 8, 4), cost=Decimal(180_000_000),
                                    outcome="Đang xây dựng hệ thống quản lý theo TCVN ISO 9001:2015."))
    CapacitySupport.objects.bulk_create(rows)
    counts["capacity_supports"] = len(rows)


# T3: per year, the enterprises selected and the supports each received (kinds). Up to 2025 only
# private or foreign-invested enterprises; in 2026 a state-capital one. Enterprise-times: 14 to the
# end of 2025, 17 now.
CASES = [
    (2020, "private", [SupportKind.CALIBRATION, SupportKind.VERIFICATION]),
    (2021, "private", [SupportKind.MEASUREMENT_METHOD]),
    (2021, "foreign", [SupportKind.CALIBRATION]),
    (2022, "private", [SupportKind.VERIFICATION, SupportKind.TRAINING]),
    (2023, "private", [SupportKind.CALIBRATION]),
    (2023, "foreign", [SupportKind.TESTING, SupportKind.CALIBRATION]),
    (2024, "private", [SupportKind.VERIFICATION, SupportKind.MEASUREMENT_METHOD]),
    (2024, "private", [SupportKind.CALIBRATION]),
    (2025, "foreign", [SupportKind.CALIBRATION, SupportKind.VERIFICATION]),
    (2026, "state", [SupportKind.VERIFICATION, SupportKind.CALIBRATION]),
    (2026, "private", [SupportKind.TESTING]),
]
# Cases surveyed but never selected (no support): dropped, or still open in 2026.
UNSELECTED = [(2020, "private", Stage.DROPPED), (2022, "state", Stage.DROPPED), (2024, "foreign", Stage.DROPPED),
              (2026, "private", Stage.ASSESSMENT), (2026, "state", Stage.SURVEY)]


def _assurance(rng, today, enterprises, providers, plan, counts):
    by_owner = {Ownership.PRIVATE: [], Ownership.FOREIGN: [], Ownership.STATE: []}
    with_records = set(ServiceRecord.objects.filter(instrument__owner__in=enterprises)
                       .values_list("instrument__owner_id", flat=True).distinct())
    for e in enterprises:
        if e.ownership in by_owner and e.kind == OrganizationKind.ENTERPRISE:
            by_owner[e.ownership].append(e)
    for key, pool in by_owner.items():
        pool.sort(key=lambda e: (e.pk not in with_records, e.pk))  # supported enterprises have records
        by_owner[key] = pool[:12]
        rng.shuffle(by_owner[key])
    used: set[tuple[int, int]] = set()

    def enterprise(ownership: str, year: int):
        pool = by_owner[ownership] or by_owner[Ownership.PRIVATE]
        for e in pool:
            if (e.pk, year) not in used:
                used.add((e.pk, year))
                return e
        return None

    cases, planned = [], []
    for year, ownership, kinds in CASES:
        surveyed = _weekday(dt.date(year, 3, rng.randint(2, 27)))
        selected = surveyed + dt.timedelta(days=rng.randint(30, 60))
        if selected > today:
            continue
        e = enterprise(ownership, year)
        if e is None:
            continue
        closed = _weekday(dt.date(year, 12, rng.randint(1, 20)))
        completed = closed <= today
        case = AssuranceCase(enterprise=e, year=year, surveyed_on=surveyed, selected_on=selected,
                             stage=Stage.COMPLETED if completed else Stage.SUPPORTING,
                             closed_on=closed if completed else None,
                             assessment_summary="Khảo sát hiện trạng phương tiện đo, chuẩn đo lường và năng lực đo "
                                                "của doanh nghiệp; xác định nhu cầu hỗ trợ.",
                             outcome="Hoàn thành hỗ trợ theo kế hoạch." if completed else "")
        if plan is not None:
            case.plan = plan
        cases.append(case)
        planned.append(kinds)
    for year, ownership, stage in UNSELECTED:
        surveyed = _weekday(dt.date(year, 4, rng.randint(1, 28)))
        e = enterprise(ownership, year)
        if e is None or surveyed > today:
            continue
        closed = surveyed + dt.timedelta(days=rng.randint(40, 90)) if stage == Stage.DROPPED else None
        case = AssuranceCase(enterprise=e, year=year, surveyed_on=surveyed, stage=stage, closed_on=closed,
                             outcome="Doanh nghiệp chưa đủ điều kiện tham gia." if closed else "")
        if plan is not None:
            case.plan = plan
        cases.append(case)
        planned.append([])
    AssuranceCase.objects.bulk_create(cases)

    # Records behind verification/calibration supports, when the enterprise has one in the window.
    wanted = {c.enterprise_id for c, kinds in zip(cases, planned, strict=True) if kinds}
    records = defaultdict(list)
    for r in (ServiceRecord.objects.filter(instrument__owner__in=wanted, performed_on__gte=dt.date(2020, 1, 1))
              .select_related("instrument", "provider").order_by("performed_on", "pk")):
        records[(r.instrument.owner_id, r.activity)].append(r)
    fallback = [p for p in providers if p.ownership != Ownership.STATE] or providers
    rows, taken = [], set()
    for case, kinds in zip(cases, planned, strict=True):
        end = case.closed_on or today
        for n, kind in enumerate(kinds):
            day = case.selected_on + dt.timedelta(days=20 + 45 * n + rng.randint(0, 20))
            day = min(day, end)
            record = None
            for r in records.get((case.enterprise_id, str(kind)), ()):
                if case.selected_on <= r.performed_on <= end and r.pk not in taken:
                    record = r
                    break
            if record is not None:
                taken.add(record.pk)
                day = record.performed_on
            provider = record.provider if record else (fallback[(case.year + n) % len(fallback)] if fallback else None)
            rows.append(SupportDelivery(
                case=case, kind=kind, delivered_on=day, provider=provider, record=record,
                cost=Decimal(rng.choice([1_500_000, 2_500_000, 4_000_000, 6_500_000, 12_000_000])),
                description={SupportKind.MEASUREMENT_METHOD: "Xây dựng phương pháp đo cho dây chuyền sản xuất.",
                             SupportKind.TRAINING: "Đào tạo cán bộ kỹ thuật về kiểm soát phương tiện đo."}
                .get(kind, "Hỗ trợ chi phí kiểm định, hiệu chuẩn, thử nghiệm phương tiện đo.")))
    SupportDelivery.objects.bulk_create(rows)
    counts.update(assurance_cases=len(cases), support_deliveries=len(rows))


def delete_demo_programmes(orgs) -> None:
    """Delete the programme rows that refer to ``orgs`` (a queryset of demo organisations).

    Run before deleting the organisations themselves (the keys protect them). The demo criteria set
    is deleted too when nothing else refers to it.
    """
    SupportDelivery.objects.filter(Q(case__enterprise__in=orgs) | Q(provider__in=orgs)).delete()
    AssuranceCase.objects.filter(enterprise__in=orgs).delete()
    Attendance.objects.filter(Q(person__organization__in=orgs) | Q(organization__in=orgs)
                              | Q(training__organizer__in=orgs)).delete()
    Training.objects.filter(organizer__in=orgs).delete()
    OutreachEvent.objects.filter(organizer__in=orgs).delete()
    PrivateProvision.objects.filter(provider__in=orgs).delete()
    CriteriaAssessment.objects.filter(organization__in=orgs).delete()
    CapacitySupport.objects.filter(provider__in=orgs).delete()
    CriteriaSet.objects.filter(code=DEMO_CRITERIA_CODE, assessments__isnull=True).delete()
