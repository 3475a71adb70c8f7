"""Reading a page's forms as a person sees them: which fields it has, the label above each, and the error shown
under it (`field.html`, as `{% field %}` and `{% include "field.html" %}` write them)."""

from __future__ import annotations

import html as htmllib
import re

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD_BLOCK = re.compile(r'<div class="field[^"]*" data-field="([^"]+)">(.*?)</div>', re.S)
LABEL = re.compile(r"<label\b[^>]*>(.*?)</label>", re.S)
FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>(.*?)</p>', re.S)
TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    return htmllib.unescape(TAG.sub("", fragment)).strip()


def post_forms(page: str) -> list[tuple[str, str]]:
    """(attributes, inner HTML) of each form of the page sent by POST."""
    return [(a, inner) for a, inner in FORM.findall(page) if re.search(r"\bmethod=\"post\"", a, re.I)]


def field_errors(page: str) -> dict[str, tuple[str, str]]:
    """field name -> (its label, the error under it), for every field showing an error."""
    out = {}
    for name, block in FIELD_BLOCK.findall(page):
        error = FIELD_ERROR.search(block)
        label = LABEL.search(block)
        if error:
            out[name] = (text(label.group(1)).rstrip("*").strip() if label else "", text(error.group(1)))
    return out


def value_of(page: str, name: str) -> str | None:
    """The value a field shows: an input's value, a textarea's text or a select's selected option."""
    n = re.escape(name)
    m = re.search(rf'<input\b[^>]*\bname="{n}"[^>]*>', page)
    if m:
        v = re.search(r'\bvalue="([^"]*)"', m.group(0))
        return htmllib.unescape(v.group(1)) if v else ""
    m = re.search(rf'<textarea\b[^>]*\bname="{n}"[^>]*>(.*?)</textarea>', page, re.S)
    if m:
        return htmllib.unescape(m.group(1))
    m = re.search(rf'<select\b[^>]*\bname="{n}"[^>]*>(.*?)</select>', page, re.S)
    if m:
        v = re.search(r'<option value="([^"]*)"[^>]*\bselected', m.group(1))
        return htmllib.unescape(v.group(1)) if v else None
    return None
