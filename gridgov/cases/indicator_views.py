"""The indicators page (综合评价): a table per dimension and ECharts charts, from the same selector as the
API (gridgov.cases.indicators.case_indicators)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import can
from gridgov.core.tabular import check_format, file_response

from .indicators import DIMENSION_LABELS, DIMENSIONS, Period, case_indicators, indicators_export, rate_labels
from .models import Case, Kind


def _jsonable(result: dict[str, Any]) -> dict[str, Any]:
    def row(r: dict[str, Any]) -> dict[str, Any]:
        return {"label": r.get("label", ""), "counts": r["counts"], "key": r.get("key"), "rates": {k: (float(v) if v is not None else None) for k, v in r["rates"].items()}}

    return {"by": result["by"], "rows": [row(r) for r in result["rows"]], "total": row(result["total"]),
            "rates": rate_labels()}


def _params(request: HttpRequest) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The page's choices (dimension, type, period) and what is wrong with them, each under its field."""
    errors: dict[str, list[str]] = {}
    by = request.GET.get("by") or "grid"
    kind = request.GET.get("kind", "")
    if by not in DIMENSIONS:
        errors["by"] = [str(_("取值不在允许范围内"))]
    if kind and kind not in Kind.values:
        errors["kind"] = [str(_("取值不在允许范围内"))]
    try:
        period = Period.parse(request.GET.get("start"), request.GET.get("end"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
        period = None
    ctx: dict[str, Any] = {"rates": rate_labels(), "by": by, "kind": kind, "period": period, "errors": errors,
                           "start": request.GET.get("start", ""), "end": request.GET.get("end", ""),
                           "dimensions": [(k, DIMENSION_LABELS[k]) for k in DIMENSIONS], "kinds": Kind.choices,
                           "can_export": can(request.user, "export", Case)}
    return ctx, errors


@login_required
def indicators_page(request: HttpRequest) -> HttpResponse:
    """A period, dimension or type the page cannot use is named under its field (422) with nothing counted: the
    figures of another period than the one typed would be taken for it."""
    ctx, errors = _params(request)
    if errors:
        return render(request, "cases/indicators.html", ctx, status=422)
    by, kind, period = ctx["by"], ctx["kind"], ctx["period"]
    result = case_indicators(user=request.user, by=by, period=period, kind=kind or None)
    keys = [r["key"] for r in rate_labels()]
    for row in [*result["rows"], result["total"]]:
        row["cells"] = [row["rates"][k] for k in keys]
    monthly = case_indicators(user=request.user, by="month", period=period, kind=kind or None)
    ctx.update({"result": result, "chart": _jsonable(result), "monthly": _jsonable(monthly),
                "start": period.start.isoformat(), "end": period.end.isoformat(),
                "export_query": urlencode({"by": by, "kind": kind, "start": period.start.isoformat(),
                                           "end": period.end.isoformat()})})
    return render(request, "cases/indicators.html", ctx)


@login_required
def indicators_export_view(request: HttpRequest) -> HttpResponse:
    """The page's table as .xlsx (or `format=csv`), for the same choices; a choice it cannot use is named on
    the page (422), as there."""
    ctx, errors = _params(request)
    try:
        fmt = check_format(request.GET.get("format", "xlsx"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        return render(request, "cases/indicators.html", ctx, status=422)
    ex = indicators_export(user=request.user, by=ctx["by"], period=ctx["period"], kind=ctx["kind"] or None,
                           fmt=fmt)
    return file_response(ex.filename, ex.content_type, ex.chunks)
