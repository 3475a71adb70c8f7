"""The indicator rollup: the counts of RULES.md §1 per (town, grid, department, worker, professional category,
kind, month), kept exact without scanning the case table on every read.

Internal data, derivable from `Case` alone (it holds no user's change, so it has no audit records):

- Every write that changes a column the indicators read (`engine.fire`, bulk loads) marks the (grid, month)
  groups the case leaves and enters dirty: one plain INSERT into `IndicatorDirty` inside its own transaction.
  The month is that of the handling deadline (应结案 and its numerators) and that of the filing (立案数).
- `refresh()`, run by every indicator read before it reads the rollup, takes the dirty rows (DELETE …
  RETURNING), and recomputes exactly those groups from the cases: two INSERT … SELECT … GROUP BY restricted to
  them, after deleting their old rows. Refreshes serialise on a transaction-level advisory lock (PostgreSQL;
  SQLite serialises writers anyway), so two readers never recompute the same group at once.
- A dirty row with no grid means "everything" (the migration that creates the table leaves one): the next
  read rebuilds the whole rollup (`rebuild()`).

Why the dirty table has no unique key: with INSERT … ON CONFLICT DO NOTHING a transition whose group is
already dirty would write nothing, and a refresh that deleted that older row and recomputed before the
transition committed would leave the transition's change out for good. A plain row per transition is
invisible to a concurrent refresh until it commits, so it is always recomputed by a later one.

Months are calendar months in Asia/Shanghai (no daylight saving since 1991: a fixed +08:00).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, DateField, Q, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Case, IndicatorDirty, IndicatorRollup

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOCK_KEY = 0x67726964_726F6C6C & 0x7FFFFFFFFFFFFFFF  # pg_advisory_xact_lock key of refreshes ("gridroll")

# The case columns the indicators read: a write changing none of them leaves the rollup as it was.
INDICATOR_FIELDS = (
    "grid_id", "town_id", "department_id", "assignee_id", "pro_category", "kind", "deadline", "filed_at",
    "voided", "merged_into_id", "closed_at", "on_time", "deferred", "rework_count", "extension_count",
    "dispatch_on_time", "dispatched_at", "returned_count", "verify_on_time", "response_on_time", "rating",
)
KEY_COLUMNS = ("town_id", "grid_id", "department_id", "assignee_id", "pro_category", "kind")

Group = tuple[int | None, dt.date | None]


def month_of(t: dt.datetime) -> dt.date:
    """First day of `t`'s month in Asia/Shanghai."""
    return timezone.localtime(t, SHANGHAI).date().replace(day=1)


def next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + (m.month == 12), m.month % 12 + 1, 1)


def month_start(m: dt.date) -> dt.datetime:
    return dt.datetime.combine(m, dt.time(0), SHANGHAI)


def groups_of(case: Any) -> set[Group]:
    """The groups a case counts in: its grid in the month of its deadline and in the month it was filed."""
    return {(case.grid_id, month_of(t)) for t in (case.deadline, case.filed_at) if t is not None}


def state_of(case: Any) -> tuple:
    return tuple(getattr(case, f) for f in INDICATOR_FIELDS)


def mark_dirty(groups: Iterable[Group]) -> None:
    """Mark groups dirty, inside the caller's transaction (one INSERT; nothing when there are none)."""
    rows = [IndicatorDirty(grid_id=g, month=m) for g, m in set(groups)]
    if rows:
        IndicatorDirty.objects.bulk_create(rows)


def mark_cases(cases: Iterable[Any]) -> None:
    """Mark the groups of cases written without the engine (bulk loads, demo data, test fixtures)."""
    groups: set[Group] = set()
    for c in cases:
        groups |= groups_of(c)
    mark_dirty(groups)


def mark_all() -> None:
    """Have the next read rebuild the whole rollup (after a bulk load written straight to the table)."""
    mark_dirty([(None, None)])


def _as_date(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) else v


