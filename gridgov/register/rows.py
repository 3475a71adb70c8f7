"""The row tables of the register's list pages (residents, households, enterprises) with their pager, written
in Python instead of the template engine (see gridgov/core/rows.py): the list pages and their htmx refresh
show these. `tests/test_rows.py` compares them byte for byte with the former templates in `tests/reference/`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString

from gridgov.core.rows import esc, labels, pk_url, table_end

from .models import Enterprise, Resident, Sex, Tag


def _choices(choices: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """Escaped display labels of a field's choices in the current language (get_FOO_display, once a page)."""
    return {value: esc(text) for value, text in choices}


# What each table reads (selectors' `fields`): any other field would be read row by row.
RESIDENT_COLUMNS = ("id", "name", "id_number", "sex", "birth_date", "phone", "grid__name")
HOUSEHOLD_COLUMNS = ("id", "number", "address", "grid__name")
ENTERPRISE_COLUMNS = ("id", "name", "credit_code", "industry", "scale", "legal_representative", "is_key",
                      "grid__name")


def resident_rows(request: Any, page: Any, rows: Sequence[tuple[Resident, dict[str, str]]]) -> SafeString:
    """Residents with their masked personal fields (`rows`: (resident, masked) pairs of `page`)."""
    h = labels("姓名", "身份证号", "性别", "出生日期", "手机号", "所属网格", "标签", "没有符合条件的居民")
    url = pk_url("register:resident_detail")
    sexes, tags = _choices(Sex.choices), _choices(Tag.choices)
    out = [f'\n<table class="list"><thead><tr><th>{h[0]}</th><th>{h[1]}</th><th>{h[2]}</th><th>{h[3]}</th>'
           f"<th>{h[4]}</th><th>{h[5]}</th><th>{h[6]}</th></tr></thead>\n<tbody>"]
    for r, pii in rows:
        birth = r.birth_date.isoformat() if r.birth_date else ""  # |date:"Y-m-d"
        tag_html = "".join(f'<span class="tag">{tags.get(t) or esc(t)}</span>' for t in r.tags)
        out.append(
            f'<tr>\n<td><a href="{url(r.pk)}">{esc(r.name)}</a></td><td data-label="{h[1]}">{esc(pii["id_number"])}'
            f'</td><td data-label="{h[2]}">{sexes.get(r.sex) or esc(r.sex)}</td><td data-label="{h[3]}">{birth}</td>'
            f'<td data-label="{h[4]}">{esc(pii["phone"] or "—")}</td><td data-label="{h[5]}">'
            f"{esc(r.grid.name)}</td>\n<td>{tag_html}</td></tr>\n")
    return table_end(out, request, page, empty=not rows, colspan=7, empty_label=h[7])


def household_rows(request: Any, page: Any) -> SafeString:
    """The households of `page`."""
    h = labels("户编号", "住址", "所属网格", "没有符合条件的户")
    url = pk_url("register:household_detail")
    out = [f'\n<table class="list"><thead><tr><th>{h[0]}</th><th>{h[1]}</th><th>{h[2]}</th></tr></thead>\n<tbody>']
    for x in page.object_list:
        out.append(f'<tr><td><a href="{url(x.pk)}">{esc(x.number)}</a></td><td data-label="{h[1]}">'
                   f'{esc(x.address)}</td><td data-label="{h[2]}">{esc(x.grid.name)}</td></tr>\n')
    return table_end(out, request, page, empty=not page.object_list, colspan=3, empty_label=h[3])


def enterprise_rows(request: Any, page: Any) -> SafeString:
    """The enterprises of `page` (no personal field is shown in the list)."""
    h = labels("企业名称", "统一社会信用代码", "行业", "规模", "法定代表人", "所属网格", "重点企业", "没有符合条件的企业")
    url = pk_url("register:enterprise_detail")
    scales = _choices(Enterprise.Scale.choices)
    out = [f'\n<table class="list"><thead><tr><th>{h[0]}</th><th>{h[1]}</th><th>{h[2]}</th><th>{h[3]}</th>'
           f"<th>{h[4]}</th><th>{h[5]}</th><th>{h[6]}</th></tr></thead>\n<tbody>"]
    key = f'<span class="tag">{h[6]}</span>'
    for e in page.object_list:
        out.append(
            f'<tr><td><a href="{url(e.pk)}">{esc(e.name)}</a></td><td data-label="{h[1]}">{esc(e.credit_code)}</td>'
            f'<td data-label="{h[2]}">{esc(e.industry)}</td><td data-label="{h[3]}">'
            f'{scales.get(e.scale) or esc(e.scale)}</td><td data-label="{h[4]}">{esc(e.legal_representative)}</td>'
            f'<td data-label="{h[5]}">{esc(e.grid.name)}</td><td>{key if e.is_key else ""}</td></tr>\n')
    return table_end(out, request, page, empty=not page.object_list, colspan=7, empty_label=h[7])
