"""Seed list of metrology violation types (Decree 119/2017/NĐ-CP as amended by Decree 126/2021/NĐ-CP).

SEED DATA TO VERIFY: the article and clause numbers and the fine ranges below were written from
memory of the decrees' structure, not copied from the official text. Every row is loaded with
``is_seed=True`` and a note saying so; an administrator must check each against the consolidated
text (văn bản hợp nhất) and clear the flag. Amounts are for an individual as the decree states them;
an organisation is fined twice as much (``organization_factor``). Loading is idempotent and never
overwrites a row an administrator has already verified (``is_seed=False``).
"""

import datetime as dt
from decimal import Decimal

from doluong.core import writes
from doluong.inspections.models import ViolationType

DECREE = "Nghị định 119/2017/NĐ-CP (sửa đổi, bổ sung bởi Nghị định 126/2021/NĐ-CP)"
VALID_FROM = dt.date(2017, 12, 15)
NOTE = ("Dữ liệu mẫu cần kiểm tra: điều, khoản và mức phạt phải được đối chiếu với văn bản chính thức trước khi "
        "sử dụng. / Seed data to verify against the official text.")

# (code, name, article reference, fine_min, fine_max) — individual amounts in đồng
VIOLATION_TYPES = [
    ("DL-PTD-KD", "Sử dụng phương tiện đo nhóm 2 không được kiểm định hoặc giấy chứng nhận kiểm định đã hết hiệu lực",
     "Điều 9 khoản 2", 2_000_000, 5_000_000),
    ("DL-PTD-TEM", "Sử dụng phương tiện đo nhóm 2 có dấu kiểm định, tem kiểm định bị hư hỏng hoặc không còn nguyên vẹn",
     "Điều 9 khoản 1", 1_000_000, 3_000_000),
    ("DL-PTD-SS", "Sử dụng phương tiện đo có sai số vượt quá giới hạn sai số cho phép",
     "Điều 9 khoản 3", 5_000_000, 10_000_000),
    ("DL-PTD-DC", "Điều chỉnh, can thiệp làm sai lệch phương tiện đo",
     "Điều 9 khoản 4", 10_000_000, 15_000_000),
    ("DL-PD-KL", "Thực hiện phép đo trong mua bán có lượng hàng hóa thiếu vượt quá giới hạn cho phép",
     "Điều 11 khoản 2", 3_000_000, 10_000_000),
    ("DL-HDG-TB", "Hàng đóng gói sẵn có lượng trung bình không đạt yêu cầu",
     "Điều 12 khoản 2", 5_000_000, 10_000_000),
    ("DL-HDG-T", "Hàng đóng gói sẵn có lượng thiếu vượt quá giới hạn cho phép (yêu cầu T1, T2)",
     "Điều 12 khoản 3", 10_000_000, 20_000_000),
    ("DL-HDG-NH", "Ghi nhãn lượng danh định của hàng đóng gói sẵn không đúng quy định",
     "Điều 12 khoản 1", 1_000_000, 3_000_000),
    ("DL-DV-CD", "Thực hiện kiểm định, hiệu chuẩn, thử nghiệm ngoài lĩnh vực được chỉ định hoặc đăng ký",
     "Điều 10 khoản 2", 10_000_000, 20_000_000),
]


def load_violation_types() -> dict[str, int]:
    """Create the seed violation types that are missing; refresh seed rows not yet verified."""
    existing = {v.code: v for v in ViolationType.objects.filter(code__in=[r[0] for r in VIOLATION_TYPES])}
    created = updated = 0
    for code, name, article, low, high in VIOLATION_TYPES:
        values = {"name": name, "legal_reference": f"{article} {DECREE}", "fine_min": Decimal(low),
                  "fine_max": Decimal(high), "organization_factor": 2, "valid_from": VALID_FROM, "is_seed": True,
                  "notes": NOTE}
        row = existing.get(code)
        if row is None:
            writes.save(ViolationType(code=code, **values), user=None, via=writes.Via.SYSTEM)
            created += 1
        elif row.is_seed and any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            writes.save(row, user=None, via=writes.Via.SYSTEM)
            updated += 1
    return {"violation_types_created": created, "violation_types_updated": updated}
