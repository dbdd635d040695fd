"""Text normalisation for accent-insensitive search ("yen bai" finds "Yên Bái")."""

import re

from unidecode import unidecode

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case ASCII form of ``text``: accents removed, đ → d, runs of spaces folded."""
    if not text:
        return ""
    text = str(text)
    if text.isascii():  # the common case in imports (codes, numbers): no transliteration needed
        return " ".join(text.lower().split())
    return _SPACES.sub(" ", unidecode(text).lower()).strip()


def search_terms(query: str | None) -> list[str]:
    """The folded words of a search query; every word must match."""
    return [t for t in fold(query).split(" ") if t]
