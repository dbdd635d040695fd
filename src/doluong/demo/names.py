"""Vietnamese names, addresses and identifiers for demo data (all invented)."""

from __future__ import annotations

import random
import unicodedata

from doluong.core.identifiers import tax_code_problem

SURNAMES = [
    ("Nguyễn", 30), ("Trần", 9), ("Lê", 8), ("Phạm", 6), ("Hoàng", 6), ("Vũ", 4), ("Đỗ", 3), ("Bùi", 3),
    ("Đặng", 3), ("Ngô", 2), ("Hà", 4), ("Lò", 2), ("Lường", 1), ("Cầm", 1), ("Giàng", 2), ("Sùng", 1),
    ("Thào", 1), ("Vàng", 1), ("Triệu", 1), ("Bàn", 1), ("Nông", 1), ("Đinh", 2), ("Lý", 1), ("Phùng", 1),
    ("Đào", 2), ("Dương", 2), ("Lương", 1), ("Tạ", 1), ("Mai", 1), ("Trịnh", 1),
]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Ngọc", "Xuân", "Mạnh", "Trung", "Công", "A"]
MIDDLE_F = ["Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Kim"]
GIVEN_M = ["Anh", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Nam", "Phong",
           "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Lâm", "Hiếu", "Toàn", "Sinh",
           "Páo", "Chứ", "Chinh", "Tiến", "Kiên", "Lợi"]
GIVEN_F = ["An", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền", "Lan", "Liên",
           "Linh", "Loan", "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang",
           "Tuyết", "Vân", "Yến", "Mỷ", "Xuân"]
POSITIONS = ["Giám đốc", "Phó Giám đốc", "Kế toán trưởng", "Trưởng phòng Kỹ thuật",
             "Cán bộ phụ trách đo lường", "Trưởng phòng Hành chính", "Quản đốc phân xưởng", "Chủ nhiệm HTX"]

BRANDS = [
    "An Phát", "Thành Công", "Hưng Thịnh", "Phú Thịnh", "Minh Phát", "Hoàng Long", "Việt Hưng", "Tân Phát",
    "Đại Phát", "Hòa Bình", "Sông Hồng", "Thác Bà", "Tây Bắc", "Hoàng Liên", "Mường Lò", "Nghĩa Lộ",
    "Lục Yên", "Văn Yên", "Trấn Yên", "Yên Bình", "Suối Giàng", "Tú Lệ", "Khánh Hòa", "Phúc Lộc", "Hồng Hà",
    "Thịnh Vượng", "Trường Sơn", "Bảo Ngọc", "Ngọc Lan", "Hải Đăng", "Quang Minh", "Thái Bình", "Đông Á",
    "Nam Việt", "Bắc Hà", "Sa Pa", "Phan Xi Păng", "Kim Thành", "Hợp Thành", "Tiến Đạt", "Trường Thịnh",
    "Hưng Phát", "Đức Thành", "Thanh Bình", "Vạn Xuân", "Tâm Đức", "Đồng Tâm", "Hùng Vương", "Toàn Thắng",
    "Gia Bảo", "Hoa Sen", "Phú Gia", "Minh Tâm", "Hoàng Gia", "Nam Cường", "Âu Lâu", "Cửa Nam", "Đại Dương",
    "Mai Linh", "An Bình", "Việt Tiến", "Hà Thành", "Hồng Phúc", "Phúc Thành", "Thành Đạt", "Vĩnh Phát",
    "Ngọc Sơn", "Lâm Phát", "Mỹ Hưng", "Bảo Long",
]
FOREIGN_BRANDS = ["Daeyang", "Kyoshin", "Sunrise Stone", "Asia Quartz", "Greentech", "Shinwoo", "Hanmi",
                  "Everbright", "Jinsung", "Pacific Mineral", "Tohoku", "Kanto", "Meiwa", "Sino-Viet", "Lucky Star"]

