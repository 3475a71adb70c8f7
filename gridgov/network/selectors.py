"""Reads of the division tree, restricted to the user's scope."""

from __future__ import annotations

import copy
import threading
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.geo import Locator, gcj02_to_wgs84, parse_polygon
from gridgov.core.scope import get_scoped

from .models import Department, Division, GeoState, Level


def division_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Division]:
    qs = Division.objects.restrict(user, "view").select_related("parent")
    filters = filters or {}
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("parent"):
        qs = qs.filter(parent_id=filters["parent"])
    if filters.get("town"):
        qs = qs.filter(town_id=filters["town"])
    return qs


def division_get(*, user: Any, pk: Any) -> Division:
    return get_scoped(Division.objects.select_related("parent", "town"), user, "view", pk=pk)


def department_list(*, user: Any) -> QuerySet[Department]:
    return Department.objects.restrict(user, "view").select_related("town", "head")


def department_settings_list(*, user: Any) -> QuerySet[Department]:
    """The departments the user may change (an administrator: those of their town), for the settings page."""
    return Department.objects.restrict(user, "change").select_related("town", "head").order_by("town__path", "code")


def department_for_change(*, user: Any, pk: Any) -> Department:
    return get_scoped(Department.objects.select_related("town", "head"), user, "change", pk=pk)


def towns_for_change(*, user: Any) -> QuerySet[Division]:
    """The towns (镇街) the user may configure: an administrator's own town."""
    return Division.objects.restrict(user, "change").filter(level=Level.TOWN).order_by("path")


def department_get(*, user: Any, pk: Any) -> Department:
    return get_scoped(Department.objects.select_related("town", "head"), user, "view", pk=pk)


def home_counts(*, user: Any, town_levels: bool = False) -> dict[str, int]:
    """The base grids the user may see (no figure when they may see no division), and with `town_levels` the
    villages (communities) and region grids: the network's figures on the home page."""
    from gridgov.core.scope import can

    visible = Division.objects.restrict(user, "view")
    out = {"grids": visible.filter(level=Level.BASE_GRID).count()} if can(user, "view", Division) else {}
    if town_levels:
        out["villages"] = visible.filter(level=Level.VILLAGE).count()
        out["regions"] = visible.filter(level=Level.REGION_GRID).count()
    return out


def grid_map(*, user: Any, town: Division | None = None) -> list[dict[str, Any]]:
    """Grids visible to the user with polygon, type, staff and register counts: the map page's data."""
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    qs = Division.objects.restrict(user, "view").filter(level__in=[Level.REGION_GRID, Level.BASE_GRID])
    if town is not None:
        qs = qs.filter(town=town)
    qs = qs.select_related("parent").annotate(n_residents=Count("residents", distinct=True),
                                              n_enterprises=Count("enterprises", distinct=True))
    grids = list(qs.only("id", "code", "name", "level", "grid_type", "polygon", "parent__name", "center_lat",
                         "center_lon", "area_km2"))
    staff: dict[int, list[dict[str, str]]] = {}
    roles = [Role.GRID_WORKER, Role.GRID_LEADER]
    for a in RoleAssignment.objects.filter(division__in=[g.pk for g in grids], role__in=roles).select_related("user"):
        staff.setdefault(a.division_id, []).append({"role": a.get_role_display(), "name": str(a.user)})
    return [{
        "id": g.pk, "code": g.code, "name": g.name, "level": g.level, "grid_type": g.grid_type,
        "grid_type_label": g.get_grid_type_display(), "parent": g.parent.name if g.parent else "",
        "polygon": g.polygon, "area_km2": g.area_km2, "residents": g.n_residents,
        "enterprises": g.n_enterprises, "staff": staff.get(g.pk, []),
    } for g in grids]


class _LocatorCache:
    """One locator per process, rebuilt when GeoState.version moves (another process changed a grid), with
    the base grids themselves (and their parent and town) so that locating a point needs no second query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._locator: Locator | None = None
        self._grids: dict[int, Division] = {}

    def _current(self) -> tuple[Locator, dict[int, Division]]:
        with connection.cursor() as cursor:  # plain SQL: every report and every located import row asks
            cursor.execute(f"SELECT version FROM {connection.ops.quote_name(GeoState._meta.db_table)} WHERE id = 1")
            row = cursor.fetchone()
        version = row[0] if row else 0
        if self._locator is None or version != self._version:
            with self._lock:
                grids = list(Division.objects.filter(level=Level.BASE_GRID).exclude(polygon="")
                             .select_related("parent", "town"))
                self._grids = {g.pk: g for g in grids}
                self._locator = Locator([(g.pk, parse_polygon(g.polygon)) for g in grids])
                self._version = version
        assert self._locator is not None
        return self._locator, self._grids

    def get(self) -> Locator:
        return self._current()[0]

    def grid_at(self, lat: float, lon: float) -> Division | None:
        """A copy of the base grid holding the point (callers may change it without touching the cache)."""
        locator, grids = self._current()
        pk = locator.locate(lat, lon)
        return copy.copy(grids[pk]) if pk is not None else None


locator_cache = _LocatorCache()


def locate(*, lat: float, lon: float, crs: str = "wgs84", user: Any = None) -> Division:
    """The base grid holding a point. `crs="gcj02"` for coordinates from Chinese map apps."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationFailed({"lat": [_("坐标超出经纬度范围")]})
    if crs == "gcj02":
        lat, lon = gcj02_to_wgs84(lat, lon)
    elif crs != "wgs84":
        raise ValidationFailed({"crs": [_("坐标系只能是 wgs84 或 gcj02")]})
    grid = locator_cache.grid_at(lat, lon)
    if grid is None:
        raise ValidationFailed({"location": [_("该位置不在本辖区任何网格内（超出辖区范围）")]})
    if user is not None and not Division.objects.restrict(user, "view").filter(pk=grid.pk).exists():
        # The point lies in someone else's grid: say so without revealing which.
        raise ValidationFailed({"location": [_("该位置不在您的管辖范围内")]})
    return grid


