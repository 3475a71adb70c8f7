"""Polygons of the demo towns: an irregular town outline, tiled recursively into villages, region grids and
base grids with seeded Voronoi cells (Lloyd-relaxed so that cells come out of similar size).

Every level tiles its parent exactly: cells are Voronoi cells clipped to the parent, and fragments that a
non-convex parent cuts off are given to the neighbour they share the longest edge with. Only the town outline
is snapped to a 1e-7 degree grid; cell coordinates keep full float precision (JSON round-trips floats
exactly), because rounding a vertex that lies on a neighbour's edge would open slivers between them.
Computation happens in kilometres (a local equirectangular projection at 36°N), storage in WGS-84 degrees.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Sequence

import shapely
from shapely import affinity
from shapely.geometry import MultiPoint, Polygon, mapping
from shapely.ops import unary_union
from shapely.strtree import STRtree

KM_PER_DEG_LAT = 111.32
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(36.0))
GRID_SIZE = 1e-7  # degrees (about 1 cm): the town outline snaps to this grid


def to_km(poly: Polygon) -> Polygon:
    return affinity.scale(poly, xfact=KM_PER_DEG_LON, yfact=KM_PER_DEG_LAT, origin=(0, 0))


def to_deg(poly: Polygon) -> Polygon:
    return affinity.scale(poly, xfact=1 / KM_PER_DEG_LON, yfact=1 / KM_PER_DEG_LAT, origin=(0, 0))


def snap(poly: Polygon) -> Polygon:
    """Snap to the storage grid; keep the original if snapping would break the polygon (never in practice)."""
    snapped = shapely.set_precision(poly, GRID_SIZE)
    if isinstance(snapped, Polygon) and snapped.is_valid and not snapped.is_empty:
        return snapped
    return poly


def outline(rng: random.Random, *, lat: float, lon: float, area_km2: float, aspect: float,
            wobble: float = 0.10, vertices: int = 96) -> Polygon:
    """An irregular, star-shaped town outline (degrees) of exactly `area_km2` around (lat, lon).

    `aspect` is east-west extent over north-south extent; `wobble` the relative amplitude of the bumps."""
    harmonics = [(k, rng.uniform(0.3, 1.0) * wobble / k ** 0.7, rng.uniform(0, 2 * math.pi)) for k in range(2, 9)]
    points = []
    for i in range(vertices):
        theta = 2 * math.pi * i / vertices
        r = 1.0 + sum(a * math.sin(k * theta + phase) for k, a, phase in harmonics)
        points.append((r * math.cos(theta) * aspect, r * math.sin(theta)))
    shape_km = Polygon(points)
    factor = math.sqrt(area_km2 / shape_km.area)
    shape_km = affinity.scale(shape_km, xfact=factor, yfact=factor, origin=(0, 0))
    shape_km = affinity.translate(shape_km, xoff=lon * KM_PER_DEG_LON, yoff=lat * KM_PER_DEG_LAT)
    return snap(to_deg(shape_km))


def random_point_in(poly: Polygon, rng: random.Random, *, margin: float = 0.0) -> tuple[float, float]:
    """A uniformly random (lon, lat) strictly inside `poly` (and `margin` away from its edge, in its units)."""
    inner = poly.buffer(-margin) if margin else poly
    if inner.is_empty:
        inner = poly
    minx, miny, maxx, maxy = inner.bounds
    for _i in range(10_000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(inner, x, y):
            return x, y
    p = inner.representative_point()
    return p.x, p.y


def _cells(points: Sequence[tuple[float, float]], parent: Polygon) -> list[Polygon | shapely.Geometry]:
    """Voronoi cells of `points` (in their order), clipped to `parent`."""
    diagram = shapely.voronoi_polygons(MultiPoint(points), extend_to=parent, ordered=True)
    return [cell.intersection(parent) for cell in diagram.geoms]


def _single_parts(cells: list[shapely.Geometry]) -> list[Polygon]:
    """Make every cell one Polygon: keep each cell's largest part, hand the other parts to the neighbouring
    cell they share the longest boundary with."""
    main: list[Polygon] = []
    orphans: list[Polygon] = []
    for cell in cells:
        parts = sorted((g for g in getattr(cell, "geoms", [cell]) if isinstance(g, Polygon) and g.area > 0),
                       key=lambda g: g.area, reverse=True)
        main.append(parts[0] if parts else Polygon())
        orphans.extend(parts[1:])
    for piece in sorted(orphans, key=lambda g: g.area, reverse=True):
        best, best_len = None, 0.0
        for i, cell in enumerate(main):
            if cell.is_empty or not cell.intersects(piece):
                continue
            shared = cell.boundary.intersection(piece.boundary).length
            if shared > best_len:
                best, best_len = i, shared
        if best is not None:
            merged = unary_union([main[best], piece])
            if isinstance(merged, Polygon):
                main[best] = merged
    return main


Point2 = tuple[float, float]


def _segments(poly: Polygon) -> list[tuple[Point2, Point2]]:
    coords = list(poly.exterior.coords)
    return list(zip(coords[:-1], coords[1:], strict=True))


def _key(a: Point2, b: Point2) -> tuple[Point2, Point2]:
    return (a, b) if a <= b else (b, a)


def _wiggle(cells: list[Polygon], *, seed: int, ratio: float, depth: int = 3) -> list[Polygon]:
    """Bend the edges two cells share into irregular lines, like the roads and streams real grid boundaries
    follow. Both cells get the same line (it depends only on the edge), the outer boundary stays as it is, so
    the cells still tile their parent. Edges whose bending would break a cell or make two cells overlap stay
    straight."""
    counts = Counter(_key(a, b) for c in cells if not c.interiors for a, b in _segments(c))
    paths: dict[tuple[Point2, Point2], list[Point2]] = {}
    for key in sorted(k for k, n in counts.items() if n == 2):
        (ax, ay), (bx, by) = key
        length = math.hypot(bx - ax, by - ay)
        if length < 0.05:  # km: leave short edges straight
            continue
        r = random.Random(f"{seed}:{key}")
        pts: list[Point2] = [key[0], key[1]]
        amplitude = ratio * length
        for _i in range(depth):  # midpoint displacement, halving the amplitude at each level
            bent = [pts[0]]
            for (px, py), (qx, qy) in zip(pts, pts[1:], strict=False):
                seg = math.hypot(qx - px, qy - py) or 1.0
                d = r.uniform(-amplitude, amplitude)
                bent += [((px + qx) / 2 - (qy - py) / seg * d, (py + qy) / 2 + (qx - px) / seg * d), (qx, qy)]
            pts, amplitude = bent, amplitude / 2
        paths[key] = pts

    def bend(cell: Polygon) -> Polygon:
        if cell.interiors:
            return cell
        ring: list[Point2] = []
        for a, b in _segments(cell):
            key = _key(a, b)
            if key in paths:
                line = paths[key] if key == (a, b) else paths[key][::-1]
                ring.extend(line[:-1])
            else:
                ring.append(a)
        return Polygon(ring + ring[:1])

    for _attempt in range(6):
        bent = [bend(c) for c in cells]
        bad = {i for i, p in enumerate(bent) if not p.is_valid}
        tree = STRtree(bent)
        left, right = tree.query(bent, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i < j and i not in bad and j not in bad and bent[i].intersection(bent[j]).area > 1e-9:
                bad |= {int(i), int(j)}
        if not bad:
            return bent
        for i in bad:
            for a, b in _segments(cells[i]):
                paths.pop(_key(a, b), None)
    return cells


def tile(parent_deg: Polygon, n: int, rng: random.Random, *, relax: int = 3, wiggle: float = 0.07) -> list[Polygon]:
    """Split `parent_deg` into `n` polygons (degrees) that cover it without gaps or overlaps.

    Cells are ordered west to east in bands from north to south, so numbering reads like a map."""
    if n == 1:
        return [parent_deg]
    parent = to_km(parent_deg)
    minx, miny, maxx, maxy = parent.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(parent, x, y):
            points.append((x, y))
    for _i in range(relax):  # Lloyd relaxation: move each seed to its cell's centroid
        cells = _cells(points, parent)
        points = [(c.centroid.x, c.centroid.y) if not c.is_empty else p for c, p in zip(cells, points, strict=True)]
    cells = _single_parts(_cells(points, parent))
    cells = [c for c in cells if not c.is_empty]
    if len(cells) != n:
        raise RuntimeError(f"tiling produced {len(cells)} cells instead of {n}")
    if wiggle:
        cells = _wiggle(cells, seed=rng.getrandbits(32), ratio=wiggle)
    band = max((maxy - miny) / max(1, round(math.sqrt(n))), 1e-9)
    cells.sort(key=lambda c: (-int((c.centroid.y - miny) // band), c.centroid.x))
    return [to_deg(c) for c in cells]


def geojson(poly: Polygon) -> str:
    """GeoJSON Polygon text (lon, lat) at full precision."""
    rings = [[[x, y] for x, y in ring] for ring in mapping(poly)["coordinates"]]
    return json.dumps({"type": "Polygon", "coordinates": rings}, separators=(",", ":"))
