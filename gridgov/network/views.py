"""Network pages: the grid map (Leaflet) and the division tree."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridgov.core.history import history_for

from . import selectors


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    grids = selectors.grid_map(user=request.user)
    return render(request, "network/map.html", {"grids": grids, "count": len(grids)})


@login_required
def division_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k) for k in ("level", "parent", "town") if request.GET.get(k, "").isdigit()}
    divisions = selectors.division_list(user=request.user, filters=filters)[:500]
    return render(request, "network/division_list.html", {"divisions": divisions})


@login_required
def division_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.division_get(user=request.user, pk=pk)
    children = selectors.division_list(user=request.user, filters={"parent": d.pk})
    return render(request, "network/division_detail.html", {
        "d": d, "children": children, "history": history_for(d, user=request.user)})
