"""Case indicators (综合评价, RULES.md §1) by grid, department, worker, town and month.

Everything is one SQL GROUP BY with conditional counts over the cases the user may see; nothing loops over
cases in Python. The denominator is 应结案数: the cases whose handling deadline fell due in the period
(and has passed). 按期结案率 leaves 缓办 cases out of its denominator. Voided and merged cases are never due.

    结案率 = 结案数 / 应结案数            按期结案率 = 按期结案数 / (应结案数 − 缓办数)
    返工率 = 返工数 / 应结案的网格事件数    延期率 = 延期数 / 应结案数
    及时派遣率, 准确派遣率 (never 退回/改派) = on-time (accurate) count / 应结案数
    按时核查率 = on-time count / 应结案的网格事件数 (complaints have no 核查)
    接诉即办 (complaints due): 响应率 (accepted within 2 working hours), 解决率 (办理完毕 within the limit),
    满意率 (rated 4–5 of those rated); 综合 = 30% 响应率 + 35% 解决率 + 35% 满意率 [local: settings]

Whole months of the period that lie in the past are read from the rollup (gridgov.cases.rollup: the same
counts per grid, department, worker and month, recomputed from the cases for the groups transitions marked
dirty, first thing on every read); the partial months at the period's edges (the current month, a start or
end inside a month) are counted live from the cases, through the deadline and filing indexes. The two add up
to exactly the one GROUP BY over the cases (`counts_query`), which residents (whose scope is their own
cases, not a column the rollup has) still get.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.pii import log_access
from gridgov.core.scope import can
from gridgov.core.tabular import CONTENT_TYPES, Export, check_format, write_rows

from . import permissions, rollup
from .models import Case, Kind
from .permissions import case_scope_q

SHANGHAI = ZoneInfo("Asia/Shanghai")
Dimension = Literal["town", "grid", "department", "worker", "month", "grid_month"]
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "town": ("town_id",), "grid": ("grid_id",), "department": ("department_id",), "worker": ("assignee_id",),
    "month": ("month",), "grid_month": ("grid_id", "month"),
}
DIMENSION_LABELS = {"town": _("镇街"), "grid": _("网格"), "department": _("部门"), "worker": _("处置人"),
                    "month": _("月份"), "grid_month": _("网格×月份")}

# The counts, each a conditional COUNT over the due cases of a group.
COMPLAINT = Q(kind=Kind.COMPLAINT)
COUNTS: dict[str, Q | None] = {
    "due": None,  # 应结案数
    "closed": Q(closed_at__isnull=False),  # 结案数
    "closed_on_time": Q(closed_at__isnull=False, on_time=True),  # 按期结案数
    "deferred": Q(deferred=True),  # 缓办数
    "reworked": Q(rework_count__gt=0),  # 返工数
    "extended": Q(extension_count__gt=0),  # 延期数
    "dispatched_on_time": Q(dispatch_on_time=True),  # 及时派遣数
    "dispatched_accurately": Q(dispatched_at__isnull=False, returned_count=0),  # 准确派遣数
    "verified_on_time": Q(verify_on_time=True),  # 按时核查数
    "complaints": COMPLAINT,
    "responded": COMPLAINT & Q(response_on_time=True),
    # 办理完毕 within the limit (`on_time`, set by 办理完毕), whether or not the complainant has rated yet.
    "solved": COMPLAINT & Q(on_time=True),
    "rated": COMPLAINT & Q(rating__isnull=False),
    "satisfied": COMPLAINT & Q(rating__gte=4),
}


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    numerator: str
    denominator: tuple[str, ...]  # counts; a second entry is subtracted (应结案数 − 缓办数)


RATES: tuple[Rate, ...] = (
    Rate("close_rate", _("结案率"), "closed", ("due",)),
    Rate("on_time_rate", _("按期结案率"), "closed_on_time", ("due", "deferred")),
    # 返工 and 核查 are steps of grid events only: their rates are over the grid events due (应结案 −
    # complaints), so complaints neither dilute them nor show a 0 % of their own.
    Rate("rework_rate", _("返工率"), "reworked", ("due", "complaints")),
    Rate("extension_rate", _("延期率"), "extended", ("due",)),
    Rate("dispatch_timely_rate", _("及时派遣率"), "dispatched_on_time", ("due",)),
    Rate("dispatch_accuracy_rate", _("准确派遣率"), "dispatched_accurately", ("due",)),
    Rate("verify_timely_rate", _("按时核查率"), "verified_on_time", ("due", "complaints")),
    Rate("response_rate", _("响应率"), "responded", ("complaints",)),
    Rate("solve_rate", _("解决率"), "solved", ("complaints",)),
    Rate("satisfaction_rate", _("满意率"), "satisfied", ("rated",)),
)
COMPOSITE_LABEL = _("接诉即办综合得分")
HUNDRED = Decimal(100)
# The counts' names in an export, in the order of its columns (立案数 first, as on the page).
COUNT_LABELS = {"filed": _("立案数"), "due": _("应结案数"), "closed": _("结案数"), "closed_on_time": _("按期结案数"),
                "deferred": _("缓办数"), "reworked": _("返工数"), "extended": _("延期数"),
                "dispatched_on_time": _("及时派遣数"), "dispatched_accurately": _("准确派遣数"),
                "verified_on_time": _("按时核查数"), "complaints": _("诉求数"), "responded": _("按时响应数"),
                "solved": _("按期解决数"), "rated": _("评价数"), "satisfied": _("满意数")}


def composite_weights() -> tuple[Decimal, Decimal, Decimal]:
    """响应率, 解决率, 满意率 weights (30/35/35 by default, RULES.md §1 [local])."""
    w = getattr(settings, "GRIDGOV_COMPLAINT_WEIGHTS", (30, 35, 35))
    return Decimal(w[0]), Decimal(w[1]), Decimal(w[2])


def percent(numerator: int, denominator: int) -> Decimal | None:
    """A rate in percent with two decimals (ROUND_HALF_UP); None when nothing is due."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rates_of(counts: dict[str, int]) -> dict[str, Decimal | None]:
    out: dict[str, Decimal | None] = {}
    for r in RATES:
        den = counts[r.denominator[0]] - sum(counts[k] for k in r.denominator[1:])
        out[r.key] = percent(counts[r.numerator], den)
    parts = (out["response_rate"], out["solve_rate"], out["satisfaction_rate"])
    if all(p is not None for p in parts):
        w = composite_weights()
        total = sum((p * wi for p, wi in zip(parts, w, strict=True)), Decimal(0)) / sum(w)
        out["composite"] = total.quantize(Decimal("0.01"), ROUND_HALF_UP)
    else:
        out["composite"] = None
    return out


