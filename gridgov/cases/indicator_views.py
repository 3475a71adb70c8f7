"""The indicators page (综合评价): a table per dimension and ECharts charts, from the same selector as the
API (gridgov.cases.indicators.case_indicators)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.core.errors import ValidationFailed

from .indicators import DIMENSION_LABELS, DIMENSIONS, Period, case_indicators, rate_labels
from .models import Kind


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    def row(r: dict[str, Any]) -> dict[str, Any]:
        return {"label": r.get("label", ""), "counts": r["counts"], "key": r.get("key"), "rates": {k: (float(v) if v is not None else None) for k, v in r["rates"].items()}}

    return {"by": result["by"], "rows": [row(r) for r in result["rows"]], "total": row(result["total"]),
            "rates": rate_labels()}


@login_required
def indicators_page(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "grid")
    by = by if by in DIMENSIONS else "grid"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    try:
        period = Period.parse(request.GET.get("start"), request.GET.get("end"))
    except (ValueError, ValidationFailed):  # the page shows the default period for a date it cannot use
        period = Period.parse(None, None)
    result = case_indicators(user=request.user, by=by, period=period, kind=kind or None)
    keys = [r["key"] for r in rate_labels()]
    for row in [*result["rows"], result["total"]]:
        row["cells"] = [row["rates"][k] for k in keys]
    monthly = case_indicators(user=request.user, by="month", period=period, kind=kind or None)
    ctx = {"result": result, "rates": rate_labels(), "by": by, "kind": kind, "period": period,
           "dimensions": [(k, DIMENSION_LABELS[k]) for k in DIMENSIONS], "kinds": Kind.choices,
           "chart": _jsonable(result), "monthly": _jsonable(monthly)}
    return render(request, "cases/indicators.html", ctx)
