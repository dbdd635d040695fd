"""Plan 210/KH-UBND of the Yên Bái People's Committee (9 August 2019), as data.

Source: the plan's text and appendix (``shared/reference/plan-210-KH-UBND-yen-bai-2019.md``) and its
structured restatement (``plan-210-structured.md``). Task titles are the appendix's wording, shortened
only where a row lists several activities; the full wording is in ``description``. Nothing here is
invented: every number is the plan's.

``TARGETS`` (sections II.1.đ and II.1.e) are loaded by the indicators app, not by this app; they
live here so that one module holds the whole plan.
"""

import datetime as dt

LEAD_AGENCY_NAME = "Sở Khoa học và Công nghệ tỉnh Yên Bái"
LEAD_AGENCY_SHORT_NAME = "Sở KH&CN Yên Bái"

# Yên Bái on the map before 1 July 2025 (three levels); code 15 is Lào Cai on today's map.
PROVINCE_EDITION = "VN-3L"
PROVINCE_CODE = "15"

PROJECT_NAME = ("Tăng cường, đổi mới hoạt động đo lường hỗ trợ doanh nghiệp Việt Nam nâng cao năng lực cạnh "
                "tranh và hội nhập quốc tế giai đoạn đến năm 2025, định hướng đến năm 2030")

PLAN = {
    "number": "210/KH-UBND",
    "issued_on": dt.date(2019, 8, 9),
    "title": f"Kế hoạch triển khai Đề án “{PROJECT_NAME}” trên địa bàn tỉnh Yên Bái",
    "issuer_name": "Ủy ban nhân dân tỉnh Yên Bái",
    "signed_by": "Nguyễn Văn Khánh, Phó Chủ tịch UBND tỉnh (K.T. Chủ tịch)",
    "legal_basis": "Quyết định số 996/QĐ-TTg ngày 10/8/2018 của Thủ tướng Chính phủ",
    "start_year": 2019,
    "end_year": 2030,
    "summary": (
        "Mục đích: tăng cường phối hợp giữa các cấp, các ngành trong đổi mới hoạt động đo lường hỗ trợ doanh "
        "nghiệp; nâng cao nhận thức của doanh nghiệp; phát triển hạ tầng đo lường của tỉnh; đẩy mạnh xã hội "
        "hóa, huy động các nguồn lực cho hoạt động đo lường. Giai đoạn 1: 2019–2025; giai đoạn 2: 2026–2030. "
        "Kinh phí: ngân sách nhà nước (chi thường xuyên sự nghiệp KH&CN, chi đầu tư phát triển), đóng góp của "
        "doanh nghiệp và các nguồn hợp pháp khác. Sở Khoa học và Công nghệ chủ trì, xây dựng kế hoạch hằng "
        "năm và báo cáo UBND tỉnh hằng năm."
    ),
    "is_active": True,
}

# number, start year, end year (section III.2)
PHASES = [
    (1, 2019, 2025),
    (2, 2026, 2030),
]

_QLNN = "Các cơ quan QLNN, tổ chức, cá nhân"
_PROVIDERS = "Các tổ chức cung cấp dịch vụ về đo lường"

