"""The row table of the case list and work queues with its pager, written in Python instead of the template
engine (see gridgov/core/rows.py). `tests/test_rows.py` compares it byte for byte with the former template in
`tests/reference/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString

from gridgov.accounts.roles import ProCategory
from gridgov.core.rows import esc, labels, pk_url, table_end

from .engine import flow_for
from .models import Status

# What the table reads (selectors.case_list's `fields`): any other field would be read row by row.
COLUMNS = ("id", "number", "kind", "stage", "status", "step_deadline", "deferred", "title", "pro_category",
           "category__code", "category__name", "grid__name", "department__name")


def case_rows(request: Any, page: Any, now: dt.datetime) -> SafeString:
    """The cases of `page`; open cases whose step deadline is before `now` are marked overdue."""
    h = labels("编号", "标题", "类别", "网格", "环节", "责任部门", "本环节时限", "缓办", "已超期", "没有符合条件的案卷")
    url = pk_url("cases:case_detail")
    tz = timezone.get_current_timezone()
    pro = {value: esc(text) for value, text in ProCategory.choices}
    stages: dict[tuple[str, str], str] = {}  # (kind, stage) → escaped label, once a page
    out = [f'\n<table class="list cases"><thead><tr><th>{h[0]}</th><th>{h[1]}</th><th>{h[2]}</th><th>{h[3]}</th>'
           f"<th>{h[4]}</th><th>{h[5]}</th><th>{h[6]}</th></tr></thead>\n<tbody>"]
    deferred, overdue = f' <span class="tag">{h[7]}</span>', f' <span class="late">{h[8]}</span>'
    for c in page.object_list:
        stage = stages.get((c.kind, c.stage))
        if stage is None:
            stage = stages[(c.kind, c.stage)] = esc(flow_for(c.kind).stage(c.stage).label)
        late = c.status == Status.OPEN and c.step_deadline is not None and c.step_deadline < now
        if c.department_id:
            department = esc(c.department.name)
        elif c.pro_category:
            department = pro.get(c.pro_category) or esc(c.pro_category)
        else:
            department = "—"
        if c.step_deadline:  # |date:"m-d H:i", in the current time zone as templates show aware datetimes
            d = c.step_deadline if timezone.is_naive(c.step_deadline) else c.step_deadline.astimezone(tz)
            due = f"{d:%m-%d %H:%M}{overdue if late else ''}"
        else:
            due = "—"
        out.append(
            f'<tr class="{"overdue" if late else ""}">\n<td><a href="{url(c.pk)}">{esc(c.number)}</a></td>'
            f"<td>{esc(c.title)}</td><td>{esc(c.category.code)} {esc(c.category.name)}</td><td>{esc(c.grid.name)}</td>\n"
            f'<td><span class="stage stage-{esc(c.stage)}">{stage}</span>{deferred if c.deferred else ""}</td>\n'
            f"<td>{department}</td>\n<td>{due}</td></tr>\n")
    return table_end(out, request, page, empty=not page.object_list, colspan=7, empty_label=h[9])
