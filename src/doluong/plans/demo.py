"""Demo data for the plans app: Plan 210 with seven years of work, and a demo plan of the new Lào Cai.

DEMO DATA. Everything except Plan 210 itself (loaded from :mod:`doluong.plans.data.plan_210`) is
invented to show the system at work: workplans, budgets, reports and change requests are not real,
and the Lào Cai plan below is not a real document. Deterministic for a given ``rng`` and ``today``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from doluong.geo.models import AdministrativeUnit, UnitLevel
from doluong.orgs.models import Organization
from doluong.plans.models import (
    AnnualWorkplan,
    BudgetLine,
    ChangeStatus,
    FundingSource,
    Period,
    Plan,
    PlanChange,
    PlanPhase,
    PlanTask,
    ProgressReport,
    ReportStatus,
    Timeframe,
    WorkplanItem,
    WorkplanStatus,
)
from doluong.plans.services import load_plan_210

DEMO_MARK = "[Dữ liệu mẫu]"
WORK_YEARS = range(2020, 2027)
REPORTED_YEARS = range(2020, 2026)
CURRENT_YEAR = 2026
MILLION = Decimal(1_000_000)

# What a year's work on each Plan 210 task looks like (planned output, work done).
OUTPUTS = {
    "I.1": ("Chuyên mục đo lường trên Báo và Đài PT-TH tỉnh; tờ rơi cho doanh nghiệp",
            "Đã phát {n} tin, bài trên báo, đài và cổng thông tin điện tử; in và phát {m} tờ rơi."),
    "I.2": ("Hội nghị phổ biến pháp luật đo lường; hưởng ứng Ngày Đo lường Việt Nam 20/01",
            "Đã tổ chức {n} hội nghị, hội thảo với {m} lượt đại biểu tham dự."),
    "II.1": ("Rà soát văn bản quy phạm pháp luật về đo lường; đề xuất nhiệm vụ KH&CN cấp tỉnh",
             "Đã rà soát {n} văn bản; đề xuất {k} nhiệm vụ KH&CN cấp tỉnh về đo lường."),
    "II.2.a": ("Phát triển chuẩn đo lường, phương tiện đo theo hướng xã hội hóa",
               "Đã hỗ trợ đưa vào sử dụng {k} loại chuẩn đo lường, phương tiện đo."),
    "II.2.b": ("Hỗ trợ tổ chức kiểm định duy trì hệ thống quản lý theo TCVN ISO/IEC 17025",
               "Đã hỗ trợ {k} tổ chức đánh giá lại, duy trì chứng nhận hệ thống quản lý."),
    "II.2.c": ("Lớp bồi dưỡng nghiệp vụ đo lường cho công chức và cán bộ doanh nghiệp",
               "Đã tổ chức {k} lớp bồi dưỡng với {m} lượt người tham dự."),
    "II.2.d": ("Áp dụng bộ tiêu chí quốc gia đối với phòng thí nghiệm được công nhận",
               "Đã hướng dẫn {k} phòng thí nghiệm tự đánh giá theo bộ tiêu chí quốc gia."),
    "II.3.a": ("Mua sắm thiết bị phục vụ thanh tra, kiểm tra nhà nước về đo lường",
               "Đã mua sắm, đưa vào sử dụng {k} bộ thiết bị kiểm tra nhanh."),
    "II.3.b": ("Phối hợp kiểm tra đo lường xăng dầu, cân thương mại tại chợ",
               "Đã phối hợp kiểm tra {n} cơ sở; phát hiện và xử lý {k} trường hợp vi phạm."),
    "II.3.c": ("Hướng dẫn tổ chức dịch vụ áp dụng bộ tiêu chí quốc gia",
               "Đã hướng dẫn {k} tổ chức dịch vụ kiểm định, hiệu chuẩn áp dụng bộ tiêu chí."),
    "II.4.a": ("Khảo sát, lựa chọn doanh nghiệp áp dụng Chương trình đảm bảo đo lường",
               "Đã khảo sát {n} doanh nghiệp, lựa chọn {k} doanh nghiệp tham gia chương trình."),
    "II.4.b": ("Hỗ trợ tổ chức cung cấp dịch vụ trên địa bàn đáp ứng bộ tiêu chí quốc gia",
               "Đã hỗ trợ {k} tổ chức cung cấp dịch vụ hoàn thiện hồ sơ năng lực."),
    "II.5": ("Tham gia đoàn học tập kinh nghiệm, hội thảo quốc tế về đo lường",
             "Đã cử {k} lượt cán bộ tham gia hội thảo, đào tạo có yếu tố quốc tế."),
}

# A demo plan of the province formed on 1 July 2025 (Lào Cai + Yên Bái): code, title, timeframe.
LAO_CAI_TASKS = [
    ("I.1", "Tuyên truyền, phổ biến pháp luật về đo lường trên địa bàn tỉnh sau hợp nhất", Timeframe.YEARLY),
    ("I.2", "Tổ chức hội nghị, hội thảo và hưởng ứng Ngày Đo lường Việt Nam", Timeframe.YEARLY),
    ("II.1", "Rà soát, thống nhất cơ chế chính sách hỗ trợ doanh nghiệp về đo lường của hai tỉnh cũ",
     Timeframe.YEARLY),
    ("II.2.a", "Phát triển thêm chuẩn đo lường, chất chuẩn, phương tiện đo theo hướng xã hội hóa", Timeframe.BY_2030),
    ("II.2.c", "Bồi dưỡng nghiệp vụ đo lường cho công chức cấp tỉnh, cấp xã và cán bộ doanh nghiệp",
     Timeframe.BY_2030),
    ("II.3.b", "Phối hợp quản lý đo lường giữa các cơ quan và doanh nghiệp trên địa bàn tỉnh mới", Timeframe.YEARLY),
    ("II.4.a", "Triển khai Chương trình đảm bảo đo lường tại doanh nghiệp", Timeframe.YEARLY),
    ("II.5", "Hợp tác quốc tế về đo lường", Timeframe.YEARLY),
]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """A whole number of millions of đồng between ``low`` and ``high`` million."""
    return Decimal(rng.randint(low, high)) * MILLION


def _share(amount: Decimal, low: float, high: float, rng: random.Random) -> Decimal:
    return (amount * Decimal(str(round(rng.uniform(low, high), 3))) / MILLION).quantize(Decimal(1)) * MILLION


def _tasks_in(tasks: list[PlanTask], year: int) -> list[PlanTask]:
    return [t for t in tasks if t.due_year is None or year <= t.due_year]


def _aware(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def load_demo_plans(*, rng: random.Random, dost: Organization, agencies: list[Organization],
                    today: dt.date) -> dict[str, int]:
    """Plan 210 and a demo Lào Cai plan with workplans, budgets, reports and change requests.

    Runs once: when Plan 210 already has workplans, nothing is added.
    """
    plan = load_plan_210(lead_agency=dost)
    if plan.workplans.exists():
        return {"plans": Plan.objects.count(), "reports": ProgressReport.objects.count()}
    agencies = [a for a in agencies if a.pk != dost.pk] or [dost]
    tasks = list(plan.tasks.order_by("order"))
    lao_cai = _lao_cai_plan(dost=dost, today=today)
    lc_tasks = list(lao_cai.tasks.order_by("order"))

    items, lines, reports = [], [], []
    for year in WORK_YEARS:
        workplan = _workplan(rng, plan, year, today)
        items += _items(rng, workplan, _tasks_in(tasks, year), dost, agencies)
        lines += _budget_lines(rng, plan, year, tasks)
    workplan = _workplan(rng, lao_cai, CURRENT_YEAR, today)
    items += _items(rng, workplan, lc_tasks, dost, agencies)
    lines += _budget_lines(rng, lao_cai, CURRENT_YEAR, lc_tasks, scale=1.6)
    # next year's estimate, being compiled in December: estimated, nothing approved or spent yet
    # (a generator of its own, so the rest of the demo draws the same numbers as before)
    estimates = random.Random(CURRENT_YEAR + 1)
    lines += _budget_lines(estimates, plan, CURRENT_YEAR + 1, tasks, estimate_only=True)
    lines += _budget_lines(estimates, lao_cai, CURRENT_YEAR + 1, lc_tasks, scale=1.6, estimate_only=True)
    WorkplanItem.objects.bulk_create(items)
    BudgetLine.objects.bulk_create(lines)

    for year in REPORTED_YEARS:
        reports += _past_reports(rng, year, _tasks_in(tasks, year), dost, agencies)
    reports += _current_reports(rng, _tasks_in(tasks, CURRENT_YEAR), dost, agencies, today)
    ProgressReport.objects.bulk_create(reports)

    _changes(plan=plan, tasks={t.code: t for t in tasks}, dost=dost, agencies=agencies, today=today)
    return {"plans": Plan.objects.count(), "workplan_items": len(items), "budget_lines": len(lines),
            "reports": len(reports), "changes": PlanChange.objects.count()}


def _lao_cai_plan(*, dost: Organization, today: dt.date) -> Plan:
    province = AdministrativeUnit.objects.filter(edition__code="VN-2025", level=UnitLevel.PROVINCE, code="15").first()
    plan, _created = Plan.objects.get_or_create(
        number="DEMO-01/KH-UBND", issued_on=dt.date(2025, 12, 18),
        defaults={
            "title": f"{DEMO_MARK} Kế hoạch triển khai Đề án 996 trên địa bàn tỉnh Lào Cai giai đoạn 2026–2030",
            "issuer_name": "Ủy ban nhân dân tỉnh Lào Cai",
            "signed_by": "(dữ liệu mẫu)",
            "legal_basis": "Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ",
            "province": province,
            "start_year": 2026,
            "end_year": 2030,
            "summary": "DỮ LIỆU MẪU để trình diễn hệ thống, không phải văn bản thật. Kế hoạch giả định của tỉnh "
                       "Lào Cai sau hợp nhất (1/7/2025), thực hiện song song với Kế hoạch 210/KH-UBND của tỉnh Yên "
                       "Bái cũ mà tỉnh Lào Cai kế thừa.",
        },
    )
    PlanPhase.objects.get_or_create(plan=plan, number=1, defaults={"start_year": 2026, "end_year": 2030})
    for order, (code, title, timeframe) in enumerate(LAO_CAI_TASKS, start=1):
        PlanTask.objects.get_or_create(plan=plan, code=code, defaults={
            "order": order, "title": title, "timeframe": timeframe, "lead_agency": dost,
            "due_year": 2030 if timeframe == Timeframe.BY_2030 else None,
            "coordinating_text": "Các sở, ngành, UBND các xã, phường; doanh nghiệp",
        })
    return plan


def _workplan(rng: random.Random, plan: Plan, year: int, today: dt.date) -> AnnualWorkplan:
    approved_on = dt.date(year, 1, rng.randint(10, 28))
    approved = approved_on <= today
    return AnnualWorkplan.objects.create(
        plan=plan, year=year,
        status=WorkplanStatus.APPROVED if approved else WorkplanStatus.DRAFT,
        approved_on=approved_on if approved else None,
        decision_ref=f"Kế hoạch số {rng.randint(5, 60)}/KH-SKHCN ngày {approved_on:%d/%m/%Y}" if approved else "",
    )


def _items(rng, workplan, tasks, dost, agencies) -> list[WorkplanItem]:
    items = []
    for task in tasks:
        planned, _done = OUTPUTS.get(task.code, (task.title, ""))
        responsible = dost if rng.random() < 0.75 else rng.choice(agencies)
        items.append(WorkplanItem(
            workplan=workplan, task=task, planned_output=planned, responsible=responsible,
            deadline=dt.date(workplan.year, rng.choice((6, 9, 11, 12)), 15),
            budget=_money(rng, 20, 180) if task.code != "II.3.a" else _money(rng, 300, 900),
        ))
    return items


def _budget_lines(rng, plan, year, tasks, scale: float = 1.0, estimate_only: bool = False) -> list[BudgetLine]:
    by_code = {t.code: t for t in tasks}
    lines = []

    def line(source, task, low, high):
        estimate = _money(rng, int(low * scale), int(high * scale))
        approved = _share(estimate, 0.75, 1.0, rng)
        low_spent, high_spent = (0.82, 1.0) if year < CURRENT_YEAR else (0.35, 0.7)  # the current year: partly
        spent = _share(approved, low_spent, high_spent, rng)
        if estimate_only:
            approved = spent = Decimal(0)
        lines.append(BudgetLine(plan=plan, year=year, task=task, source=source, estimate=estimate,
                                approved=approved, spent=spent, notes="Dữ liệu mẫu"))

    line(FundingSource.RECURRENT_ST, None, 400, 900)
    if "II.3.a" in by_code and year <= 2025 and year % 2 == 1:
        line(FundingSource.DEVELOPMENT_INVESTMENT, by_code["II.3.a"], 600, 1500)
    if "II.2.a" in by_code and year >= 2023:
        line(FundingSource.DEVELOPMENT_INVESTMENT, by_code["II.2.a"], 500, 1200)
    if "II.4.a" in by_code:
        line(FundingSource.ENTERPRISE, by_code["II.4.a"], 50, 250)
    if rng.random() < 0.4:
        line(FundingSource.OTHER, None, 20, 120)
    return lines


def _done_text(rng, task) -> str:
    _planned, done = OUTPUTS.get(task.code, ("", "Đã triển khai theo kế hoạch."))
    return (done or "Đã triển khai theo kế hoạch.").format(n=rng.randint(8, 60), m=rng.randint(60, 400),
                                                          k=rng.randint(1, 4))


def _share_done(task, year) -> int:
    if task.due_year is None:
        return 100
    span = task.due_year - 2019
    return min(100, round(100 * (year - 2019) / span))


def _past_reports(rng, year, tasks, dost, agencies) -> list[ProgressReport]:
    reports = []
    due = dt.date(year, 12, 15)
    for task in tasks:
        reporters = [dost]
        if task.code in ("I.1", "II.2.c", "II.3.b") or rng.random() < 0.15:
            reporters += rng.sample(agencies, k=min(len(agencies), rng.randint(1, 2)))
        for agency in reporters:
            submitted = due - dt.timedelta(days=rng.randint(0, 20))
            reports.append(ProgressReport(
                task=task, agency=agency, year=year, period=Period.YEAR, due_on=due,
                status=ReportStatus.ACCEPTED, done_text=_done_text(rng, task), share_done=_share_done(task, year),
                submitted_at=_aware(submitted), reviewed_at=_aware(submitted + dt.timedelta(days=rng.randint(3, 25))),
                review_comment="",
            ))
    return reports


def _current_reports(rng, tasks, dost, agencies, today) -> list[ProgressReport]:
    """2026 reports on Plan 210: 2–3 late, one returned, some submitted, the rest awaited."""
    reports = []
    late = rng.choice((2, 3))
    order = list(tasks)
    rng.shuffle(order)
    for i, task in enumerate(order):
        agency = dost if i % 2 == 0 else rng.choice(agencies)
        kw = {"task": task, "agency": agency, "year": CURRENT_YEAR, "period": Period.H1}
        if i < late:
            kw.update(period=Period.Q1, due_on=today - dt.timedelta(days=rng.randint(5, 40)),
                      status=ReportStatus.DRAFT, done_text="")
        elif i == late:
            due = today + dt.timedelta(days=rng.randint(7, 20))
            kw.update(due_on=due, status=ReportStatus.RETURNED, done_text=_done_text(rng, task), share_done=40,
                      submitted_at=_aware(today - dt.timedelta(days=12)),
                      reviewed_at=_aware(today - dt.timedelta(days=6)),
                      review_comment="Đề nghị bổ sung số liệu cụ thể và tài liệu kèm theo (danh sách, hình ảnh).")
        elif i < late + 4:
            kw.update(due_on=today + dt.timedelta(days=rng.randint(-5, 10)), status=ReportStatus.SUBMITTED,
                      done_text=_done_text(rng, task), share_done=rng.choice((50, 60, 70)),
                      submitted_at=_aware(today - dt.timedelta(days=rng.randint(1, 10))))
        else:
            kw.update(due_on=today + dt.timedelta(days=rng.randint(10, 45)), status=ReportStatus.DRAFT,
                      done_text="", share_done=None)
        reports.append(ProgressReport(**kw))
    return reports


def _changes(*, plan, tasks, dost, agencies, today) -> None:
    reporter = agencies[0]
    PlanChange.objects.create(
        plan=plan, task=tasks["II.3.a"], reported_by=dost, reported_on=dt.date(2022, 9, 12),
        difficulty="Kinh phí chi đầu tư phát triển năm 2022 chưa được bố trí đủ để mua sắm trang thiết bị "
                   "thanh tra, kiểm tra đo lường theo kế hoạch.",
        proposed_adjustment="Chuyển phần mua sắm còn lại sang năm 2023 và 2025; giữ nguyên mục tiêu đến năm 2025.",
        status=ChangeStatus.APPROVED, decided_on=dt.date(2022, 11, 21),
        decision_ref="Văn bản số 3456/UBND-NLN ngày 21/11/2022 (dữ liệu mẫu)",
        decision_text="Đồng ý điều chỉnh tiến độ đầu tư như đề xuất của Sở Khoa học và Công nghệ.",
    )
    PlanChange.objects.create(
        plan=plan, task=tasks["II.2.c"], reported_by=reporter, reported_on=today - dt.timedelta(days=20),
        difficulty="Từ 01/7/2025 không còn cấp huyện; đối tượng bồi dưỡng “UBND thành phố, huyện” trong phụ lục "
                   "không còn phù hợp.",
        proposed_adjustment="Điều chỉnh đối tượng bồi dưỡng giai đoạn 2026–2030: công chức cấp tỉnh, cấp xã và cán "
                            "bộ doanh nghiệp; giữ chỉ tiêu 150 lượt người đến năm 2030.",
        status=ChangeStatus.PENDING,
    )
