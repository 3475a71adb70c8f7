"""Geometry: find the polygon that holds a point, validate polygons, convert GCJ-02 <-> WGS-84.

Coordinates are stored as WGS-84 (lon, lat order inside GeoJSON). Chinese map apps use GCJ-02; convert at
the edges with `gcj02_to_wgs84` / `wgs84_to_gcj02`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import Polygon, shape
from shapely.strtree import STRtree


def parse_polygon(geojson: str | dict[str, Any] | None) -> Polygon:
    """Parse and check a GeoJSON Polygon (WGS-84). Raises ValidationError naming the reason."""
    if geojson in (None, ""):
        raise ValidationError(_("缺少网格边界"), code="required")
    try:
        data = json.loads(geojson) if isinstance(geojson, str) else geojson
    except (TypeError, ValueError):
        raise ValidationError(_("网格边界不是有效的 GeoJSON"), code="json") from None
    if not isinstance(data, dict) or data.get("type") != "Polygon" or not data.get("coordinates"):
        raise ValidationError(_("网格边界必须是 GeoJSON Polygon"), code="type")
    rings = data["coordinates"]
    try:
        for ring in rings:
            if len(ring) < 4:
                raise ValidationError(_("网格边界至少需要4个点（首尾相同）"), code="short")
            if list(ring[0]) != list(ring[-1]):
                raise ValidationError(_("网格边界未闭合：首点与末点不同"), code="not_closed")
            for lon, lat in ring:
                if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                    raise ValidationError(_("网格边界坐标超出经纬度范围"), code="range")
        poly = shape(data)
    except ValidationError:
        raise
    except (TypeError, ValueError, IndexError):
        raise ValidationError(_("网格边界坐标格式错误"), code="coords") from None
    if not poly.is_valid:
        raise ValidationError(_("网格边界自相交或无效：%(r)s") % {"r": shapely.is_valid_reason(poly)}, code="invalid")
    if poly.area == 0:
        raise ValidationError(_("网格边界面积为零"), code="empty")
    return poly


# Overlap tolerance in square degrees (~1 m²): shared edges are not overlaps.
OVERLAP_TOLERANCE = 1e-10


def overlapping(poly: Polygon, neighbours: Iterable[tuple[Any, Polygon]]) -> list[Any]:
    """Keys of neighbours whose interior overlaps `poly` (touching along an edge is fine)."""
    return [key for key, other in neighbours
            if poly.intersects(other) and poly.intersection(other).area > OVERLAP_TOLERANCE]


class Locator:
    """Find which polygon holds a point. Build once per polygon set; lookups are lock-free and read-only.

    Two indexes: an STRtree, and a raster of cells over the polygons' extent (about six cells across a
    polygon). A cell lying wholly inside one polygon answers by array lookup; only points in cells that
    touch an edge are tested against the (prepared) polygons that intersect their cell.
    """

    PURE_EMPTY = -1  # no polygon touches the cell
    MIXED = -2  # the cell touches an edge: test the candidates

    def __init__(self, items: Sequence[tuple[int, Polygon]], *, cells_per_polygon: int = 6):
        self.keys = np.array([k for k, _p in items], dtype=np.int64)
        self.polygons = [p for _k, p in items]
        for p in self.polygons:
            shapely.prepare(p)
        self._geoms = np.array(self.polygons, dtype=object)
        self.tree = STRtree(self._geoms) if self.polygons else None
        if self.polygons:
            self._build_raster(cells_per_polygon)

    def _build_raster(self, cells_per_polygon: int) -> None:
        x0, y0, x1, y1 = shapely.total_bounds(self._geoms)
        side = int(min(2048, max(16, math.ceil(math.sqrt(len(self.polygons)) * cells_per_polygon))))
        self._x0, self._y0 = x0, y0
        self._dx = (x1 - x0) / side or 1e-9
        self._dy = (y1 - y0) / side or 1e-9
        self._side = side
        cx, cy = np.meshgrid(np.arange(side), np.arange(side), indexing="xy")
        cx, cy = cx.ravel(), cy.ravel()
        boxes = shapely.box(x0 + cx * self._dx, y0 + cy * self._dy, x0 + (cx + 1) * self._dx,
                            y0 + (cy + 1) * self._dy)
        cell_idx, poly_idx = self.tree.query(boxes, predicate="intersects")
        counts = np.bincount(cell_idx, minlength=side * side)
        owner = np.full(side * side, self.PURE_EMPTY, dtype=np.int64)
        owner[counts > 0] = self.MIXED
        single = counts[cell_idx] == 1
        sc, sp = cell_idx[single], poly_idx[single]
        covered = shapely.contains(self._geoms[sp], boxes[sc])
        owner[sc[covered]] = sp[covered]
        self._owner = owner
        # Candidates of each mixed cell in CSR form (cell_idx is sorted by the tree query).
        order = np.lexsort((poly_idx, cell_idx))
        self._cand = poly_idx[order]
        self._start = np.zeros(side * side + 1, dtype=np.int64)
        np.cumsum(counts, out=self._start[1:])

    def __len__(self) -> int:
        return len(self.polygons)

    def _cells(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        ix = np.floor((xs - self._x0) / self._dx).astype(np.int64)
        iy = np.floor((ys - self._y0) / self._dy).astype(np.int64)
        out = (ix < 0) | (iy < 0) | (ix >= self._side) | (iy >= self._side)
        cells = iy * self._side + ix
        cells[out] = -1
        return cells

    def locate(self, lat: float, lon: float) -> int | None:
        """Key of the polygon containing (lat, lon) WGS-84, or None when outside all of them."""
        if self.tree is None:
            return None
        ix = math.floor((lon - self._x0) / self._dx)
        iy = math.floor((lat - self._y0) / self._dy)
        if not (0 <= ix < self._side and 0 <= iy < self._side):
            return None
        cell = iy * self._side + ix
        owner = self._owner[cell]
        if owner >= 0:
            return int(self.keys[owner])
        if owner == self.PURE_EMPTY:
            return None
        candidates = self._cand[self._start[cell]:self._start[cell + 1]]
        for i in candidates:
            if shapely.contains_xy(self.polygons[i], lon, lat):
                return int(self.keys[i])
        # On an edge shared by two grids, or on the outer border: the first polygon that covers the point.
        point = shapely.Point(lon, lat)
        for i in sorted(candidates):
            if shapely.intersects(self.polygons[i], point):
                return int(self.keys[i])
        return None

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> np.ndarray:
        """Vectorised locate; -1 marks points outside every polygon."""
        result = np.full(len(lats), -1, dtype=np.int64)
        if self.tree is None or len(lats) == 0:
            return result
        xs, ys = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        cells = self._cells(xs, ys)
        owner = np.where(cells >= 0, self._owner[np.maximum(cells, 0)], self.PURE_EMPTY)
        pure = owner >= 0
        result[pure] = self.keys[owner[pure]]
        mixed = np.flatnonzero(owner == self.MIXED)
        if len(mixed):
            mcells = cells[mixed]
            counts = self._start[mcells + 1] - self._start[mcells]
            point_idx = np.repeat(mixed, counts)
            offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            poly_idx = self._cand[np.repeat(self._start[mcells], counts) + offsets]
            inside = shapely.contains_xy(self._geoms[poly_idx], xs[point_idx], ys[point_idx])
            point_idx, poly_idx = point_idx[inside], poly_idx[inside]
            # Candidates are in ascending polygon order per cell: keep the first hit per point.
            first = np.ones(len(point_idx), dtype=bool)
            first[1:] = point_idx[1:] != point_idx[:-1]
            result[point_idx[first]] = self.keys[poly_idx[first]]
            # Points exactly on an edge are contained by no polygon: resolve those few one by one.
            for i in mixed[result[mixed] == -1]:
                key = self.locate(float(ys[i]), float(xs[i]))
                if key is not None:
                    result[i] = key
        return result


# GCJ-02 ("Mars coordinates") offset, the published formula used by Chinese map providers.
_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lat: float, lon: float) -> bool:
    return not (73.66 < lon < 135.05 and 3.86 < lat < 53.55)


def _delta(lat: float, lon: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (_A / sq * math.cos(rad) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    if _out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _delta(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """Inverse by fixed-point iteration: error below 1e-7 degrees (~1 cm)."""
    if _out_of_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _i in range(30):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        dlat, dlon = glat - lat, glon - lon
        wlat, wlon = wlat - dlat, wlon - dlon
        if abs(dlat) < 1e-9 and abs(dlon) < 1e-9:
            break
    return wlat, wlon
