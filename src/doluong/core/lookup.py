"""Ranking of autocomplete matches by closeness to what was typed.

Pure Python over folded text (:func:`doluong.core.text.fold`: no accents, lower case), so "nguyen
van a" ranks "Nguyễn Văn A" first. Tiers, best first:

0. the whole text equals the query;
1. the text starts with the query as whole words ("NV3" finds "NV3 Kiểm định …");
2. the text starts with the query ("NV3" finds "NV30 …");
3. every word of the query starts a word of the text;
4. anything else the search let through (a word inside a word, or a match in another field).

Within a tier shorter texts come first (closer to the query), then in alphabetical order of the
folded text; candidates that tie keep the order they came in.
"""

from collections.abc import Callable, Iterable

from doluong.core.text import fold

EXACT, WORD_PREFIX, PREFIX, WORD_STARTS, OTHER = range(5)


def closeness(query: str, text: str) -> int:
    """The tier of ``text`` for ``query``, both already folded (0 is the closest)."""
    if text == query:
        return EXACT
    if text.startswith(query):
        return WORD_PREFIX if not text[len(query)].isalnum() else PREFIX
    words = text.split(" ")
    if all(any(w.startswith(term) for w in words) for term in query.split(" ")):
        return WORD_STARTS
    return OTHER


def rank[T](query: str | None, candidates: Iterable[T], key: Callable[[T], str] = str,
         limit: int | None = None) -> list[T]:
    """``candidates`` ordered by closeness of ``key(candidate)`` to ``query``, at most ``limit``.

    An empty query keeps the given order (the caller's default ordering).
    """
    items = list(candidates)
    q = fold(query)
    if q:
        def sort_key(pair):
            position, item = pair
            text = fold(key(item))
            return closeness(q, text), len(text), text, position

        items = [item for _, item in sorted(enumerate(items), key=sort_key)]
    return items if limit is None else items[:limit]
