"""Every page's filter form, sent values nobody planned for: the project's rule that bad input gets a clear
answer and never a server error holds for the pages as for the API (whose operations
core/tests/test_api_fuzz.py walks from the OpenAPI description).

The pages are found, not listed: every URL pattern without parameters (the lists, boards, maps, queues and
exports), opened as 管理员庚, the administrator of 泊里镇; each GET form on the page gives the field names. Each
field is then sent, alone, each odd value: a NUL (PostgreSQL keeps none in text), a number past any integer
column, a negative one, dates at the calendar's edge, an impossible date, 2,000 characters, control characters.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from gridgov.core.tests.scopewalk import page_patterns

ODD_VALUES = ("\x00", "99999999999999999999999", "-1", "0001-01-01", "9999-12-31", "2026-02-30", "x" * 2000,
              "\x01<>'\"")
SKIPPED = {"accounts:logout", "set_language"}  # they act on the session, not on a list
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def filter_pages() -> list[str]:
    pages = []
    for template, name, _kinds in page_patterns():
        if "{" in template or "(" in template or template.startswith(("/api/", "/admin/", "/open311/")):
            continue
        if name in SKIPPED or not name:
            continue
        pages.append(template)
    return sorted(set(pages))


def get_form_fields(html: str) -> list[str]:
    names: list[str] = []
    for attrs, inner in FORM.findall(html):
        method = re.search(r"\bmethod=\"(\w+)\"", attrs, re.I)
        if method and method.group(1).lower() != "get":
            continue
        names += [n for n in FIELD.findall(inner) if n != "csrfmiddlewaretoken" and n not in names]
    return names


@pytest.mark.django_db
def test_every_filter_form_answers_odd_values_without_a_server_error(world):
    client = Client(raise_request_exception=False)  # every page is tried; the failures are listed together
    client.force_login(world.people["admin"])
    failures, walked = [], 0
    for page in filter_pages():
        first = client.get(page)
        if first.status_code != 200 or "text/html" not in first.get("Content-Type", ""):
            continue
        for field in get_form_fields(first.content.decode()):
            for value in ODD_VALUES:
                walked += 1
                r = client.get(f"{page}?{urlencode({field: value})}")
                if r.status_code >= 500:
                    failures.append(f"{page}?{field}={value[:30]!r}: {r.status_code}")
    assert walked > 100, walked  # the pages were found and their forms read
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_a_nul_in_a_filter_is_refused_by_name_on_the_page(world):
    client = Client()
    client.force_login(world.people["admin"])
    r = client.get("/party/members/?q=%E5%BC%A0%00")
    assert r.status_code == 422
    assert "<b>q</b>: 不能包含空字符（\\0）" in r.content.decode()
