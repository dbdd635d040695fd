"""The Vietnamese catalogue is complete, and the compiled catalogue matches it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "doluong" / "locale" / "vi" / "LC_MESSAGES"


def entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    return [b for b in text.split("\n\n") if "msgid" in b]


def test_every_message_is_translated_and_none_is_fuzzy():
    problems = []
    for block in entries()[1:]:  # the first block is the header
        if "#, fuzzy" in block or (re.search(r'^msgstr(\[0\])? ""\s*$', block.strip(), re.M) and not re.search(
                r'^msgstr(\[0\])? ""\n"', block, re.M)):
            problems.append(block.strip().splitlines()[-3:])
    assert problems == [], f"untranslated or fuzzy entries: {problems[:5]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_compiled_catalogue_is_up_to_date(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(LOCALE / "django.po")], check=True)
    assert out.read_bytes() == (LOCALE / "django.mo").read_bytes(), "run: make messages (compilemessages)"
