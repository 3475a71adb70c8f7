"""The case row table written in Python prints exactly what the former template printed (kept in
`reference/`): overdue marks, stage labels of both flows, 缓办, department or professional category, the step
deadline in local time, escaping, in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.template import Context, Engine
from django.test import RequestFactory
from django.utils import translation

from gridgov.cases.models import Case, Category
from gridgov.cases.rows import case_rows
from gridgov.core.paging import CappedPaginator
from gridgov.network.models import Department, Division

HERE = Path(__file__).parent
REFERENCE = Engine(dirs=[str(HERE / "reference"), str(HERE.parent.parent / "register" / "tests" / "reference")],
                   libraries={"i18n": "django.templatetags.i18n"})
EVIL = '<script>alert("x")</script> & \'你\''
NOW = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)  # 23:30 in Asia/Shanghai: the date shown is local


def _cases() -> list[Case]:
    cat = Category(pk=1, code="01<01>", name="私搭&乱建")
    grid = Division(pk=2, name="网格<A>")
    dept = Department(pk=3, name=EVIL)
    rows = [  # number, kind, stage, status, step deadline, deferred, department, pro category, title
        ("SJ001", "grid_event", "filed", "open", NOW - dt.timedelta(hours=1), True, dept, "", EVIL),
        (None, "grid_event", "handling", "open", NOW + dt.timedelta(minutes=45), False, None, "safety", "燃气"),
        ("SJ<3>", "complaint", "accepted", "open", None, False, None, "", "无时限"),
        ("SJ004", "grid_event", "closed", "closed", NOW - dt.timedelta(days=3), False, dept, "", "已结"),
        ("SJ005", "complaint", "no_such_stage", "open", NOW, True, None, "odd<cat>", "未知环节"),
    ]
    return [Case(pk=10 + i, number=n, kind=k, stage=s, status=st, step_deadline=d, deferred=df, department=dp,
                 pro_category=pc, title=t, category=cat, grid=grid)
            for i, (n, k, s, st, d, df, dp, pc, t) in enumerate(rows)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("number,cap,query", [
    (1, None, {}),
    (2, None, {"queue": "dispatch", "q": EVIL, "page": "2"}),
    (2, 3, {"stage": "filed", "size": "2", "page": "2"}),
    (1, 0, {"q": "nobody"}),
])
def test_it_writes_the_case_rows_byte_for_byte_as_the_template(lang, number, cap, query):
    cases = [] if query.get("q") == "nobody" else _cases()
    page = CappedPaginator(cases, 2 if cap is not None else 3, cap=cap).get_page(number)
    request = RequestFactory().get("/cases/", query)
    with translation.override(lang):
        expected = REFERENCE.get_template("cases/_case_rows.html").render(
            Context({"page": page, "request": request, "now": NOW}))
        assert case_rows(request, page, NOW) == expected


def test_it_marks_open_cases_past_their_step_deadline_and_escapes_titles():
    page = CappedPaginator(_cases(), 5).get_page(1)
    html = case_rows(RequestFactory().get("/cases/"), page, NOW)
    assert html.count('class="overdue"') == 1 and "03-01 22:30" in html
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)" in html
