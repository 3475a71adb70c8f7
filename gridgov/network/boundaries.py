"""Grid boundaries in and out of the division tree (issue 15, item 4b): a surveyor's GeoJSON FeatureCollection or
Shapefile (a .zip of .shp/.shx/.dbf, read with pyshp) in WGS-84 or GCJ-02, checked as a whole before anything is
written, and the tree out as a GeoJSON FeatureCollection.

Each feature carries its division's code (统计代码) and name, and for a division not yet in the tree its parent's
code. The report names, per feature, what is wrong: a missing or unreadable polygon, a self-intersecting one, an
overlap with a neighbour of the same level, a part outside its parent, a gap its children leave in a parent, an
unknown parent code. Nothing is saved while anything is wrong, unless asked to save the features without errors.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any, Literal

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from gridgov.core.errors import ValidationFailed
from gridgov.core.geo import OVERLAP_TOLERANCE, gcj02_to_wgs84, parse_polygon, wgs84_to_gcj02
from gridgov.core.scope import get_scoped
from gridgov.core.services import service, update_versioned

from .models import Division, GridType, Level

Crs = Literal["wgs84", "gcj02"]
MAX_BYTES = 20_000_000
MAX_FEATURES = 5_000
# A gap smaller than this share of its parent is drawing noise, not a hole between grids.
GAP_SHARE = 0.001
_CODE_KEYS = ("code", "CODE", "Code", "统计代码", "代码", "division_code")
_NAME_KEYS = ("name", "NAME", "Name", "名称", "网格名称")
_PARENT_KEYS = ("parent_code", "parent", "PARENT", "PARENT_CODE", "上级代码", "上级")
_TYPE_KEYS = ("grid_type", "GRID_TYPE", "网格类型")


@dataclass
class Feature:
    index: int  # 1-based, in the order of the file
    code: str
    name: str
    parent_code: str
    grid_type: str
    geometry: Any  # GeoJSON geometry as read (in the file's coordinate system)
    errors: list[str] = field(default_factory=list)
    polygon: Any = None  # shapely Polygon in WGS-84 once read
    division: Division | None = None  # the existing node, when the code is in the tree
    parent: Division | None = None
    level: int = 0

    @property
    def label(self) -> str:
        return f"#{self.index} {self.code or '?'} {self.name}".strip()


@dataclass
class Report:
    features: list[Feature]
    saved: bool = False
    created: int = 0
    updated: int = 0

    @property
    def errors(self) -> list[Feature]:
        return [f for f in self.features if f.errors]

    def as_errors(self) -> dict[str, list[str]]:
        """The report as the API's error body: one entry per feature with errors."""
        return {f"features.{f.index}": [f"{f.label}：{e}" for e in f.errors] for f in self.errors}


def _first(props: dict[str, Any], keys: tuple[str, ...]) -> str:
    for k in keys:
        if props.get(k) not in (None, ""):
            return str(props[k]).strip()
    return ""


def _features_of(items: list[tuple[dict[str, Any], Any]]) -> list[Feature]:
    if len(items) > MAX_FEATURES:
        raise ValidationFailed({"file": [_("要素过多（最多 %(n)s 个）") % {"n": MAX_FEATURES}]})
    if not items:
        raise ValidationFailed({"file": [_("文件中没有要素")]})
    return [Feature(i, _first(p, _CODE_KEYS), _first(p, _NAME_KEYS), _first(p, _PARENT_KEYS),
                    _first(p, _TYPE_KEYS), g) for i, (p, g) in enumerate(items, start=1)]


def read_geojson(data: bytes) -> list[Feature]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed({"file": [_("不是有效的 GeoJSON 文件（UTF-8 编码的 JSON）")]}) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        doc = {"type": "FeatureCollection", "features": [doc]}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise ValidationFailed({"file": [_("GeoJSON 应为 FeatureCollection")]})
    items = [((f.get("properties") or {}) if isinstance(f, dict) else {}, f.get("geometry") if isinstance(f, dict)
              else None) for f in doc["features"]]
    return _features_of([(p if isinstance(p, dict) else {}, g) for p, g in items])


