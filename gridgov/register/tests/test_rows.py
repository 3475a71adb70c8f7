"""The register's row tables written in Python print exactly what the former templates printed (kept in
`reference/`), escaping included, in both languages and on first, middle, capped and empty pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils import translation

from gridgov.core.paging import CappedPaginator
from gridgov.network.models import Department, Division
from gridgov.register.models import Enterprise, Household, Resident, ResidentTag
from gridgov.register.rows import enterprise_rows, household_rows, resident_rows
from gridgov.register.selectors import masked

REFERENCE = Engine(dirs=[str(Path(__file__).parent / "reference")], libraries={"i18n": "django.templatetags.i18n"})
EVIL = '<script>alert("x")</script> & \'你\''
GRID = Division(pk=7, name="网格<A> & B")


def _page(objs: list, number: int, cap: int | None = None):
    return CappedPaginator(objs, 2, cap=cap).get_page(number)


def _request(**query: str):
    return RequestFactory().get("/register/residents/", query)


def _residents() -> list[Resident]:
    out = []
    for i, (name, sex, phone, tags) in enumerate([(EVIL, "F", "13812345678", ["dibao", "veteran"]),
                                                  ("王小明", "M", "", []), ("李&四", "X", "1381", ["odd<tag>"]),
                                                  ("赵六", "M", "13900000000", ["disabled"]), ("钱七", "F", "", [])]):
        r = Resident(pk=100 + i, name=name, id_number="37021119900101001X", sex=sex, phone=phone,
                     birth_date=dt.date(1990 - i * 300, 1 + i, 9), grid=GRID)
        r.tag_list = [ResidentTag(tag=t) for t in tags]
        out.append(r)
    return out


def _households() -> list[Household]:
    return [Household(pk=200 + i, number=n, address=a, grid=GRID)
            for i, (n, a) in enumerate([(EVIL, "一号路&1号"), ("H00002", ""), ("H<3>", "\"引号\"路")])]


def _enterprises() -> list[Enterprise]:
    dept = Department(pk=3, name="应急")
    return [Enterprise(pk=300 + i, name=n, credit_code="91370211MA3C00001X", industry=ind, scale=scale,
                       legal_representative=rep, legal_rep_phone="13900000000", grid=GRID, department=dept,
                       is_key=key)
            for i, (n, ind, scale, rep, key) in enumerate([(EVIL, "制造业", "small", "张&三", True),
                                                           ("乙公司", "<b>批发</b>", "huge", "", False),
                                                           ("丙公司", "", "micro", "李四", True)])]


PAGES = [  # page number, cap, query string
    (1, None, {}),
    (2, None, {"q": EVIL, "grid": "7", "page": "2"}),
    (2, 3, {"tag": "残疾 人/x", "size": "2", "page": "2"}),  # capped count, pages on past it
    (1, 0, {"q": "nobody"}),
]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("number,cap,query", PAGES)
def test_it_writes_the_resident_rows_byte_for_byte_as_the_template(lang, number, cap, query):
    objs = [] if query.get("q") == "nobody" else _residents()
    page, request = _page(objs, number, cap), _request(**query)
    rows = [(r, masked(r)) for r in page.object_list]
    with translation.override(lang):
        expected = REFERENCE.get_template("register/_resident_rows.html").render(
            Context({"rows": rows, "page": page, "request": request}))
        assert resident_rows(request, page, rows) == expected


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("number,cap,query", PAGES)
def test_it_writes_the_household_rows_byte_for_byte_as_the_template(lang, number, cap, query):
    page, request = _page([] if query.get("q") == "nobody" else _households(), number, cap), _request(**query)
    with translation.override(lang):
        expected = REFERENCE.get_template("register/_household_rows.html").render(
            Context({"page": page, "request": request}))
        assert household_rows(request, page) == expected


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("number,cap,query", PAGES)
def test_it_writes_the_enterprise_rows_byte_for_byte_as_the_template(lang, number, cap, query):
    page, request = _page([] if query.get("q") == "nobody" else _enterprises(), number, cap), _request(**query)
    rows = [(e, masked(e)) for e in page.object_list]
    with translation.override(lang):
        expected = REFERENCE.get_template("register/_enterprise_rows.html").render(
            Context({"rows": rows, "page": page, "request": request}))
        assert enterprise_rows(request, page) == expected


def test_it_escapes_names_and_the_query_string():
    request = _request(q=EVIL, page="2")
    html = resident_rows(request, _page(_residents(), 1), [(r, masked(r)) for r in _residents()[:2]])
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;你&#x27;" in html
    assert "网格&lt;A&gt; &amp; B" in html and "?q=%3Cscript%3E" in html


def test_it_shows_only_masked_personal_fields():
    r = _residents()[0]
    html = resident_rows(_request(), _page([r], 1), [(r, masked(r))])
    assert "37021119900101001X" not in html and "370211********001X" in html and "138****5678" in html
