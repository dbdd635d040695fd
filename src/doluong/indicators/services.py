"""Loading indicator definitions and a plan's targets.

A loader of reference data (``load_reference``, run with history off): definitions are matched by code
with ``update_or_create``; officers change targets and manual values through the forms (the write path).
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from doluong.indicators.models import Indicator, Target

# code, name (Vietnamese, the plan's words), unit, computation, operational, order
INDICATORS = [
    ("T1", "Số loại chuẩn đo lường, phương tiện đo được hỗ trợ, khuyến khích xã hội hóa", "loại",
     "private_provision_kinds", False, 1),
    ("T2", "Số phòng thí nghiệm được công nhận áp dụng bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường",
     "phòng thí nghiệm", "labs_applying_criteria", False, 2),
    ("T3", "Chương trình đảm bảo đo lường: lượt doanh nghiệp được hỗ trợ kiểm định, hiệu chuẩn, thử nghiệm",
     "lượt doanh nghiệp", "assurance_enterprise_times", False, 3),
    ("T4", "Bồi dưỡng, nâng cao chuyên môn nghiệp vụ về đo lường", "lượt người", "training_person_times", False, 4),
    ("T5", "Số tổ chức dịch vụ kiểm định, hiệu chuẩn, thử nghiệm được nâng cao năng lực", "tổ chức",
     "providers_capacity_raised", False, 5),
    ("OP-REC", "Số lượt kiểm định, hiệu chuẩn, thử nghiệm", "lượt", "records", True, 10),
    ("OP-VER", "Số phương tiện đo được kiểm định", "phương tiện đo", "instruments_verified", True, 11),
    ("OP-OVD", "Tỷ lệ phương tiện đo đang sử dụng quá hạn kiểm định", "%", "overdue_share", True, 12),
    ("OP-INS", "Số cuộc thanh tra, kiểm tra về đo lường", "cuộc", "inspections", True, 13),
    ("OP-ICF", "Số phương tiện đo không đạt khi kiểm tra", "phương tiện đo", "instrument_checks_failed", True, 14),
    ("OP-LOT", "Số lô hàng đóng gói sẵn không đạt", "lô", "lots_rejected", True, 15),
]

# Extra conditions a target carries, by indicator code (Plan 210, II.1.đ–e).
CONDITIONS = {"T3": {"requires_ownership": ["state", "private"]}}

MILESTONES = {"by_2025": dt.date(2025, 12, 31), "by_2030": dt.date(2030, 12, 31)}


@transaction.atomic
def load_indicators() -> dict[str, Indicator]:
    """Create or update the standard indicators; returns them by code."""
    out = {}
    for code, name, unit, computation, operational, order in INDICATORS:
        out[code], _ = Indicator.objects.update_or_create(code=code, defaults={
            "name": name, "unit": unit, "computation": computation, "is_operational": operational, "order": order})
    return out


@transaction.atomic
def load_plan_targets(plan, targets: list[dict]) -> list[Target]:
    """The plan's targets (``plans.data.plan_210.TARGETS`` shape) as Target rows; idempotent."""
    indicators = load_indicators()
    made = []
    for t in targets:
        for key, milestone in MILESTONES.items():
            if t.get(key) is None:
                continue
            target, _ = Target.objects.update_or_create(
                plan=plan, indicator=indicators[t["code"]], milestone=milestone,
                defaults={"value": Decimal(t[key]), "conditions": CONDITIONS.get(t["code"], {}),
                          "label": t["label_vi"]})
            made.append(target)
    return made


def load_plan_210_targets():
    from doluong.plans.data.plan_210 import TARGETS
    from doluong.plans.services import load_plan_210

    plan = load_plan_210()
    return load_plan_targets(plan, TARGETS)
