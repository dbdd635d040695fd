"""Pure helpers of core: identifiers, dates, text folding."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from doluong.core.dates import add_months, valid_until
from doluong.core.identifiers import tax_code_problem
from doluong.core.text import fold, search_terms
from tests.factories import valid_tax_code


@pytest.mark.parametrize("code", ["0300588569", "0101248141", "0300588569-001", "001203012345"])
def test_valid_tax_codes(code):
    assert tax_code_problem(code) is None


@pytest.mark.parametrize("code,why", [
    ("0300588568", "check digit"),
    ("030058856", "digits"),
    ("03005885690", "digits"),
    ("0300588569-01", "digits"),
    ("abc", "digits"),
    ("", "digits"),
])
def test_invalid_tax_codes(code, why):
    assert why in tax_code_problem(code)


@given(st.integers(min_value=0, max_value=10**6))
def test_generated_tax_codes_are_valid_and_one_digit_change_is_caught(n):
    code = valid_tax_code(n)
    assert tax_code_problem(code) is None
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    assert tax_code_problem(wrong) is not None


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 14) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2024, 3, 5), -3) == dt.date(2023, 12, 5)


def test_valid_until_is_day_before_anniversary():
    assert valid_until(dt.date(2024, 3, 5), 12) == dt.date(2025, 3, 4)
    assert valid_until(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 27)


def test_fold_removes_vietnamese_accents():
    assert fold("Yên Bái") == "yen bai"
    assert fold("  Đồng hồ   NƯỚC ") == "dong ho nuoc"
    assert search_terms("Lào  Cai") == ["lao", "cai"]
    assert fold(None) == ""
