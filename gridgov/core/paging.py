"""Paging with a capped count, shared by every list page and API list.

An exact ``COUNT(*)`` over a town's whole register (100,000 residents) or a million cases costs more than the
page itself, and grows with the table. Lists therefore count at most ``COUNT_CAP + 1`` rows
(``SELECT COUNT(*) FROM (… LIMIT cap+1)``): below the cap the count is exact; above it the page says
"10,000+" and asks the user to narrow the filter. Paging itself is not capped: the next page exists while one
more row is found after the current one, so a clerk can page on past the cap (OFFSET grows, as it would with
any paginator). The cost of a page is then bounded by the cap and the page size, not by the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, InvalidPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from ninja import Field, Schema
from ninja.pagination import PaginationBase


def count_cap() -> int:
    return int(getattr(settings, "GRIDGOV_COUNT_CAP", 10_000))


def capped_count(rows: Any, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): the exact count when it is at most `cap`, else (`cap`, True). One query."""
    cap = count_cap() if cap is None else cap
    if isinstance(rows, QuerySet):
        n = rows.order_by()[: cap + 1].count()
    elif hasattr(rows, "capped_count"):
        return rows.capped_count(cap)
    else:
        n = len(rows)
    return _capped(n, cap)


def _capped(n: int, cap: int) -> tuple[int, bool]:
    return (cap, True) if n > cap else (n, False)


def capped_counts(querysets: dict[str, QuerySet], cap: int | None = None) -> dict[str, tuple[int, bool]]:
    """Several capped counts in one query: ``SELECT (SELECT COUNT(*) FROM (… LIMIT cap+1)), …``.
    Returns name → (count, capped) as `capped_count` does."""
    cap = count_cap() if cap is None else cap
    if not querysets:
        return {}
    sql, params, db = capped_counts_sql(querysets, cap)
    return read_capped_counts(list(querysets), sql, params, db, cap)


def capped_counts_sql(querysets: dict[str, QuerySet], cap: int) -> tuple[str, list[Any], str]:
    """The statement of `capped_counts` (sql, params, database alias), for callers that keep it."""
    parts, params = [], []
    db = "default"
    for i, qs in enumerate(querysets.values()):
        sub = qs.order_by().values("pk")[: cap + 1]
        db = sub.db
        sql, p = sub.query.get_compiler(using=sub.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")
        params.extend(p)
    return "SELECT " + ", ".join(parts), params, db


def read_capped_counts(names: list[str], sql: str, params: Any, db: str, cap: int) -> dict[str, tuple[int, bool]]:
    """Run a `capped_counts_sql` statement: name → (count, capped)."""
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {name: _capped(n, cap) for name, n in zip(names, row, strict=True)}


def load_only(qs: QuerySet, fields: Sequence[str]) -> QuerySet:
    """`qs` reading only `fields` ("fk__name" for a field of a related row, joined in the same query; relations
    not named are not joined): a list page reads the dozen columns its rows show, not every field of the
    model (model instances are built field by field; a case has about fifty)."""
    related = {f.rsplit("__", 1)[0] for f in fields if "__" in f}
    return qs.select_related(None).select_related(*related).only(*fields)


class CappedPage(Page):
    """A page that knows whether a next page exists even past the capped count."""

    def __init__(self, object_list: Any, number: int, paginator: CappedPaginator, more: bool):
        super().__init__(object_list, number, paginator)
        self._more = more

    def has_next(self) -> bool:
        return self._more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    """Django's Paginator with a capped count (see the module docstring).

    `count` is exact up to the cap; `capped` says the real total is larger. `num_pages` then counts the pages
    up to the cap, and pages after it stay reachable by number (``?page=``) and by "next"."""

    def __init__(self, object_list: Any, per_page: int, cap: int | None = None, **kwargs: Any):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap() if cap is None else cap

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return self._counted[1]

    def validate_number(self, number: Any) -> int:
        """Django's checks, except that a page after the capped count may exist."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.capped and int(number) > self.num_pages:
                return int(number)
            raise

    def page(self, number: Any) -> CappedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom: bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        more = len(rows) > self.per_page
        return CappedPage(rows[: self.per_page], number, self, more)

    def get_page(self, number: Any) -> CappedPage:
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except InvalidPage:
            return self.page(max(1, self.num_pages))  # the last page the (capped) count reaches


def page_of(object_list: Any, number: Any, *, size: Any = None, default: int = 50, largest: int = 200) -> CappedPage:
    """The page `number` of `object_list`, with `size` rows (from the query string; default 50, at most 200)."""
    raw = str(size or "")
    per_page = min(max(int(raw), 1), largest) if raw.isdigit() else default
    return CappedPaginator(object_list, per_page).get_page(number)


class CappedLimitOffset(PaginationBase):
    """LimitOffset paging for the API with the capped count: ``{"count", "count_capped", "items"}``.

    `count` is exact while `count_capped` is false; otherwise the total is larger than `count` (use filters,
    or page on with `offset` until `items` is shorter than `limit`)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="每页条数（1–1000）")
        # Bounded so that the database can take it (OFFSET is a 64-bit integer); no list is that long.
        offset: int = Field(0, ge=0, le=1_000_000_000, description="起始位置（0–1,000,000,000）")

    class Output(Schema):
        count: int = Field(..., description="总数；count_capped 为真时表示“至少这么多”")
        count_capped: bool = Field(False, description="总数超过上限，只计到上限")
        items: list[Any]

    items_attribute: str = "items"

    def paginate_queryset(self, queryset: Any, pagination: Input, request: Any = None, **params: Any) -> Any:
        offset, limit = pagination.offset, pagination.limit
        count, capped = capped_count(queryset)
        return {"items": queryset[offset: offset + limit], "count": count, "count_capped": capped}


class MappedRows:
    """A queryset the paginators can count (capped) and slice, mapping each row only after slicing (the API
    builds its output schema from the page's rows, not from the whole list)."""

    def __init__(self, qs: QuerySet, fn: Any):
        self.qs, self.fn = qs, fn

    def __getitem__(self, item: slice) -> list[Any]:
        return [self.fn(r) for r in self.qs[item]]

    def capped_count(self, cap: int) -> tuple[int, bool]:
        return capped_count(self.qs, cap)