PERIOD_FIRST, PERIOD_LAST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _date(name: str, value: dt.date | str | None) -> dt.date | None:
    """A date given as text (the page's query string) or already parsed (the API's); the field named when bad."""
    if not isinstance(value, str):
        return value
    try:
        return dt.date.fromisoformat(value) if value.strip() else None
    except ValueError:
        raise ValidationFailed({name: [str(_("应为日期"))]}) from None


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates; the default is the last twelve months up to today."""

    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, start: dt.date | str | None, end: dt.date | str | None,
              today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        e, s = _date("end", end), _date("start", start)
        for name, value in (("start", s), ("end", e)):
            # Months are counted past the end and times taken in UTC: the calendar's first and last years
            # cannot be; no case lies near them.
            if value and not PERIOD_FIRST <= value <= PERIOD_LAST:
                raise ValidationFailed({name: [str(_("日期应在 %(a)s 至 %(b)s 之间") % {"a": PERIOD_FIRST,
                                                                                    "b": PERIOD_LAST})]})
        e = e or today + dt.timedelta(days=1)
        s = s or dt.date(e.year - 1, e.month, 1)
        if s >= e:  # refused, not swapped: the reader would take the figures for the period they typed
            raise ValidationFailed({"end" if end else "start": [str(_("开始日期应早于结束日期（统计期不含结束日）"))]})
        return cls(s, e)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(self.start, dt.time(0), SHANGHAI),
                dt.datetime.combine(self.end, dt.time(0), SHANGHAI))


def due_q(period: Period, now: dt.datetime | None = None) -> Q:
    """应结案: the handling deadline fell due inside the period (and is past); never voided or merged."""
    lo, hi = period.bounds()
    return Q(deadline__gte=lo, deadline__lt=min(hi, now or timezone.now()), voided=False,
             merged_into__isnull=True)


def filed_q(period: Period) -> Q:
    """立案: filed inside the period (merged duplicates are not counted twice)."""
    lo, hi = period.bounds()
    return Q(filed_at__gte=lo, filed_at__lt=hi, merged_into__isnull=True)


def counts_query(qs: QuerySet[Case], by: str, period: Period, now: dt.datetime | None = None,
                 with_filed: bool = True) -> QuerySet:
    """The one GROUP BY, a single scan of the due ∪ filed cases: whether a case is due is a group key
    (computed once per row), every count of COUNTS is a conditional COUNT, and 立案数 one more. Month
    dimensions group by the month of the deadline and, for 立案数, the month of filing; `fold()` adds the
    groups up."""
    due, filed = due_q(period, now), filed_q(period)
    fields = list(DIMENSIONS[by])
    aggregates: dict[str, Any] = {name: Count("id", filter=cond) if cond is not None else Count("id")
                                  for name, cond in COUNTS.items()}
    if not with_filed:  # the 应结案 counts alone: exactly the hand-written GROUP BY
        if "month" in fields:
            qs = qs.annotate(month=TruncMonth("deadline", tzinfo=SHANGHAI))
        return (qs.filter(due).annotate(is_due=Value(True), filed=Value(0)).values(*fields, "is_due", "filed")
                .annotate(**aggregates).order_by())
    qs = qs.filter(due | filed).annotate(is_due=ExpressionWrapper(due, output_field=BooleanField()))
    if "month" in fields:
        qs = qs.annotate(month=TruncMonth("deadline", tzinfo=SHANGHAI),
                         filed_month=TruncMonth("filed_at", tzinfo=SHANGHAI))
        fields.append("filed_month")
    aggregates["filed"] = Count("id", filter=filed)
    return qs.values(*fields, "is_due").annotate(**aggregates).order_by()


def fold(rows: list[dict[str, Any]], by: str) -> dict[tuple, dict[str, int]]:
    """Group rows of `counts_query` by the dimension's key (a loop over groups, not over cases)."""
    fields = DIMENSIONS[by]
    out: dict[tuple, dict[str, int]] = {}
    for row in rows:
        if row["is_due"]:
            key = tuple(row[f] for f in fields)
            acc = out.setdefault(key, dict.fromkeys([*COUNTS, "filed"], 0))
            for name in COUNTS:
                acc[name] += row[name]
        if row["filed"]:
            key = tuple(row["filed_month"] if f == "month" else row[f] for f in fields)
            acc = out.setdefault(key, dict.fromkeys([*COUNTS, "filed"], 0))
            acc["filed"] += row["filed"]
    return out


