"""The metrology engine as the web sees it: ``doluong.metrology.calc.run`` with errors a person can act on.

Every number the interface shows comes from :func:`compute`, which calls
``doluong.metrology.calc.run(kind, payload)`` — the same function as ``doluong calc`` — and never
redoes any arithmetic. An engine error (``"<field>: <reason>"``) becomes a :class:`CalcFailure` that
knows its field path, so forms can show it next to the right input, worded in Vietnamese first.
"""

import re

from django.utils.translation import get_language

from doluong.core.numbers import NumberProblem, parse_decimal
from doluong.metrology import InputError
from doluong.metrology.calc import run

# Vietnamese wording of the engine's common reasons (the English detail follows it).
_REASONS_VI = [
    (r"is required", "bắt buộc phải nhập"),
    (r"expected a number", "phải là một số"),
    (r"must be a finite number", "phải là một số hữu hạn"),
    (r"degrees of freedom must be positive", "bậc tự do phải dương (hoặc \"inf\")"),
    (r"must be positive", "phải là số dương"),
    (r"must be non-negative", "không được âm"),
    (r"must be a probability", "xác suất phải nằm giữa 0 và 1 (ví dụ 0,95)"),
    (r"needs at least", "chưa đủ số giá trị"),
    (r"expected a list", "phải là một danh sách số"),
    (r"expected a whole number", "phải là số nguyên"),
    (r"is not allowed|not allowed", "biểu thức có thành phần không được phép"),
    (r"unknown name|is not defined|undefined name|unknown input", "tên đại lượng không có trong danh sách"),
    (r"division by zero", "phép chia cho 0"),
    (r"above the highest band|below the lowest band", "nằm ngoài phạm vi của quy tắc"),
    (r"not a nominal value", "không phải giá trị danh định có trong bảng"),
    (r"has classes|has no class", "cấp chính xác không có trong quy tắc"),
    (r"needs the verification scale interval|multiples of e", "cần giá trị độ chia kiểm định e"),
    (r"give at least one tolerance limit", "cần ít nhất một giới hạn dung sai"),
    (r"is above upper limit", "giới hạn dưới lớn hơn giới hạn trên"),
    (r"must be one of|must be 'gum'", "giá trị không thuộc các lựa chọn cho phép"),
    (r"same dof|same degrees", "các đại lượng tương quan phải có cùng bậc tự do"),
    (r"not positive semi-definite", "ma trận tương quan không hợp lệ"),
    (r"unknown key", "có khóa không được hỗ trợ"),
    (r"equal length|same length", "hai dãy phải có cùng số phần tử"),
    (r"unknown unit|not a (mass|volume)|unit", "đơn vị đo không hợp lệ"),
]


class CalcFailure(Exception):
    """An input the engine refused: ``path`` (e.g. ``inputs.ls.dof``), ``field`` (its first part)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail
        path, sep, reason = detail.partition(": ")
        if not sep or " " in path:
            path, reason = "", detail
        self.path = path
        self.reason = reason
        self.field = re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""
        index = re.match(r"^\w+\[(\d+)\]", path)
        self.index = int(index.group(1)) if index else None
        # "points[0]: class: ..." -> inner field "class"
        inner = re.match(r"^([\w/]+): ", reason)
        self.inner = inner.group(1) if inner else ""
        # "inputs.NAME.x" -> NAME
        parts = path.split(".")
        self.key = parts[1] if len(parts) > 1 else None

    @property
    def message(self) -> str:
        return explain(self.detail)


def explain(detail: str) -> str:
    """The engine's message, led by a Vietnamese explanation unless the page is in English."""
    if (get_language() or "vi").startswith("en"):
        return detail
    for pattern, vi in _REASONS_VI:
        if re.search(pattern, detail):
            return f"{vi[0].upper()}{vi[1:]} — {detail}"
    return f"Dữ liệu không hợp lệ — {detail}"


def compute(kind: str, payload: dict) -> dict:
    """``calc.run(kind, payload)``; an input error is raised as :class:`CalcFailure`."""
    try:
        return run(kind, payload)
    except InputError as exc:
        raise CalcFailure(str(exc)) from None


def number(text):
    """A measured value typed by a person (``0,015``, ``0.015``, ``10.006``, ``1.234,5``), read by the project's
    one rule for measurements (:func:`doluong.core.numbers.parse_decimal` with ``measurement=True``); the text
    itself when it is not a number, so that the engine names the field it rejects."""
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return text
    s = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if s == "":
        return None
    if s.lower() in ("inf", "∞"):
        return "inf"
    if re.fullmatch(r"[-+]?\d+", s):
        return int(s)
    try:
        value = parse_decimal(s, measurement=True)
    except NumberProblem:
        return str(text).strip()
    if not value.is_finite():
        return str(text).strip()
    return float(value)


def number_list(text) -> list:
    """Numbers separated by spaces, new lines, semicolons or ", " (decimal point or comma)."""
    if text is None:
        return []
    if isinstance(text, (list, tuple)):
        return [number(x) for x in text]
    tokens = []
    for token in re.split(r"[\s;]+|,\s+", str(text).strip()):
        tokens.extend(token.split(",") if token.count(",") > 1 else [token])
    return [number(t) for t in tokens if t.strip(", ")]
