"""Reference data every installation needs: metrology fields, sectors, instrument kinds.

SEED DATA — TO BE CHECKED BY AN ADMINISTRATOR. The nine fields and the priority sectors are those
of Plan 210/KH-UBND. The instrument kinds are a realistic list of Vietnamese group-2 instruments (and a
few common instruments outside group 2 that are calibrated), but their verification procedure codes
(ĐLVN nn:yyyy), verification intervals and MPE rule identifiers were written without access to the
circulars and are *not verified*: check every row against the appendix of Circular 23/2013/TT-BKHCN
as amended by Circulars 07/2019/TT-BKHCN and 03/2024/TT-BKHCN (consolidated text 02/VBHN-BKHCN of
3 July 2024) before relying on it, and correct it in the registry (a new edition is a new row with the
same code and a later ``valid_from``).

Editions. An instrument and a designation scope refer to one kind *row*; to keep that simple, every
kind is loaded once as its current edition, valid from the list's origin (Circular 23/2013, in force
15/11/2013) unless marked otherwise. For a handful of kinds (``superseded`` below) an earlier edition
is loaded as well, valid until the day before Circular 03/2024 took effect, and the current edition
starts that day. These few superseded intervals illustrate the mechanism; they are placeholders
to be checked like the rest. The consolidated text 02/VBHN-BKHCN gives 15/10/2024 as the day
Circular 03/2024/TT-BKHCN took effect (``TT03_2024_EFFECTIVE``); check this too.

Everything here is idempotent: rows are matched on their natural key and updated in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from doluong.core.changelog import change_context
from doluong.geo.services import load_vietnam_maps
from doluong.instruments.models import InstrumentKind, MetrologyField
from doluong.orgs.models import Sector

TT23_2013_EFFECTIVE = dt.date(2013, 11, 15)
TT03_2024_EFFECTIVE = dt.date(2024, 10, 15)
BASIS_LEGACY = "Thông tư 23/2013/TT-BKHCN (sửa đổi bởi TT 07/2019/TT-BKHCN)"
BASIS_CURRENT = "Thông tư 03/2024/TT-BKHCN"
BASIS_CONTINUOUS = "Thông tư 23/2013/TT-BKHCN, sửa đổi bởi TT 07/2019/TT-BKHCN và TT 03/2024/TT-BKHCN"

# code, Vietnamese name (as in the plan), English name; order is the position in this list.
FIELDS: list[tuple[str, str, str]] = [
    ("mass", "Khối lượng", "Mass"),
    ("length", "Độ dài", "Length"),
    ("volume_flow", "Dung tích – lưu lượng", "Volume and flow"),
    ("pressure", "Áp suất", "Pressure"),
    ("temperature", "Nhiệt độ", "Temperature"),
    ("electrical", "Điện – điện từ", "Electrical and electromagnetic"),
    ("physchem", "Hóa lý", "Physico-chemical"),
    ("acoustics", "Âm thanh", "Acoustics"),
    ("optics", "Quang học", "Optics"),
]

# code, name, is_priority (the plan's priority sectors: high-tech industry, electronics, telecoms and
# the digital economy, high-tech agriculture).
SECTORS: list[tuple[str, str, bool]] = [
    ("high_tech", "Công nghiệp công nghệ cao", True),
    ("electronics", "Điện tử", True),
    ("telecom_digital", "Viễn thông và kinh tế số", True),
    ("hitech_agri", "Nông nghiệp công nghệ cao", True),
    ("food", "Chế biến thực phẩm, nông lâm sản", False),
    ("building_materials", "Sản xuất vật liệu xây dựng", False),
    ("mining", "Khai thác, chế biến khoáng sản", False),
    ("fuel_retail", "Kinh doanh xăng dầu", False),
    ("trade", "Thương mại, chợ", False),
    ("healthcare", "Y tế", False),
    ("water", "Cấp nước", False),
    ("electricity", "Điện lực", False),
    ("agri_forestry", "Nông nghiệp, lâm nghiệp", False),
    ("transport", "Giao thông vận tải", False),
    ("other", "Khác", False),
]


@dataclass(frozen=True)
class KindSpec:
    code: str
    name: str
    field: str
    group2: bool = True
    method: str = ""
    interval: int | None = None  # months; None: initial verification only / not verified
    mpe_rule: str = ""
    superseded_interval: int | None = None  # an earlier edition with this interval (placeholder, check)


# fmt: off
KINDS: list[KindSpec] = [
    # --- mass
    KindSpec("can_phan_tich", "Cân phân tích", "mass", True, "ĐLVN 16:2009", 12, "OIML-R76"),
    KindSpec("can_ky_thuat", "Cân kỹ thuật", "mass", True, "ĐLVN 16:2009", 12, "OIML-R76"),
    KindSpec("can_ban", "Cân bàn", "mass", True, "ĐLVN 14:2009", 24, "OIML-R76"),
    KindSpec("can_dia", "Cân đĩa", "mass", True, "ĐLVN 15:2009", 24, "OIML-R76"),
    KindSpec("can_dong_ho_lo_xo", "Cân đồng hồ lò xo", "mass", True, "ĐLVN 30:2019", 24, "OIML-R76"),
    KindSpec("can_treo", "Cân treo móc cẩu", "mass", True, "ĐLVN 31:2017", 24, "OIML-R76"),
    KindSpec("can_o_to", "Cân ô tô", "mass", True, "ĐLVN 13:2009", 12, "OIML-R76"),
    KindSpec("can_bang_tai", "Cân băng tải", "mass", True, "ĐLVN 22:2016", 12, ""),
    KindSpec("qua_can", "Quả cân cấp chính xác M1, M2", "mass", True, "ĐLVN 47:2009", 24, "OIML-R111"),
    # --- length
    KindSpec("taximet", "Taximet", "length", True, "ĐLVN 01:2016", 18, "", superseded_interval=12),
    KindSpec("thuoc_cuon", "Thước cuộn", "length", True, "ĐLVN 46:2009", None, ""),
    KindSpec("toan_dac", "Toàn đạc điện tử", "length", True, "ĐLVN 218:2010", 12, ""),
    KindSpec("do_toc_do_xe", "Phương tiện đo kiểm tra tốc độ phương tiện giao thông", "length", True,
             "ĐLVN 98:2016", 24, ""),
    KindSpec("thuoc_cap", "Thước cặp", "length", False, "", None, ""),
    KindSpec("panme", "Panme đo ngoài", "length", False, "", None, ""),
    # --- volume and flow
    KindSpec("cot_do_nhien_lieu", "Cột đo nhiên liệu", "volume_flow", True, "ĐLVN 10:2017", 12,
             "OIML-R117:2007"),
    KindSpec("dong_ho_nuoc_lanh", "Đồng hồ nước lạnh", "volume_flow", True, "ĐLVN 17:2017", 60,
             "OIML-R49:2013"),
    KindSpec("xitec_o_to", "Xitéc ô tô", "volume_flow", True, "ĐLVN 05:2011", 24, ""),
    KindSpec("be_tru_dung", "Bể trụ đứng", "volume_flow", True, "ĐLVN 155:2005", 60, ""),
    KindSpec("dong_ho_xang_dau", "Đồng hồ đo xăng dầu", "volume_flow", True, "ĐLVN 24:2017", 12, "",
             superseded_interval=24),
    # --- pressure
    KindSpec("ap_ke_lo_xo", "Áp kế kiểu lò xo (đồng hồ đo áp suất)", "pressure", True, "ĐLVN 08:2011", 12, ""),
    KindSpec("huyet_ap_ke", "Huyết áp kế", "pressure", True, "ĐLVN 09:2011", 12, ""),
    KindSpec("ap_ke_lop", "Áp kế đo áp suất lốp xe", "pressure", True, "ĐLVN 12:2011", 12, ""),
    # --- temperature
    KindSpec("nhiet_ke_y_hoc", "Nhiệt kế y học thủy tinh – thủy ngân có cơ cấu cực đại", "temperature", True,
             "ĐLVN 20:2017", None, ""),
    KindSpec("nhiet_ke_y_hoc_dien_tu", "Nhiệt kế y học điện tử tiếp xúc", "temperature", True,
             "ĐLVN 155:2017", None, ""),
    KindSpec("nhiet_ke_hien_so", "Nhiệt kế chỉ thị hiện số", "temperature", False, "", None, ""),
    KindSpec("tu_nhiet", "Tủ sấy, tủ ấm, lò nung (phương tiện đo nhiệt độ)", "temperature", False, "", None, ""),
    # --- electrical
    KindSpec("cong_to_cu_1p", "Công tơ điện xoay chiều kiểu cảm ứng 1 pha", "electrical", True,
             "ĐLVN 07:2012", 60, ""),
    KindSpec("cong_to_cu_3p", "Công tơ điện xoay chiều kiểu cảm ứng 3 pha", "electrical", True,
             "ĐLVN 07:2012", 24, ""),
    KindSpec("cong_to_dt_1p", "Công tơ điện xoay chiều kiểu điện tử 1 pha", "electrical", True,
             "ĐLVN 39:2012", 60, ""),
    KindSpec("cong_to_dt_3p", "Công tơ điện xoay chiều kiểu điện tử 3 pha", "electrical", True,
             "ĐLVN 39:2012", 24, "", superseded_interval=36),
    KindSpec("bien_dong", "Biến dòng đo lường", "electrical", True, "ĐLVN 18:2017", 60, ""),
    KindSpec("bien_ap", "Biến áp đo lường", "electrical", True, "ĐLVN 19:2017", 60, ""),
    KindSpec("dien_tim", "Phương tiện đo điện tim", "electrical", True, "ĐLVN 43:2009", 24, ""),
    KindSpec("dien_nao", "Phương tiện đo điện não", "electrical", True, "ĐLVN 44:2009", 24, ""),
    KindSpec("dien_tro_tiep_dat", "Phương tiện đo điện trở tiếp đất", "electrical", True,
             "ĐLVN 23:2016", 12, ""),
    KindSpec("dien_tro_cach_dien", "Phương tiện đo điện trở cách điện", "electrical", True,
             "ĐLVN 24:2016", 12, ""),
    KindSpec("dong_ho_van_nang", "Đồng hồ vạn năng", "electrical", False, "", None, ""),
    # --- physico-chemical
    KindSpec("nong_do_con", "Phương tiện đo nồng độ cồn trong hơi thở", "physchem", True,
             "ĐLVN 107:2016", 12, ""),
    KindSpec("do_am_hat", "Phương tiện đo độ ẩm hạt", "physchem", True, "ĐLVN 53:2017", 12, ""),
    KindSpec("khi_thai", "Phương tiện đo khí thải xe cơ giới", "physchem", True, "ĐLVN 10:2011", 12, ""),
    KindSpec("may_do_ph", "Máy đo pH", "physchem", False, "", None, ""),
    # --- acoustics
    KindSpec("am_ke", "Phương tiện đo âm thanh (âm kế)", "acoustics", True, "ĐLVN 143:2004", 12, ""),
    KindSpec("thinh_luc", "Máy đo thính lực", "acoustics", True, "ĐLVN 162:2005", 12, ""),
    # --- optics
    KindSpec("tieu_cu_kinh_mat", "Phương tiện đo tiêu cự kính mắt", "optics", True, "ĐLVN 66:2010", 12, ""),
    KindSpec("khuc_xa_mat", "Máy đo khúc xạ mắt", "optics", True, "ĐLVN 188:2008", 12, ""),
    KindSpec("do_roi", "Phương tiện đo độ rọi (lux kế)", "optics", False, "", None, ""),
    KindSpec("quang_pho_uv_vis", "Máy quang phổ tử ngoại – khả kiến", "optics", False, "", None, ""),
]
# fmt: on

KIND_BY_CODE = {k.code: k for k in KINDS}


def _kind_rows(spec: KindSpec) -> list[dict]:
    """The edition rows of one kind: (valid_from, defaults)."""
    common = {"name": spec.name, "is_group2": spec.group2, "verification_method": spec.method,
              "mpe_rule": spec.mpe_rule}
    if not spec.group2:
        return [{"valid_from": dt.date(2000, 1, 1),
                 "defaults": {**common, "verification_interval_months": None, "legal_basis": "",
                              "valid_to": None}}]
    if spec.superseded_interval is None:
        return [{"valid_from": TT23_2013_EFFECTIVE,
                 "defaults": {**common, "verification_interval_months": spec.interval,
                              "legal_basis": BASIS_CONTINUOUS, "valid_to": None}}]
    return [
        {"valid_from": TT23_2013_EFFECTIVE,
         "defaults": {**common, "verification_interval_months": spec.superseded_interval,
                      "legal_basis": BASIS_LEGACY, "valid_to": TT03_2024_EFFECTIVE - dt.timedelta(days=1)}},
        {"valid_from": TT03_2024_EFFECTIVE,
         "defaults": {**common, "verification_interval_months": spec.interval,
                      "legal_basis": BASIS_CURRENT, "valid_to": None}},
    ]


def current_kinds() -> dict[str, InstrumentKind]:
    """Kind code → the row of its latest edition."""
    out: dict[str, InstrumentKind] = {}
    for kind in InstrumentKind.objects.select_related("field").order_by("code", "valid_from"):
        out[kind.code] = kind
    return out


def reference_loaded() -> bool:
    have = set(InstrumentKind.objects.values_list("code", flat=True))
    return MetrologyField.objects.count() >= len(FIELDS) and all(k.code in have for k in KINDS)


@transaction.atomic
def load_reference(*, maps: bool = True) -> dict[str, int]:
    """Load (or update) maps, fields, sectors, instrument kinds, Plan 210 and its targets; returns counts."""
    counts: dict[str, int] = {}
    if maps:
        counts.update(load_vietnam_maps())
    with change_context(enabled=False):
        fields = {}
        for order, (code, name, name_en) in enumerate(FIELDS, start=1):
            fields[code], _ = MetrologyField.objects.update_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "order": order})
        for code, name, priority in SECTORS:
            Sector.objects.update_or_create(code=code, defaults={"name": name, "is_priority": priority})
        n = 0
        for spec in KINDS:
            for row in _kind_rows(spec):
                InstrumentKind.objects.update_or_create(
                    code=spec.code, valid_from=row["valid_from"],
                    defaults={**row["defaults"], "field": fields[spec.field]})
                n += 1
    counts.update({"fields": len(fields), "sectors": len(SECTORS), "kind_editions": n})
    from doluong.indicators.services import load_plan_210_targets
    from doluong.inspections.seed import load_violation_types

    counts["violation_types"] = sum(load_violation_types().values())

    counts["plan_210_targets"] = len(load_plan_210_targets())
    return counts