def refresh() -> int:
    """Recompute the dirty groups from the cases; returns how many groups (-1: the whole rollup)."""
    table = IndicatorDirty._meta.db_table
    # No savepoint inside a caller's transaction: a failure here is a bug and fails that transaction too.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {table} RETURNING grid_id, month")
            taken = cur.fetchall()
            if not taken:
                return 0
            if connection.vendor == "postgresql":
                # After the DELETE: a refresh that took other rows waits here for this one to commit, so its
                # own statements see this one's rows (no group is ever recomputed twice at once).
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        groups = {(g, _as_date(m)) for g, m in taken}
        if any(g is None for g, _m in groups):
            _recompute(None)
            return -1
        _recompute(groups)
        return len(groups)


def rebuild() -> None:
    """Recompute the whole rollup now."""
    with transaction.atomic():
        IndicatorDirty.objects.all().delete()
        _recompute(None)


def _recompute(groups: set[Group] | None) -> None:
    """Delete the rollup rows of `groups` (all when None) and insert them again from the cases."""
    by_month: dict[dt.date, list[int]] = {}
    for g, m in groups or ():
        by_month.setdefault(m, []).append(g)

    def where(column: str) -> Q | None:
        if groups is None:
            return None
        q = Q()
        for m, grids in by_month.items():
            q |= Q(**{f"{column}__gte": month_start(m), f"{column}__lt": month_start(next_month(m)),
                      "grid_id__in": sorted(grids)})
        return q

    old = IndicatorRollup.objects.all()
    if groups is not None:
        q = Q()
        for m, grids in by_month.items():
            q |= Q(month=m, grid_id__in=sorted(grids))
        old = old.filter(q)
    old._raw_delete(old.db)  # no signals or cascades: nothing points at rollup rows

    from .indicators import COUNTS

    due = Case.objects.filter(deadline__isnull=False, voided=False, merged_into__isnull=True)
    filed = Case.objects.filter(filed_at__isnull=False, merged_into__isnull=True)
    if groups is not None:
        due, filed = due.filter(where("deadline")), filed.filter(where("filed_at"))
    zero = {name: Value(0) for name in COUNTS}
    due = (due.annotate(m=TruncMonth("deadline", tzinfo=SHANGHAI, output_field=DateField()))
           .values(*KEY_COLUMNS, "m")
           .annotate(**{name: Count("id", filter=cond) if cond is not None else Count("id")
                        for name, cond in COUNTS.items()}, filed=Value(0)).order_by())
    filed = (filed.annotate(m=TruncMonth("filed_at", tzinfo=SHANGHAI, output_field=DateField()))
             .values(*KEY_COLUMNS, "m").annotate(**zero, filed=Count("id")).order_by())
    target = IndicatorRollup._meta
    columns = [*KEY_COLUMNS, "month", *COUNTS, "filed"]
    qn = connection.ops.quote_name
    into = ", ".join(qn(target.get_field(c.removesuffix("_id")).column) for c in columns)
    picked = ", ".join(qn("m" if c == "month" else c) for c in columns)
    (due_sql, due_params), (filed_sql, filed_params) = (qs.query.sql_with_params() for qs in (due, filed))
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {qn(target.db_table)} ({into}) SELECT {picked} FROM ({due_sql}) d "
                    f"UNION ALL SELECT {picked} FROM ({filed_sql}) f", [*due_params, *filed_params])


def read(*, scope: Q, fields: tuple[str, ...], months: tuple[dt.date, dt.date], kind: str | None,
         part: str) -> list[dict[str, Any]]:
    """Summed counts of one part of the rollup ("due": 应结案 and its numerators; "filed": 立案数) by
    `fields` (dimension columns, `month` as a date) over the months [lo, hi), narrowed by the case scope
    `scope` (it names columns the rollup has under the same names)."""
    from .indicators import COUNTS

    qs = IndicatorRollup.objects.filter(month__gte=months[0], month__lt=months[1])
    if scope:
        qs = qs.filter(scope)
    if kind:
        qs = qs.filter(kind=kind)
    names = list(COUNTS) if part == "due" else ["filed"]
    qs = qs.filter(due__gt=0) if part == "due" else qs.filter(filed__gt=0)
    rows = qs.values(*fields).annotate(**{f"sum_{n}": Sum(n) for n in names}).order_by()
    out = []
    for r in rows:
        row = {f: r[f] for f in fields}
        row.update({n: r[f"sum_{n}"] or 0 for n in names})
        out.append(row)
    return out