def read_shapefile(data: bytes) -> list[Feature]:
    """A zipped Shapefile: .shp, .shx and .dbf (any folder inside the zip); the .cpg names the text encoding of
    the attributes, else UTF-8, else GBK (what Chinese GIS tools write by default)."""
    import shapefile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = {n.lower().rsplit(".", 1)[-1]: n for n in archive.namelist() if "." in n and not n.startswith("__MACOSX")}
        if not {"shp", "dbf"} <= set(names):
            raise ValidationFailed({"file": [_("Shapefile 压缩包中应有 .shp 和 .dbf 文件（以及 .shx）")]})
        parts = {k: io.BytesIO(archive.read(names[k])) for k in ("shp", "shx", "dbf") if k in names}
        encodings = [archive.read(names["cpg"]).decode("ascii", "ignore").strip()] if "cpg" in names else []
    except (zipfile.BadZipFile, OSError):
        raise ValidationFailed({"file": [_("不是有效的 zip 压缩包（Shapefile 请将 .shp/.shx/.dbf 一起压缩上传）")]}) from None
    for encoding in [*encodings, "utf-8", "gbk"]:
        try:
            for part in parts.values():
                part.seek(0)
            reader = shapefile.Reader(**parts, encoding=encoding)
            items = [(sr.record.as_dict(), sr.shape.__geo_interface__ if sr.shape.shapeType else None)
                     for sr in reader.iterShapeRecords()]
            return _features_of(items)
        except (UnicodeDecodeError, LookupError):
            continue
        except ValidationFailed:
            raise
        except Exception as exc:  # noqa: BLE001 — a damaged file fails inside pyshp in many ways: say so, never a 500
            raise ValidationFailed({"file": [_("无法读取 Shapefile：%(r)s") % {"r": str(exc)[:200]}]}) from None
    raise ValidationFailed({"file": [_("Shapefile 属性表的编码无法识别（请附 .cpg 文件）")]})


def read_file(name: str, data: bytes) -> list[Feature]:
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": [_("文件过大（最多 20 MB）")]})
    lower = name.lower()
    if lower.endswith(".zip"):
        return read_shapefile(data)
    if lower.endswith((".geojson", ".json")):
        return read_geojson(data)
    raise ValidationFailed({"file": [_("请上传 GeoJSON（.geojson/.json）或压缩的 Shapefile（.zip）")]})


def _to_wgs84(geometry: Any, crs: Crs) -> Any:
    """The geometry's Polygon (a MultiPolygon of one part is that part) in WGS-84, as GeoJSON."""
    if not isinstance(geometry, dict):
        raise ValidationError(_("缺少边界"))
    if geometry.get("type") == "MultiPolygon" and len(geometry.get("coordinates") or []) == 1:
        geometry = {"type": "Polygon", "coordinates": geometry["coordinates"][0]}
    if geometry.get("type") != "Polygon":
        raise ValidationError(_("边界应为一个多边形（Polygon），而不是 %(t)s") % {"t": str(geometry.get("type"))[:20]})
    rings = geometry.get("coordinates") or []
    try:
        rings = [[[float(pt[0]), float(pt[1])] for pt in ring] for ring in rings]
    except (TypeError, ValueError, IndexError):
        raise ValidationError(_("边界坐标格式错误")) from None
    if crs == "gcj02":
        rings = [[list(reversed(gcj02_to_wgs84(lat, lon))) for lon, lat in ring] for ring in rings]
        for ring in rings:  # the conversion keeps a closed ring closed only up to rounding
            if ring:
                ring[-1] = ring[0]
    return {"type": "Polygon", "coordinates": rings}