# The appendix, row by row. timeframe: yearly ("Hàng năm"), by_2025 ("Đến năm 2025"), by_2030
# ("Đến năm 2030"); solution_group: the letter of section III.1 the row implements ("dd" is đ).
TASKS = [
    {
        "code": "I.1", "solution_group": "e", "timeframe": "yearly", "due_year": None,
        "title": "Tuyên truyền, phổ biến pháp luật về đo lường và nội dung của kế hoạch; lồng ghép thông tin, "
                 "tuyên truyền về Đề án",
        "description": "Tuyên truyền, phổ biến trên các phương tiện thông tin đại chúng các quy định của pháp luật "
                       "về đo lường và các nội dung liên quan của kế hoạch. Tổ chức lồng ghép các hoạt động thông "
                       "tin, tuyên truyền về nội dung của Đề án cho các cơ quan, tổ chức, cá nhân có liên quan.",
        "coordinating": _QLNN,
    },
    {
        "code": "I.2", "solution_group": "e", "timeframe": "yearly", "due_year": None,
        "title": "Tổ chức hội nghị, hội thảo về đo lường",
        "description": "Tổ chức hội nghị, hội thảo về đo lường.",
        "coordinating": _QLNN,
    },
    {
        "code": "II.1", "solution_group": "a", "timeframe": "yearly", "due_year": None,
        "title": "Định kỳ rà soát văn bản quy phạm pháp luật, xây dựng cơ chế chính sách hỗ trợ doanh nghiệp, "
                 "phê duyệt nhiệm vụ KH&CN cấp tỉnh về đo lường",
        "description": "Áp dụng cơ chế, chính sách tạo thuận lợi hoạt động đo lường hỗ trợ doanh nghiệp: định kỳ rà "
                       "soát các văn bản quy phạm pháp luật, xây dựng cơ chế chính sách hỗ trợ doanh nghiệp và phê "
                       "duyệt các nhiệm vụ khoa học và công nghệ cấp tỉnh về đo lường.",
        "coordinating": _QLNN,
    },
    {
        "code": "II.2.a", "solution_group": "b", "timeframe": "by_2030", "due_year": 2030,
        "title": "Phát triển ít nhất 20 chuẩn đo lường, phương tiện đo các loại đáp ứng nhu cầu đảm bảo đo lường "
                 "chính xác cho doanh nghiệp",
        "description": "Phát triển được ít nhất 20 chuẩn đo lường, phương tiện đo các loại đáp ứng nhu cầu đảm bảo "
                       "đo lường chính xác cho doanh nghiệp. Trong đó: (i) Giai đoạn đến 2025: 10 chuẩn đo lường, "
                       "phương tiện đo các loại; (ii) Giai đoạn từ 2025 - 2030: 10 chất chuẩn, chuẩn đo lường, "
                       "phương tiện đo các loại.",
        "coordinating": "Các cơ quan QLNN, tổ chức cung cấp dịch vụ về đo lường",
    },
    {
        "code": "II.2.b", "solution_group": "b", "timeframe": "by_2025", "due_year": 2025,
        "title": "Nâng cao năng lực, hoạt động của ít nhất 01 tổ chức kinh doanh dịch vụ kiểm định, hiệu chuẩn, "
                 "thử nghiệm phương tiện đo, chuẩn đo lường",
        "description": "Thực hiện nâng cao năng lực, hoạt động của ít nhất 01 tổ chức kinh doanh dịch vụ kiểm định, "
                       "hiệu chuẩn, thử nghiệm phương tiện đo, chuẩn đo lường (được chứng nhận hệ thống quản lý phù "
                       "hợp với Tiêu chuẩn quốc gia TCVN ISO/IEC 17025; TCVN ISO 9001:2015; ...).",
        "coordinating": _PROVIDERS,
    },
    {
        "code": "II.2.c", "solution_group": "b", "timeframe": "by_2030", "due_year": 2030,
        "title": "Bồi dưỡng, nâng cao chuyên môn nghiệp vụ về đo lường cho công chức và cán bộ doanh nghiệp; "
                 "đào tạo theo nhu cầu của doanh nghiệp",
        "description": "Đào tạo, tập huấn, bồi dưỡng nâng cao chuyên môn, nghiệp vụ về đo lường cho công chức của "
                       "các sở, ban, ngành, UBND thành phố, huyện và UBND xã, phường; và cho các cán bộ tham gia "
                       "hoạt động đo lường của doanh nghiệp. Đào tạo theo nhu cầu của doanh nghiệp.",
        "coordinating": "Các sở, ngành, UBND huyện, thị xã, thành phố; UBND xã, phường, thị trấn; các doanh nghiệp "
                        "và các tổ chức cung cấp dịch vụ về đo lường",
    },
    {
        "code": "II.2.d", "solution_group": "b", "timeframe": "by_2030", "due_year": 2030,
        "title": "Triển khai áp dụng bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường đối với phòng thí "
                 "nghiệm được công nhận trên địa bàn tỉnh",
        "description": "Triển khai áp dụng bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường đối với phòng thí "
                       "nghiệm được công nhận trên địa bàn tỉnh cho các lĩnh vực đo lường để tăng cường hiệu quả, "
                       "hiệu lực công tác quản lý nhà nước về đo lường; thực hiện chuẩn hóa năng lực, hoạt động của "
                       "các tổ chức kinh doanh dịch vụ kiểm định, hiệu chuẩn, thử nghiệm phương tiện đo, chuẩn đo "
                       "lường. Trong đó: (i) Giai đoạn đến 2025: 01 phòng thí nghiệm được công nhận; (ii) Giai đoạn "
                       "từ 2025 - 2030: 02 phòng thí nghiệm được công nhận.",
        "coordinating": "Phòng thí nghiệm được công nhận trên địa bàn tỉnh cho các lĩnh vực đo lường",
    },
    {
        "code": "II.3.a", "solution_group": "c", "timeframe": "by_2025", "due_year": 2025,
        "title": "Đầu tư trang thiết bị phục vụ công tác thanh tra, kiểm tra nhà nước về đo lường",
        "description": "Đầu tư trang thiết bị phục vụ công tác thanh tra, kiểm tra nhà nước về đo lường.",
        "coordinating": "Sở Tài chính, Sở Kế hoạch và Đầu tư",
    },
    {
        "code": "II.3.b", "solution_group": "c", "timeframe": "yearly", "due_year": None,
        "title": "Tăng cường phối hợp giữa các cơ quan trong và ngoài tỉnh, doanh nghiệp về quản lý hoạt động "
                 "đo lường",
        "description": "Tăng cường công tác phối hợp giữa các cơ quan trong và ngoài tỉnh, doanh nghiệp về công tác "
                       "quản lý hoạt động đo lường.",
        "coordinating": "Các ngành liên quan",
    },
    {
        "code": "II.3.c", "solution_group": "c", "timeframe": "yearly", "due_year": None,
        "title": "Triển khai, áp dụng Bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường",
        "description": "Triển khai, áp dụng Bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường.",
        "coordinating": "Các tổ chức cung cấp dịch vụ, kiểm định, hiệu chuẩn, thử nghiệm phương tiện đo",
    },
    {
        "code": "II.4.a", "solution_group": "d", "timeframe": "yearly", "due_year": None,
        "title": "Khảo sát, đánh giá và lựa chọn doanh nghiệp triển khai áp dụng Chương trình đảm bảo đo lường",
        "description": "Khảo sát, đánh giá và lựa chọn doanh nghiệp triển khai áp dụng Chương trình đảm bảo đo "
                       "lường.",
        "coordinating": "Doanh nghiệp",
    },
    {
        "code": "II.4.b", "solution_group": "d", "timeframe": "yearly", "due_year": None,
        "title": "Hỗ trợ các tổ chức cung cấp dịch vụ kiểm định, hiệu chuẩn, thử nghiệm trên địa bàn tỉnh đáp "
                 "ứng Bộ tiêu chí quốc gia",
        "description": "Hỗ trợ các tổ chức cung cấp dịch vụ kiểm định, hiệu chuẩn, thử nghiệm trên địa bàn tỉnh đáp "
                       "ứng Bộ tiêu chí quốc gia đánh giá các lĩnh vực đo lường.",
        "coordinating": _PROVIDERS,
    },
    {
        "code": "II.5", "solution_group": "dd", "timeframe": "yearly", "due_year": None,
        "title": "Hợp tác quốc tế trong công tác nghiên cứu, đào tạo, chuyển giao công nghệ về đo lường",
        "description": "Tăng cường hợp tác quốc tế: hợp tác quốc tế trong công tác nghiên cứu, đào tạo, chuyển giao "
                       "công nghệ về đo lường.",
        "coordinating": "Các đơn vị liên quan",
    },
]

