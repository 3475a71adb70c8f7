"""Every page form, sent empty and sent values nobody planned for (issue 15): the answer is the form itself with
its errors under the fields' labels, or the form's success — never a server error, a bare error page, or an
error that names a field by its internal name (`starts_at：…`).

The forms are found, not listed, as test_page_filters.py finds the filter forms: every page of the URL conf is
opened, its parameters filled with the scope fixtures' records of grid A (scopewalk.py), as the personas who
fill in forms — 管理员庚 (the town's administrator, who sees nearly every form), 网格员甲 and 居民辛 — and every
<form method="post"> on it is sent: once with its visible fields empty, then once per odd value in all of them
(hidden fields keep the value the page gave them; file inputs are left empty).
"""

from __future__ import annotations

import html as htmllib
import re

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from gridgov.core.tests.pageforms import field_errors, post_forms, text, value_of
from gridgov.core.tests.scopewalk import _params, load_registry, page_patterns, resolve

ODD_VALUES = ("\x01<>'\"", "abc", "-1", "99999999999999999999999", "9999-12-31T23:59", "0001-01-01", "2026-02-30",
              "x" * 2000)
PERSONAS = ("admin", "worker_a", "resident")
# They act on the session, not on a record.
SKIPPED_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")
INPUT = re.compile(r"<input\b([^>]*)>", re.I)
OTHER = re.compile(r"<(select|textarea)\b([^>]*)>", re.I)
ATTR = re.compile(r'\b([\w-]+)="([^"]*)"')
# A refusal written as `name：reason` or `输入有误：name …`: the internal name of a field shown to a person.
INTERNAL_NAME = re.compile(r"(?<![\w/.-])([a-z][a-z0-9]*_[a-z0-9_]+|[a-z]{3,})：|输入有误：[a-z_]+ ")


def pages(registry) -> list[tuple[str, str]]:
    """(url, url name) of every page, its parameters taken from grid A's records."""
    out = []
    for template, name, kinds in page_patterns():
        if not name or template.startswith(("/api/", "/admin/", "/open311/")) or "(" in template:
            continue
        values = {}
        for p in _params(template, kinds):
            entry = resolve(p, registry)
            if entry is None:
                break
            values[p.name] = entry.value("grid_a")
        else:
            try:
                out.append((reverse(name, kwargs=values), name))
            except NoReverseMatch:
                continue
    return sorted(set(out))


def form_fields(inner: str) -> tuple[dict[str, str], list[str], set[str]]:
    """The hidden fields with the values the page gave them, the names of the visible fields, and of those the
    ones a person types into (text-like inputs and textareas, not a secret: a password or a one-time code is never
    sent back to the page)."""
    hidden: dict[str, str] = {}
    visible: list[str] = []
    typed: set[str] = set()
    for attrs in INPUT.findall(inner):
        a = dict(ATTR.findall(attrs))
        name, kind = a.get("name"), a.get("type", "text").lower()
        if not name or name == "csrfmiddlewaretoken" or kind in ("file", "submit", "button", "image"):
            continue
        if kind == "hidden":
            hidden[name] = htmllib.unescape(a.get("value", ""))
        elif name not in visible:
            visible.append(name)
            if kind not in ("checkbox", "radio", "password") and a.get("autocomplete") != "one-time-code":
                typed.add(name)
    for tag, attrs in OTHER.findall(inner):
        name = dict(ATTR.findall(attrs)).get("name")
        if name and name not in visible:
            visible.append(name)
            if tag.lower() == "textarea":
                typed.add(name)
    # A form that is all buttons sends the value of the one pressed.
    for attrs in re.findall(r"<button\b([^>]*)>", inner, re.I):
        a = dict(ATTR.findall(attrs))
        if a.get("name") and a["name"] not in hidden:
            hidden[a["name"]] = htmllib.unescape(a.get("value", ""))
    return hidden, visible, typed


def problems_of(resp, url: str, visible: list[str], typed: dict[str, str]) -> list[str]:
    """What is wrong with the answer to a sent form (empty when it is the form again, or a success)."""
    status = resp.status_code
    if status >= 500:
        return [f"answered {status}"]
    if status in (301, 302, 303) or "text/html" not in resp.get("Content-Type", ""):
        return []
    page = resp.content.decode()
    out = []
    shown = text(page)
    named = INTERNAL_NAME.findall(shown)
    if named:
        out.append(f"names a field by its internal name: {named[:3]}")
    if status == 409 and '<div class="error"><h1>' not in page:
        return out  # someone (an earlier send) acted first: the page as it now stands, saying so
    if status >= 400:
        forms = [inner for _a, inner in post_forms(page) if any(f'name="{n}"' in inner for n in visible)]
        if not forms:
            said = " ".join(shown.split())[:160]
            out.append(f"answered {status} without the form: {said!r}")
        unlabelled = [n for n, (label, _e) in field_errors(page).items() if not label]
        if unlabelled:
            out.append(f"errors without a label over them: {unlabelled}")
        if forms:  # everything typed is kept (a select cannot show a value it does not offer)
            lost = [n for n, v in typed.items() if v and value_of(forms[0], n) not in (v, None)]
            if lost:
                out.append(f"lost what was typed in {lost}")
    return out


@pytest.mark.django_db
def test_every_page_form_answers_empty_and_odd_values_with_the_form_and_its_errors(world):
    registry = load_registry(world)
    failures: list[str] = []
    sent = forms_seen = 0
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        client.force_login(world.people[persona])
        for url, _name in pages(registry):
            first = client.get(url)
            if first.status_code != 200 or "text/html" not in first.get("Content-Type", ""):
                continue
            for attrs, inner in post_forms(first.content.decode()):
                action = htmllib.unescape(dict(ATTR.findall(attrs)).get("action", "")) or url
                if action.startswith(SKIPPED_ACTIONS):
                    continue
                hidden, visible, free = form_fields(inner)
                if not visible:
                    continue  # all buttons (标为已读, 确认签到): nothing to type wrong
                forms_seen += 1
                for value in ("", *ODD_VALUES):
                    sent += 1
                    resp = client.post(action, {**hidden, **{n: value for n in visible}})
                    for p in problems_of(resp, url, visible, {n: value for n in free}):
                        failures.append(f"{persona} {url} → {action} {sorted(visible)[:6]} = {value[:12]!r}: {p}")
    assert forms_seen > 20, forms_seen  # the pages were found and their forms read
    assert not failures, f"{len(failures)} of {sent} sends:\n" + "\n".join(dict.fromkeys(failures))
