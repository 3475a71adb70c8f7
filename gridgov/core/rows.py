"""List rows written in Python: the helpers each app's `rows.py` builds its row tables with, and the pager.

A list page of 50 rows through the template engine costs more than the rest of the page (every `{{ }}` is a
variable lookup, a filter chain and an escape; every `{% url %}` a reverse). The apps' row functions write the
same bytes directly: values escaped as the templates escape them (`esc`), labels translated once per page
(`labels`), one `reverse()` per page for a row link (`pk_url`). Each app's tests render the former row
templates (kept in its `tests/reference/`) next to its row functions and compare the output byte for byte.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def esc(value: Any) -> str:
    """`{{ value }}` in a template with autoescape: str() then html.escape (django.utils.html.escape is exactly
    this, plus a SafeString per value that the rows do not need). None prints as "None", as in templates."""
    return html.escape(str(value))


def number(value: Any) -> str:
    """A number as `{{ value }}` prints it (localized: with the thousand separator when that is on)."""
    return html.escape(str(formats.localize(value)))


def label(msgid: str) -> str:
    """`{% translate "msgid" %}`: the translation of the current language, escaped."""
    # The tag looks the literal up with its percent signs doubled and restores them after escaping.
    return html.escape(str(gettext(msgid.replace("%", "%%")))).replace("%%", "%")


def labels(*msgids: str) -> list[str]:
    """Several labels at once (a row table's headers and cells), looked up once per page."""
    return [label(m) for m in msgids]


def pk_url(name: str) -> Callable[[Any], str]:
    """The URL of `name` (one pk argument) for any pk, with one reverse() per page, escaped as `{% url %}`
    writes it."""
    marker = "987654321987"
    head, found, tail = reverse(name, args=[int(marker)]).partition(marker)
    if not found or marker in tail:  # a pattern that mangles the pk cannot be split: reverse every time
        return lambda pk: esc(reverse(name, args=[pk]))
    head, tail = esc(head), esc(tail)
    return lambda pk: f"{head}{pk}{tail}"


def pager(request: Any, page: Any) -> str:
    """The pager under a list (previous, "第 n / m 页，共 k 条" or the capped count, next), links keeping the
    query string but the page number; the former `register/_pager.html`, byte for byte."""
    query = "".join(f"{esc(k)}={esc(quote(v))}&amp;" for k, v in request.GET.items() if k != "page")
    prev_label, next_label, nav_label = labels("上一页", "下一页", "分页")

    def link(n: int, text: str) -> str:
        return (f'<a href="?{query}page={n}" hx-get="?{query}page={n}" hx-target="#rows" hx-push-url="true">'
                f"{text}</a>")

    paginator = page.paginator
    if paginator.capped:
        total = gettext("第 %(n)s 页，超过 %(cap)s 条（请用筛选缩小范围）") % {
            "n": number(page.number), "cap": number(paginator.count)}
    else:
        total = gettext("第 %(n)s / %(total)s 页，共 %(count)s 条") % {
            "n": number(page.number), "total": number(paginator.num_pages), "count": number(paginator.count)}
    return "".join((
        f'\n<nav class="pager" aria-label="{nav_label}">',
        link(page.previous_page_number(), prev_label) if page.has_previous() else "",
        f'\n<span id="total">{total}</span>\n',
        link(page.next_page_number(), next_label) if page.has_next() else "",
        "</nav>\n",
    ))


def table_end(out: list[str], request: Any, page: Any, *, empty: bool, colspan: int, empty_label: str) -> SafeString:
    """Close a list table written into `out` (the "nothing found" row when `empty`), add the pager and return
    the whole as safe HTML: every value the row writers put into `out` is escaped."""
    if empty:
        out.append(f'<tr><td colspan="{colspan}">{empty_label}</td></tr>')
    out.append("</tbody></table>\n")
    out.append(pager(request, page) + "\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