Months = tuple[dt.date, dt.date]


def _months(start: dt.date, end: dt.date, cap: dt.date | None) -> tuple[Months | None, list[Period]]:
    """The whole months inside [start, end) that begin before `cap`, and the stretches left at either edge."""
    first = start if start.day == 1 else rollup.next_month(start)
    last = end.replace(day=1)
    if cap is not None:
        last = min(last, cap)
    if first >= last:
        return None, [Period(start, end)]
    edges = [Period(start, first)] if start < first else []
    if last < end:
        edges.append(Period(last, end))
    return (first, last), edges


def split(period: Period, now: dt.datetime) -> tuple[Months | None, list[Period], Months | None, list[Period]]:
    """Which parts of `period` the rollup answers and which are counted live: 应结案 in whole months that
    ended before `now` (every deadline in them has passed); 立案数 in whole months, and also in the month
    under way when the period reaches beyond the present (nothing is filed in the future, so the rollup's
    count of that month is the count up to the period's end). Returns (due months, due edges, filed months,
    filed edges)."""
    due_months, due_edges = _months(period.start, period.end, rollup.month_of(now))
    end = period.end
    if period.bounds()[1] > timezone.now() and end.day != 1:
        end = rollup.next_month(end.replace(day=1))
    filed_months, filed_edges = _months(period.start, end, None)
    filed_edges = [e if e.end <= period.end else Period(e.start, period.end) for e in filed_edges]
    return due_months, due_edges, filed_months, filed_edges


