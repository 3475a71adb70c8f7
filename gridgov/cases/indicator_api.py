"""API of the case indicators (`/api/v1/indicators/cases`): the same selector as the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from gridgov.core.tabular import file_openapi, file_response

from .indicators import Period, case_indicators, indicators_export

router = Router(tags=["cases 综合评价"])


class IndicatorQuery(Schema):
    by: Literal["town", "grid", "department", "worker", "month", "grid_month"] = "grid"
    start: dt.date | None = None
    end: dt.date | None = None
    kind: Literal["grid_event", "complaint"] | None = None


class IndicatorRow(Schema):
    key: dict[str, Any] | None = None
    label: str = ""
    counts: dict[str, int]
    rates: dict[str, Decimal | None]


class IndicatorOut(Schema):
    by: str
    start: dt.date
    end: dt.date
    kind: str
    rows: list[IndicatorRow]
    total: IndicatorRow


@router.get("/cases", response=IndicatorOut, summary="案件综合评价指标（结案率、按期结案率、返工率……）")
def cases_indicators(request: HttpRequest, q: Query[IndicatorQuery]) -> dict[str, Any]:
    """Counts and rates (percent, two decimals; null when nothing fell due) by grid, department, worker,
    town, month or grid × month over [start, end) (default: the last twelve months)."""
    period = Period.parse(q.start, q.end)
    result = case_indicators(user=request.user, by=q.by, period=period, kind=q.kind)
    return {"by": result["by"], "start": period.start, "end": period.end, "kind": result["kind"],
            "rows": result["rows"], "total": result["total"]}


@router.get("/cases/export", summary="导出案件综合评价（.xlsx 或 .csv；镇街领导、管理员）",
            openapi_extra=file_openapi("综合评价表格文件：各行、合计，全部计数与比率（百分数）"))
def cases_indicators_export(request: HttpRequest, q: Query[IndicatorQuery]) -> Any:
    """The same rows as `GET /cases`, as a spreadsheet; written to the access log."""
    ex = indicators_export(user=request.user, by=q.by, period=Period.parse(q.start, q.end), kind=q.kind,
                           fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)
