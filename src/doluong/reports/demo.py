"""Demo documents of Plan 210: the 2026 yearly report, the sơ kết of phase 1, the 2027 budget estimate and the
2026 workplan, with the heading, prose and signer an officer would have written (not generated yet: the
officer presses Generate)."""

import datetime as dt

from doluong.plans.models import Plan
from doluong.reports import figures as figs
from doluong.reports.models import DocumentKind, PlanDocument

SIGNER = {"authority": "UBND TỈNH LÀO CAI", "issuing_body": "Sở Khoa học và Công nghệ", "place": "Lào Cai",
          "signer_title": "KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn Minh (dữ liệu mẫu)"}
RECIPIENTS = ("UBND tỉnh (b/c);\nBộ Khoa học và Công nghệ (b/c);\nCục Đo lường Chất lượng Quốc gia;\n"
              "Giám đốc, các PGĐ Sở;\nLưu: VT, QLĐL.")
ASSESSMENT = ("Các nhiệm vụ của kế hoạch được triển khai đúng tiến độ chung; số liệu về đào tạo và chương trình "
              "đảm bảo đo lường tăng so với năm trước (dữ liệu mẫu).")


def load_demo_documents(*, today: dt.date) -> int:
    plan = Plan.objects.filter(number="210/KH-UBND").first()
    if plan is None or PlanDocument.objects.filter(plan=plan).exists():
        return 0
    phase = plan.phases.order_by("number").first()
    made = []
    for kind, year, ph, dated, number in (
            (DocumentKind.ANNUAL, today.year, None, today, ""),
            (DocumentKind.PHASE_REVIEW, None, phase, dt.date(2025, 12, 20), "312/BC-SKHCN"),
            (DocumentKind.BUDGET, today.year + 1, None, today, ""),
            (DocumentKind.WORKPLAN, today.year, None, dt.date(today.year, 1, 15), "15/KH-SKHCN")):
        doc = PlanDocument(plan=plan, kind=kind, year=year, phase=ph, dated=dated, number=number,
                           recipients=RECIPIENTS, **SIGNER)
        if kind in (DocumentKind.ANNUAL, DocumentKind.PHASE_REVIEW):
            start, end = doc.period
            doc.difficulties, doc.proposals = figs.suggested_prose(plan, start, end)
            doc.assessment = ASSESSMENT
        if kind == DocumentKind.BUDGET:
            doc.addressee = "Sở Tài chính"
        made.append(doc)
    PlanDocument.objects.bulk_create(made)
    return len(made)
