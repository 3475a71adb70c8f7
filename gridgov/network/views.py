"""Network pages: the grid map (Leaflet), the division tree, a division's page and its edit form (name, type
and polygon, checked by network.services.division_update)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import Conflict, ValidationFailed
from gridgov.core.history import history_for

from . import selectors, services
from .models import Division, GridType, Level


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    grids = selectors.grid_map(user=request.user)
    return render(request, "network/map.html", {
        "grids": grids, "count": sum(1 for g in grids if g["level"] == Level.BASE_GRID),
        "outlines": selectors.town_outlines(user=request.user)})


def _tree_rows(divisions: list[Division]) -> list[tuple[Division, int]]:
    """(division, depth) in path order; depth is relative to the shallowest node the user can see."""
    if not divisions:
        return []
    top = min(d.level for d in divisions)
    return [(d, d.level - top) for d in divisions]


@login_required
def division_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) for k in ("level", "parent", "town") if request.GET.get(k, "").isdigit()}
    divisions = list(selectors.division_list(user=request.user, filters=filters)
                     .only("id", "name", "code", "level", "grid_type", "path", "parent__name")[:2000])
    return render(request, "network/division_list.html", {
        "rows": _tree_rows(divisions), "levels": Level.choices, "level": filters.get("level", "")})


@login_required
def division_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.division_get(user=request.user, pk=pk)
    children = selectors.division_list(user=request.user, filters={"parent": d.pk})
    tab = "history" if request.GET.get("tab") == "history" else "info"
    return render(request, "network/division_detail.html", {
        "d": d, "children": children, "tab": tab,
        "history": history_for(d, user=request.user) if tab == "history" else [],
        "can_change": Division.objects.restrict(request.user, "change").filter(pk=d.pk).exists()})


def _neighbours(user: Any, d: Division) -> list[dict[str, Any]]:
    """The division's siblings on the map preview, so an overlap can be seen before it is saved."""
    if d.parent_id is None:
        return []
    rows = (Division.objects.restrict(user, "view").filter(parent_id=d.parent_id).exclude(pk=d.pk)
            .exclude(polygon="").only("id", "code", "name", "level", "grid_type", "polygon"))
    return [{"id": s.pk, "code": s.code, "name": s.name, "level": s.level, "grid_type": s.grid_type,
             "polygon": s.polygon, "staff": [], "residents": 0, "enterprises": 0, "parent": "",
             "grid_type_label": s.get_grid_type_display(), "area_km2": None} for s in rows]


@login_required
@require_http_methods(["GET", "POST"])
def division_edit(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.division_get(user=request.user, pk=pk)
    if not Division.objects.restrict(request.user, "change").filter(pk=d.pk).exists():
        from gridgov.core.errors import PermissionDenied

        raise PermissionDenied()
    data: dict[str, Any] = {"name": d.name, "grid_type": d.grid_type, "polygon": _pretty(d.polygon)}
    errors: dict[str, list[str]] = {}
    version, status = d.version, 200
    if request.method == "POST":
        data = {"name": request.POST.get("name", "").strip(), "polygon": request.POST.get("polygon", "").strip()}
        if d.is_grid:
            data["grid_type"] = request.POST.get("grid_type", "")
        version = int(request.POST.get("version") or 0)
        try:
            services.division_update(acting_user=request.user, division=d, data=data, expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("network:division_detail", pk=d.pk)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
    return render(request, "network/division_form.html", {
        "d": d, "data": data, "errors": errors, "version": version, "grid_types": GridType.choices,
        "other_errors": {k: v for k, v in errors.items() if k not in {"name", "polygon", "grid_type"}},
        "neighbours": _neighbours(request.user, d)}, status=status)


def _pretty(polygon: str) -> str:
    try:
        return json.dumps(json.loads(polygon), ensure_ascii=False) if polygon else ""
    except ValueError:
        return polygon