# Business line in a company name, by sector code.
SECTOR_WORDS = {
    "high_tech": ["Công nghệ cao", "Vật liệu mới", "Công nghệ"],
    "electronics": ["Điện tử", "Linh kiện điện tử", "Thiết bị điện"],
    "telecom_digital": ["Viễn thông", "Công nghệ thông tin", "Giải pháp số"],
    "hitech_agri": ["Nông nghiệp công nghệ cao", "Chè sạch", "Giống cây trồng"],
    "food": ["Chế biến nông sản", "Thực phẩm", "Chè", "Chế biến gỗ", "Tinh bột sắn", "Quế"],
    "building_materials": ["Vật liệu xây dựng", "Xi măng", "Gạch tuynel", "Bê tông", "Đá xây dựng"],
    "mining": ["Khoáng sản", "Đá vôi trắng", "Đá quý", "Fenspat", "Khai thác đá", "Bột đá"],
    "fuel_retail": ["Xăng dầu", "Thương mại xăng dầu", "Dầu khí"],
    "trade": ["Thương mại", "Thương mại và Dịch vụ", "Kinh doanh tổng hợp", "Vàng bạc"],
    "healthcare": ["Dược phẩm", "Thiết bị y tế", "Y tế"],
    "water": ["Cấp nước", "Nước sạch", "Môi trường đô thị"],
    "electricity": ["Thủy điện", "Năng lượng", "Xây lắp điện"],
    "agri_forestry": ["Lâm nghiệp", "Nông lâm nghiệp", "Chăn nuôi", "Nông nghiệp"],
    "transport": ["Vận tải", "Vận tải hành khách", "Taxi", "Vận tải và Du lịch"],
    "other": ["Đầu tư và Xây dựng", "Xây dựng", "Dịch vụ", "Tư vấn và Xây dựng"],
}

STREETS = ["Điện Biên", "Nguyễn Thái Học", "Đinh Tiên Hoàng", "Trần Hưng Đạo", "Hoàng Liên", "Yên Ninh",
           "Lê Lợi", "Nguyễn Tất Thành", "Thành Công", "Hòa Bình", "Kim Đồng", "Quang Trung", "Trần Phú",
           "Hoàng Hoa Thám", "Lý Thường Kiệt", "Ngô Quyền", "Phạm Văn Đồng", "Âu Cơ", "Lạc Long Quân",
           "Nguyễn Huệ", "Hồng Hà", "Trần Quốc Toản", "Lý Đạo Thành", "Hoàng Văn Thụ", "Võ Nguyên Giáp"]
HAMLETS = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn 4", "Thôn 5", "Thôn 6", "Thôn Đồng Tâm", "Thôn Làng Mới",
           "Thôn Khe Cam", "Thôn Bản Ngoa", "Thôn Đồng Bằng", "Thôn Yên Thịnh", "Bản Mường", "Bản Lìm",
           "Thôn Trung Tâm", "Thôn Hồng Phong", "Thôn Phai Làng", "Tổ dân phố 3", "Tổ dân phố 7"]


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def person_name(rng: random.Random) -> str:
    surname = pick(rng, SURNAMES)
    if rng.random() < 0.55:
        return f"{surname} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{surname} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def phone(rng: random.Random) -> str:
    prefix = rng.choice(["091", "094", "098", "097", "096", "086", "088", "083", "035", "0216", "0214"])
    if prefix.startswith("02"):
        return f"{prefix} {rng.randint(3000000, 3999999)}"
    return f"{prefix}{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


def street_address(rng: random.Random, unit_name: str, urban: bool) -> str:
    if urban:
        return f"Số {rng.randint(1, 450)}, đường {rng.choice(STREETS)}, {unit_name}, tỉnh Lào Cai"
    return f"{rng.choice(HAMLETS)}, {unit_name}, tỉnh Lào Cai"


_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code(rng: random.Random, prefix: str, taken: set[str]) -> str:
    """A valid, unused 10-digit enterprise tax code starting with ``prefix``."""
    while True:
        base = prefix + "".join(str(rng.randint(0, 9)) for _ in range(9 - len(prefix)))
        check = 10 - sum(int(d) * w for d, w in zip(base, _WEIGHTS, strict=True)) % 11
        if check == 10:
            continue
        code = base + str(check)
        if code not in taken:
            assert tax_code_problem(code) is None, code
            taken.add(code)
            return code