def check(*, user: Any, features: list[Feature], crs: Crs) -> Report:
    """Everything wrong with the file, per feature, against the tree as the user may change it."""
    codes = [f.code for f in features if f.code]
    existing = {d.code: d for d in Division.objects.restrict(user, "change").filter(code__in=codes)}
    taken = set(Division.objects.filter(code__in=codes).exclude(pk__in=[d.pk for d in existing.values()])
                .values_list("code", flat=True))
    parent_codes = {f.parent_code for f in features if f.parent_code} - set(codes)
    parents = {d.code: d for d in Division.objects.restrict(user, "change").filter(code__in=parent_codes)}
    seen: dict[str, Feature] = {}
    for f in features:
        if not f.code:
            f.errors.append(_("缺少统计代码（属性 code）"))
        elif f.code in seen:
            f.errors.append(_("统计代码与 #%(i)s 重复") % {"i": seen[f.code].index})
        else:
            seen[f.code] = f
        if f.code in taken:
            f.errors.append(_("统计代码已被管辖范围以外的区划使用"))
        f.division = existing.get(f.code)
        try:
            geojson = _to_wgs84(f.geometry, crs)
            f.polygon = parse_polygon(geojson)
            f.geometry = geojson
        except ValidationError as exc:
            f.errors.extend(str(m) for m in exc.messages)
        except Exception:  # noqa: BLE001 — geometry the geometry library cannot build is a wrong feature, not a 500
            f.errors.append(_("边界坐标格式错误"))
    # Where each feature sits: its node in the tree, else under its parent (in the tree or in the file).
    for f in features:
        if f.division is not None:
            f.level = f.division.level
            continue
        if not f.name:
            f.errors.append(_("新区划缺少名称（属性 name）"))
        if not f.parent_code:
            f.errors.append(_("区划不在树中，且未给出上级代码（属性 parent_code）"))
            continue
        parent_feature = seen.get(f.parent_code)
        parent = parents.get(f.parent_code) or (parent_feature.division if parent_feature else None)
        if parent is None and parent_feature is not None and parent_feature.level:
            f.level = parent_feature.level + 1
        elif parent is None:
            f.errors.append(_("上级代码 %(c)s 不存在或不在管辖范围内") % {"c": f.parent_code})
            continue
        else:
            f.parent, f.level = parent, parent.level + 1
        if f.level < Level.VILLAGE or f.level > Level.BASE_GRID:
            f.errors.append(_("只能导入村（社区）、片区网格和基础网格"))
        elif f.code and not f.code.startswith(f.parent_code):
            f.errors.append(_("统计代码应以上级代码 %(c)s 开头") % {"c": f.parent_code})
        if f.grid_type and f.grid_type not in GridType.values:
            f.errors.append(_("网格类型应为 %(v)s 之一") % {"v": "、".join(GridType.values)})
    _check_geometry(features)
    return Report(features)


def _parent_code(f: Feature) -> str:
    if f.division is not None and f.division.parent_id:
        return f.division.path.strip("/").split("/")[-2]
    return f.parent_code


def _check_geometry(features: list[Feature]) -> None:
    """Overlaps between neighbours (same level, same parent: the file's polygons over the tree's), parts outside a
    parent, and gaps the children leave in their parent."""
    drawn = [f for f in features if f.polygon is not None and f.level]
    by_parent: dict[str, list[Feature]] = {}
    for f in drawn:
        by_parent.setdefault(_parent_code(f), []).append(f)
    in_file = {f.code for f in drawn}
    siblings_in_tree = {code: [(d.name, parse_polygon(d.polygon)) for d in Division.objects.filter(
        parent__code=code).exclude(polygon="").exclude(code__in=in_file).only("name", "polygon")]
        for code in by_parent}
    polygons = {f.code: f.polygon for f in drawn}
    for code, group in by_parent.items():
        tree = shapely.STRtree([g.polygon for g in group]) if group else None
        for i, f in enumerate(group):
            for j in tree.query(f.polygon):
                other = group[int(j)]
                if j != i and f.polygon.intersection(other.polygon).area > OVERLAP_TOLERANCE:
                    f.errors.append(_("与相邻区划 %(o)s 重叠") % {"o": other.label})
            for name, poly in siblings_in_tree[code]:
                if f.polygon.intersects(poly) and f.polygon.intersection(poly).area > OVERLAP_TOLERANCE:
                    f.errors.append(_("与已有的相邻区划“%(n)s”重叠") % {"n": name})
        parent_poly = polygons.get(code)
        if parent_poly is None:
            node = Division.objects.filter(code=code).exclude(polygon="").only("polygon").first()
            parent_poly = parse_polygon(node.polygon) if node else None
        if parent_poly is None:
            continue
        for f in group:
            outside = f.polygon.difference(parent_poly).area
            if outside > max(OVERLAP_TOLERANCE, f.polygon.area * GAP_SHARE):
                f.errors.append(_("超出上级区划 %(c)s 的边界") % {"c": code})
        covered = unary_union([g.polygon for g in group] + [p for _n, p in siblings_in_tree[code]])
        gap = parent_poly.difference(covered).area
        if gap > parent_poly.area * GAP_SHARE:
            # On the parent when the file redraws it, else on each child: together they leave the hole.
            parent_feature = next((g for g in features if g.code == code), None)
            message = _("下级区划之间或边缘有空隙：上级 %(c)s 约 %(p).1f%% 的面积未被覆盖") % {
                "c": code, "p": 100 * gap / parent_poly.area}
            for target in [parent_feature] if parent_feature else group:
                target.errors.append(message)