def filed_query(qs: QuerySet[Case], by: str, period: Period) -> QuerySet:
    """立案数 alone over `period`, in the row shape of `counts_query` (for `fold`)."""
    fields = list(DIMENSIONS[by])
    qs = qs.filter(filed_q(period))
    if "month" in fields:
        qs = qs.annotate(filed_month=TruncMonth("filed_at", tzinfo=SHANGHAI))
        fields = [f for f in fields if f != "month"] + ["filed_month"]
    return (qs.annotate(is_due=Value(False)).values(*fields, "is_due").annotate(filed=Count("id")).order_by())


def grouped_counts(*, user: Any, by: str, period: Period, kind: str | None = None,
                   now: dt.datetime | None = None, with_filed: bool = True) -> dict[tuple, dict[str, int]]:
    """{dimension key: counts} of the cases `user` may see: the rollup's whole months plus the live edges."""
    now = now or timezone.now()
    base = Case.objects.restrict(user, "view")
    if kind:
        base = base.filter(kind=kind)
    scope = case_scope_q(user, "view")
    if scope is None or permissions.is_public(user):  # own and followed cases: not a rollup column
        return fold(list(counts_query(base, by, period, now, with_filed)), by)
    due_months, due_edges, filed_months, filed_edges = split(period, now)
    if not with_filed:
        filed_months, filed_edges = None, []
    out: dict[tuple, dict[str, int]] = {}
    names = [*COUNTS, "filed"]
    fields = DIMENSIONS[by]

    def add(key: tuple, counts: dict[str, int]) -> None:
        acc = out.setdefault(key, dict.fromkeys(names, 0))
        for name in names:
            acc[name] += counts.get(name, 0)

    if due_months or filed_months:
        rollup.refresh()
    for months, part in ((due_months, "due"), (filed_months, "filed")):
        if months:
            for row in rollup.read(scope=scope, fields=fields, months=months, kind=kind, part=part):
                add(tuple(rollup.month_start(row[f]) if f == "month" else row[f] for f in fields), row)
    # The live edges: one query for a stretch both parts need, one of its own for the others.
    queries = [counts_query(base, by, e, now, with_filed=e in filed_edges) for e in due_edges]
    queries += [filed_query(base, by, e) for e in filed_edges if e not in due_edges]
    for qs in queries:
        for key, counts in fold(list(qs), by).items():
            add(key, counts)
    return out


def _labels(by: str, keys: list[tuple]) -> dict[tuple, str]:
    from gridgov.accounts.models import User
    from gridgov.network.models import Department, Division

    fields = DIMENSIONS[by]
    out: dict[tuple, str] = {}
    names: dict[Any, str] = {}
    first = fields[0]
    ids = {k[0] for k in keys if k[0] is not None}
    if first in ("grid_id", "town_id"):
        names = dict(Division.objects.filter(pk__in=ids).values_list("id", "name"))
    elif first == "department_id":
        names = dict(Department.objects.filter(pk__in=ids).values_list("id", "name"))
    elif first == "assignee_id":
        names = {u.pk: u.display_name or u.username for u in User.objects.filter(pk__in=ids)
                 .only("id", "display_name", "username")}
    for k in keys:
        parts = []
        for f, v in zip(fields, k, strict=True):
            if f == "month":
                parts.append(f"{timezone.localtime(v, SHANGHAI):%Y-%m}" if v else "")
            else:
                parts.append(names.get(v, str(_("（未指定）")) if v is None else str(v)))
        out[k] = " · ".join(parts)
    return out


