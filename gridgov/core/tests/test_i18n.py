"""A user who picks English reads English on every page: every template marks its Chinese for translation, and
every string marked in a template or in Python has its English in the catalogue, neither empty nor fuzzy."""

from __future__ import annotations

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]  # the gridgov package
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
# What may hold Chinese in a template: comments, {% translate %} tags, {% blocktranslate %} blocks, _("…").
MARKED = [re.compile(p, re.S) for p in (
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}",
    r"\{#.*?#\}",
    r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}",
    r"\{%\s*trans(?:late)?\s.*?%\}",
    r"""\b_\((?:"[^"]*"|'[^']*')\)""",
)]
# Plain string literals marked in templates and in Python (no context, no interpolated blocks).
TEMPLATE_MSGID = re.compile(r"""\{%\s*trans(?:late)?\s+(?:"([^"]*)"|'([^']*)')(?![^%]*\bcontext\b)[^%]*%\}"""
                            r"""|\b_\((?:"([^"]*)"|'([^']*)')\)""")
PYTHON_MSGID = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')\s*[,)]""")


def unmarked_chinese(source: str) -> list[tuple[int, str]]:
    """(line, text) of each line of a template with Chinese outside what is marked for translation."""
    for pattern in MARKED:
        source = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    return [(n, line.strip()) for n, line in enumerate(source.splitlines(), 1) if CJK.search(line)]


def templates() -> list[Path]:
    return sorted(p for p in ROOT.rglob("templates/**/*.html"))


def english() -> dict[str, str]:
    """msgid → English of the catalogue's entries without a context (fuzzy ones count as missing)."""
    return {e.msgid: ("" if e.fuzzy else e.msgstr or e.msgstr_plural.get(0, ""))
            for e in polib.pofile(str(CATALOGUE)) if not e.msgctxt and not e.obsolete}


def test_the_scan_sees_unmarked_chinese_and_passes_marked_chinese():
    assert unmarked_chinese('<h1>党员</h1>\n<p>{% translate "党员" %}</p>') == [(1, "<h1>党员</h1>")]
    assert unmarked_chinese('<input placeholder="说明">') == [(1, '<input placeholder="说明">')]
    assert not unmarked_chinese('{% load i18n %}{# 注释 #}{% translate "党员" context "plural" %}\n'
                                '{% blocktranslate with n=x %}{{ n }}\n人{% endblocktranslate %}{{ d|default:_("至今") }}')


def test_every_template_marks_its_chinese_for_translation():
    left = {str(p.relative_to(ROOT)): unmarked_chinese(p.read_text(encoding="utf-8")) for p in templates()}
    assert len(left) > 50
    assert {name: lines for name, lines in left.items() if lines} == {}


def marked(files: list[Path], pattern: re.Pattern, unescape: bool = False) -> tuple[set[str], list[tuple]]:
    """The msgids `pattern` finds in `files`, and (file, msgid) of the Chinese ones without English."""
    known = english()
    seen, missing = set(), set()
    for p in files:
        for m in pattern.finditer(p.read_text(encoding="utf-8")):
            msgid = next(g for g in m.groups() if g is not None)
            if unescape:  # a Python literal: "\n" and the like as the catalogue holds them
                msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            seen.add(msgid)
            if CJK.search(msgid) and not known.get(msgid):
                missing.add((str(p.relative_to(ROOT)), msgid))
    return seen, sorted(missing)


def test_every_string_marked_in_a_template_has_its_english():
    seen, missing = marked(templates(), TEMPLATE_MSGID)
    assert len(seen) > 300
    assert missing == []


def test_every_string_marked_in_python_has_its_english():
    sources = [p for p in sorted(ROOT.rglob("*.py")) if "tests" not in p.parts and "migrations" not in p.parts]
    seen, missing = marked(sources, PYTHON_MSGID, unescape=True)
    assert len(seen) > 500
    assert missing == []


def test_the_catalogue_has_no_empty_or_fuzzy_entry():
    entries = [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete]
    assert len(entries) > 1000
    assert [e.msgid for e in entries if e.fuzzy or not (e.msgstr or all(e.msgstr_plural.values()))] == []