@service
def boundaries_import(*, acting_user: Any, features: list[Feature], crs: Crs = "wgs84",
                      save_valid: bool = False) -> Report:
    """Check the whole file; save it when nothing is wrong, or (with `save_valid`) the features without errors.
    Redrawn nodes keep their version history (update_versioned, audited); new nodes are created under their
    parent, parents before children. The locator is reloaded once."""
    from . import services

    report = check(user=acting_user, features=features, crs=crs)
    if report.errors and not save_valid:
        return report
    ok = [f for f in features if not f.errors]
    created: dict[str, Division] = {}
    for f in sorted(ok, key=lambda f: f.level):
        text = json.dumps(f.geometry)
        if f.division is not None:
            division = get_scoped(Division.objects, acting_user, "change", pk=f.division.pk)
            services.set_geometry_fields(division, text)
            changes: dict[str, Any] = {"polygon": text}
            if f.name:
                changes["name"] = f.name
            if f.grid_type:
                changes["grid_type"] = f.grid_type
            update_versioned(division, changes, expected_version=None, acting_user=acting_user)
            report.updated += 1
            continue
        parent = f.parent or created.get(f.parent_code)
        if parent is None:  # its parent had errors and was left out
            f.errors.append(_("上级 %(c)s 有错误未导入，本区划也未导入") % {"c": f.parent_code})
            continue
        created[f.code] = services.division_insert(
            acting_user=acting_user, parent=parent, level=f.level, code=f.code, name=f.name, polygon=text,
            grid_type=f.grid_type or (GridType.URBAN if f.level == Level.BASE_GRID else ""))
        report.created += 1
    services.geo_changed()
    report.saved = True
    return report


def export(*, user: Any, town: Any = None, crs: Crs = "wgs84") -> dict[str, Any]:
    """The tree the user may see (or one town of it) as a GeoJSON FeatureCollection: code, name, level,
    parent_code, grid_type; a node without a boundary has a null geometry."""
    qs = Division.objects.restrict(user, "view").select_related("parent").order_by("path")
    if town is not None:
        qs = qs.filter(path__startswith=town.path)
    out = []
    for d in qs.only("code", "name", "level", "grid_type", "polygon", "parent__code"):
        geometry = None
        if d.polygon:
            geometry = json.loads(d.polygon)
            if crs == "gcj02":
                poly = shape(geometry)
                geometry = mapping(shapely.transform(poly, lambda xy: _gcj(xy)))
                geometry = json.loads(json.dumps(geometry))
        out.append({"type": "Feature", "geometry": geometry,
                    "properties": {"code": d.code, "name": d.name, "level": d.level,
                                   "parent_code": d.parent.code if d.parent else None, "grid_type": d.grid_type}})
    return {"type": "FeatureCollection", "crs_name": "GCJ-02" if crs == "gcj02" else "WGS-84", "features": out}


def _gcj(xy: Any) -> Any:
    import numpy as np

    return np.array([list(reversed(wgs84_to_gcj02(lat, lon))) for lon, lat in xy])