# The plan's five targets (section II.1.đ and II.1.e; appendix II.2). Codes are ours. by_2030 None:
# the plan sets no 2030 figure. Loaded by the indicators app.
TARGETS = [
    {
        "code": "T1",
        "label_vi": "Số loại chuẩn đo lường, phương tiện đo được hỗ trợ và khuyến khích xã hội hóa",
        "unit": "loại",
        "by_2025": 10,
        "by_2030": 20,
        "conditions": "Theo các lĩnh vực: khối lượng; độ dài; dung tích – lưu lượng; áp suất; nhiệt độ; điện – "
                      "điện từ; hóa lý; âm thanh; quang học. Phụ lục II.2.a: thêm 10 chất chuẩn, chuẩn đo lường, "
                      "phương tiện đo trong giai đoạn 2025–2030.",
    },
    {
        "code": "T2",
        "label_vi": "Số phòng thí nghiệm được công nhận trên địa bàn tỉnh áp dụng bộ tiêu chí quốc gia đánh giá "
                    "các lĩnh vực đo lường",
        "unit": "phòng thí nghiệm",
        "by_2025": 1,
        "by_2030": 2,
        "conditions": "",
    },
    {
        "code": "T3",
        "label_vi": "Chương trình đảm bảo đo lường triển khai qua kiểm định, hiệu chuẩn, thử nghiệm phương tiện đo",
        "unit": "lượt doanh nghiệp",
        "by_2025": 10,
        "by_2030": 20,
        "conditions": "Bao gồm doanh nghiệp có vốn nhà nước và doanh nghiệp khu vực kinh tế tư nhân.",
    },
    {
        "code": "T4",
        "label_vi": "Bồi dưỡng, nâng cao chuyên môn nghiệp vụ về đo lường",
        "unit": "lượt người",
        "by_2025": 100,
        "by_2030": 150,
        "conditions": "Công chức các sở, ban, ngành, UBND huyện và xã; cán bộ doanh nghiệp; đào tạo theo nhu cầu "
                      "của doanh nghiệp.",
    },
    {
        "code": "T5",
        "label_vi": "Số tổ chức kinh doanh dịch vụ kiểm định, hiệu chuẩn, thử nghiệm được nâng cao năng lực",
        "unit": "tổ chức",
        "by_2025": 1,
        "by_2030": None,
        "conditions": "Được chứng nhận hệ thống quản lý phù hợp TCVN ISO/IEC 17025, TCVN ISO 9001:2015, … "
                      "(phụ lục II.2.b).",
    },
]