def case_indicators(*, user: Any, by: Dimension = "grid", period: Period | None = None,
                    kind: str | None = None, now: dt.datetime | None = None,
                    with_filed: bool = True) -> dict[str, Any]:
    """Indicators of the cases `user` may see, grouped `by` a dimension, over `period`.

    Returns {"by", "period", "rows": [{"key", "label", "counts", "rates"}], "total": {...}}: each row's
    counts (应结案数 and the numerators, plus 立案数 "filed" unless `with_filed` is False) and rates in
    percent (None when nothing due)."""
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    period = period or Period.parse(None, None)
    grouped = grouped_counts(user=user, by=by, period=period, kind=kind, now=now, with_filed=with_filed)
    keys = sorted(grouped, key=lambda k: tuple((v is None, v) for v in k))
    labels = _labels(by, keys)
    fields = DIMENSIONS[by]
    rows = []
    total = dict.fromkeys([*COUNTS, "filed"], 0)
    for k in keys:
        counts = grouped[k]
        for name, v in counts.items():
            total[name] += v
        key = {f: (timezone.localtime(v, SHANGHAI).strftime("%Y-%m") if f == "month" and v else v)
               for f, v in zip(fields, k, strict=True)}
        rows.append({"key": key, "label": labels[k], "counts": counts, "rates": rates_of(counts)})
    return {"by": by, "period": period, "kind": kind or "", "rows": rows,
            "total": {"counts": total, "rates": rates_of(total)}}


def rate_labels() -> list[dict[str, str]]:
    return [{"key": r.key, "label": str(r.label)} for r in RATES] + [
        {"key": "composite", "label": str(COMPOSITE_LABEL)}]


def indicators_export(*, user: Any, by: Dimension = "grid", period: Period | None = None, kind: str | None = None,
                      fmt: str = "xlsx", now: dt.datetime | None = None) -> Export:
    """The indicators as a spreadsheet for the monthly 综合评价 report: the rows of the page, then 合计, with
    every count and the rates as numbers in percent (blank when nothing fell due); in .xlsx a second sheet says
    what was counted. For whoever may export cases (the town leader, the administrator); each export is
    written to the access log (it names the workers when `by` is worker)."""
    fmt = check_format(fmt)
    if not can(user, "export", Case):
        raise PermissionDenied(_("无权导出案件综合评价"))
    period = period or Period.parse(None, None)
    result = case_indicators(user=user, by=by, period=period, kind=kind, now=now)
    rates = rate_labels()
    header = [str(DIMENSION_LABELS[by]), *(str(v) for v in COUNT_LABELS.values()),
              *(r["label"] if r["key"] == "composite" else f"{r['label']}(%)" for r in rates)]

    def line(label: str, row: dict[str, Any]) -> list[Any]:
        return [label, *(row["counts"].get(k, 0) for k in COUNT_LABELS),
                *(None if row["rates"][r["key"]] is None else float(row["rates"][r["key"]]) for r in rates)]

    lines = [line(str(r["label"]), r) for r in result["rows"]] + [line(str(_("合计")), result["total"])]
    log_access(user, kind="export", model=Case, fields=[f"indicators:{by}"], count=len(result["rows"]),
               reason=str(_("导出综合评价")))
    last = period.end - dt.timedelta(days=1)
    notes = [[str(_("统计期")), f"{period.start.isoformat()} — {last.isoformat()}"],
             [str(_("维度")), str(DIMENSION_LABELS[by])],
             [str(_("类型")), str(Kind(kind).label) if kind else str(_("全部"))],
             [str(_("应结案数")), str(_("处置时限在统计期内到期的案件（不含作废、合并）；按期结案率的分母扣除缓办。"))],
             [str(_("导出时间")), timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")],
             [str(_("导出人")), str(user)]]
    kwargs: dict[str, Any] = ({"sheet_title": str(_("案件综合评价")), "extra_sheets": {str(_("说明")): notes}}
                              if fmt == "xlsx" else {})
    name = f"indicators-{by}-{period.start:%Y%m%d}-{last:%Y%m%d}{'-' + kind if kind else ''}.{fmt}"
    return Export(filename=name, content_type=CONTENT_TYPES[fmt], count=len(lines), unmasked=False,
                  chunks=write_rows(fmt, header, lines, **kwargs))
