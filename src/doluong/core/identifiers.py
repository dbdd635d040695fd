"""Vietnamese identifiers."""

import re

from django.utils.translation import gettext_noop

_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_RE = re.compile(r"^(\d{10})(?:-(\d{3}))?$|^(\d{12})$")


def tax_code_problem(value: str) -> str | None:
    """Why ``value`` is not a valid Vietnamese tax code (mã số thuế), or None when it is.

    The reason is an English message marked for translation; show it with ``gettext``.

    Accepted: an enterprise code of 10 digits whose tenth digit is the check digit
    (10 − Σ wᵢ·dᵢ mod 11 with weights 31, 29, 23, 19, 17, 13, 7, 5, 3; a remainder giving 10 is
    never issued), optionally followed by ``-NNN`` for a branch; or a 12-digit personal
    identification number, used as the tax code of individuals and household businesses since
    1 July 2025 (Circular 86/2024/TT-BTC).
    """
    m = _TAX_RE.match(value or "")
    if not m:
        return gettext_noop("must be 10 digits, 10 digits-3 digits for a branch, or a 12-digit personal ID")
    ten = m.group(1)
    if ten is None:
        return None
    total = sum(int(d) * w for d, w in zip(ten[:9], _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    if check == 10 or check != int(ten[9]):
        return gettext_noop("check digit does not match")
    return None


def normalize_tax_code(value: str) -> str:
    return re.sub(r"[\s.]", "", value or "")