def user_town_ids(*, user: Any) -> set[int]:
    """Towns the user works in: from their role assignments (division or department) and their account."""
    towns: set[int] = set()
    for a in user.assignments_cached() if hasattr(user, "assignments_cached") else []:
        if a.division_id:
            towns.add(a.division.town_id or (a.division_id if a.division.level == Level.TOWN else 0))
        if a.department_id:
            towns.add(a.department.town_id)
    if getattr(user, "town_id", None):
        towns.add(user.town_id)
    towns.discard(0)
    return towns


def department_choices(*, user: Any) -> QuerySet[Department]:
    """Departments a record of the user's town may be assigned to (pick lists on forms)."""
    return Department.objects.filter(town_id__in=user_town_ids(user=user)).only("id", "name", "code", "town_id")


def town_outlines(*, user: Any) -> list[dict[str, Any]]:
    """The outer boundary of each town the user can see grids in (union of its base grids), or whose
    department they work in (a department clerk sees no grid, but their cases lie in its town), as GeoJSON:
    the map's background when no tiles load. Only the outline is shared, never the grids of others' scope."""
    grids = (Division.objects.restrict(user, "view").filter(level__gte=Level.TOWN).exclude(town=None)
             .order_by().values_list("town_id", flat=True))
    departments = Department.objects.restrict(user, "view").order_by().values_list("town_id", flat=True)
    return _outlines(set(grids.union(departments)))


def public_outlines() -> list[dict[str, Any]]:
    """Every town's outline, for the public report page: a resident pins the place on a map that shows where
    the jurisdiction lies, with no account and no tile server (a town's boundary is public; its grids are
    not shown)."""
    return _outlines(set(Division.objects.filter(level=Level.TOWN).values_list("id", flat=True)))


def _outlines(town_ids: set[int]) -> list[dict[str, Any]]:
    import json

    from django.core.cache import cache
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    if not town_ids:
        return []
    version = GeoState.objects.filter(pk=1).values_list("version", flat=True).first() or 0
    out = []
    for town in Division.objects.filter(pk__in=town_ids).only("id", "name").order_by("path"):
        key = f"gridgov:outline2:{town.pk}:{version}"
        geo = cache.get(key)
        if geo is None:
            polys = [parse_polygon(p) for p in Division.objects.filter(town=town, level=Level.BASE_GRID)
                     .exclude(polygon="").values_list("polygon", flat=True)]
            # Closing by a metre (1e-5°) and opening again removes the hairline slivers that float rounding
            # leaves between neighbouring grids; the outline is otherwise the exact union.
            geo = json.dumps(mapping(unary_union(polys).buffer(1e-5).buffer(-1e-5))) if polys else ""
            cache.set(key, geo, 3600)
        if geo:
            out.append({"id": town.pk, "name": town.name, "geojson": geo})
    return out


def working_hours_of_towns(*, user: Any) -> list[dict[str, Any]]:
    """Each town the user may configure with the working hours its deadlines count in: its own row, else the
    installation default (two queries, whatever the number of towns)."""
    from gridgov.core import calendar
    from gridgov.core.models import WorkingHoursConfig

    towns = list(towns_for_change(user=user))
    rows = {r.jurisdiction: r for r in WorkingHoursConfig.objects.filter(jurisdiction__in=[t.code for t in towns])}
    default = calendar.working_hours_for()
    return [{"town": t, "row": rows.get(t.code),
             "hours": (calendar.WorkingHours.parse(rows[t.code].periods, rows[t.code].timezone)
                       if t.code in rows else default)} for t in towns]


def working_hours_of_town(*, user: Any, pk: Any) -> dict[str, Any]:
    """One town the user may configure, with its working hours (404 for any other division)."""
    town = get_scoped(Division.objects, user, "change", pk=pk, level=Level.TOWN)
    from gridgov.core import calendar
    from gridgov.core.models import WorkingHoursConfig

    row = WorkingHoursConfig.objects.filter(jurisdiction=town.code).first()
    hours = calendar.WorkingHours.parse(row.periods, row.timezone) if row else calendar.working_hours_for()
    return {"town": town, "row": row, "hours": hours}
