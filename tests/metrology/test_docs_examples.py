"""Every example in docs/calc.md still produces the output shown there."""

import json
import re
from pathlib import Path

import pytest

from doluong.metrology import InputError, calc

DOC = Path(__file__).resolve().parents[2] / "docs" / "calc.md"
PATTERN = re.compile(
    r"\$ echo '(?P<inp>.*?)' \| doluong calc (?P<kind>\w+)\n```.*?```json\n(?P<out>.*?)\n```", re.S
)


def examples():
    if not DOC.exists():
        return []
    return [
        pytest.param(m["kind"], m["inp"], m["out"], id=f"{m['kind']}-{i}")
        for i, m in enumerate(PATTERN.finditer(DOC.read_text(encoding="utf-8")))
    ]


def close(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-12)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        same_len = isinstance(b, list) and len(a) == len(b)
        return same_len and all(close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_doc_has_examples_for_every_kind():
    kinds = {p.values[0] for p in examples()}
    assert kinds >= set(calc.KINDS)


@pytest.mark.parametrize(("kind", "inp", "out"), examples())
def test_doc_example(kind, inp, out):
    expected = json.loads(out)
    try:
        got = calc.run(kind, json.loads(inp))
    except InputError as exc:
        got = {"error": str(exc)}
    assert close(got, expected)
