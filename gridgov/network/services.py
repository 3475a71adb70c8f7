"""Writes to the division tree: create and edit nodes (with polygon checks), departments."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.geo import overlapping, parse_polygon
from gridgov.core.scope import get_scoped
from gridgov.core.services import save_new, service, update_versioned

from .models import Department, Division, GeoState, Level

_AREA_KM2_PER_DEG2_AT_36N = 111.32 * 111.32 * 0.809  # cos(36°): good enough for display of grid areas


def set_geometry_fields(division: Division, polygon: str) -> None:
    """Fill a division's area and centre from its polygon (GeoJSON text), or clear them."""
    if not polygon:
        division.area_km2 = division.center_lat = division.center_lon = None
        return
    poly = parse_polygon(polygon)
    division.area_km2 = round(poly.area * _AREA_KM2_PER_DEG2_AT_36N, 4)
    c = poly.representative_point()
    division.center_lat, division.center_lon = c.y, c.x


def _check_polygon(division: Division, polygon: str) -> None:
    """A grid polygon must be valid, closed, and not overlap another grid of the same level in its town."""
    if not polygon:
        if division.level == Level.BASE_GRID:
            raise ValidationFailed({"polygon": [_("基础网格必须有边界")]})
        return
    try:
        poly = parse_polygon(polygon)
    except Exception as exc:  # django ValidationError: keep its message, name the field
        raise ValidationFailed({"polygon": [str(m) for m in getattr(exc, "messages", [str(exc)])]}) from None
    siblings = (Division.objects.filter(level=division.level, town=division.town).exclude(pk=division.pk)
                .exclude(polygon="").values_list("name", "polygon"))
    candidates = [(name, parse_polygon(p)) for name, p in siblings]
    clash = overlapping(poly, candidates)
    if clash:
        raise ValidationFailed({"polygon": [_("网格边界与相邻网格“%(n)s”重叠") % {"n": "、".join(clash[:3])}]})


def _bump_geo() -> None:
    updated = GeoState.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        GeoState.objects.create(pk=1, version=1)


@service
def division_create(*, acting_user: Any, parent: Division | None, level: int, code: str, name: str,
                    polygon: str = "", grid_type: str = "") -> Division:
    if parent is not None:
        parent = get_scoped(Division.objects, acting_user, "add", pk=parent.pk)
        if level != parent.level + 1:
            raise ValidationFailed({"level": [_("层级必须比上级低一级")]})
    elif level != Level.DISTRICT:
        raise ValidationFailed({"parent": [_("只有区（县）可以没有上级")]})
    division = Division(parent=parent, level=level, code=code, name=name, polygon=polygon, grid_type=grid_type)
    division.path = (parent.path if parent else "") + code + "/"
    division.town = (parent if parent.level == Level.TOWN else parent.town) if parent else None
    if level == Level.TOWN:
        division.town = None
    _check_polygon(division, polygon)
    set_geometry_fields(division, polygon)
    save_new(division, acting_user=acting_user)
    if level == Level.TOWN:
        Division.objects.filter(pk=division.pk).update(town=division)
        division.town = division
    if polygon and level == Level.BASE_GRID:
        _bump_geo()
    return division


@service
def division_update(*, acting_user: Any, division: Division, data: dict[str, Any],
                    expected_version: int | None = None) -> Division:
    """Rename or redraw a node. Code, level and parent are fixed: moving a subtree is a migration, not an edit."""
    allowed = {"name", "polygon", "grid_type"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed({f: [_("该字段不可修改")] for f in unknown})
    division = get_scoped(Division.objects, acting_user, "change", pk=division.pk)
    if "polygon" in data:
        _check_polygon(division, data["polygon"])
        set_geometry_fields(division, data["polygon"])
    update_versioned(division, data, expected_version=expected_version, acting_user=acting_user)
    # Every process's locator keeps the grids with their parent and town (names included): reload them all.
    _bump_geo()
    return division


def _department_checks(*, town: Division, code: str, name: str, head: Any, exclude_pk: int | None) -> Any:
    """All that is wrong with a department's fields at once (the form shows each under its field); the head,
    when given, must be a staff account of the same town."""
    from gridgov.accounts.models import User

    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("必填")]
    elif len(code) > 20:
        errors["code"] = [_("过长（最多 %(n)s 个字符）") % {"n": 20}]
    if not name:
        errors["name"] = [_("必填")]
    elif len(name) > 100:
        errors["name"] = [_("过长（最多 %(n)s 个字符）") % {"n": 100}]
    others = Department.objects.filter(town=town).exclude(pk=exclude_pk)
    if code and others.filter(code=code).exists():
        errors.setdefault("code", []).append(_("本镇街已有该部门代码"))
    if name and others.filter(name=name).exists():
        errors.setdefault("name", []).append(_("本镇街已有同名部门"))
    if head not in (None, ""):
        head = User.objects.filter(pk=getattr(head, "pk", head), town=town, kind=User.Kind.STAFF,
                                   is_active=True).first() if str(getattr(head, "pk", head)).isdigit() else None
        if head is None:
            errors["head"] = [_("部门负责人须为本镇街在职的工作人员")]
    else:
        head = None
    if errors:
        raise ValidationFailed(errors)
    return head


@service
def department_create(*, acting_user: Any, town: Division | int, code: str, name: str,
                      head: Any = None) -> Department:
    town = get_scoped(Division.objects, acting_user, "add", pk=getattr(town, "pk", town))
    if town.level != Level.TOWN:
        raise ValidationFailed({"town": [_("部门只能属于镇（街道）")]})
    code, name = (code or "").strip(), (name or "").strip()
    head = _department_checks(town=town, code=code, name=name, head=head, exclude_pk=None)
    return save_new(Department(town=town, code=code, name=name, head=head), acting_user=acting_user)


@service
def department_update(*, acting_user: Any, department: Department, data: dict[str, Any],
                      expected_version: int | None = None) -> Department:
    """Rename a department, change its code or head. Its town is fixed: its cases and staff belong there."""
    unknown = set(data) - {"code", "name", "head"}
    if unknown:
        raise ValidationFailed({f: [_("该字段不可修改")] for f in unknown})
    department = get_scoped(Department.objects.select_related("town"), acting_user, "change", pk=department.pk)
    code = (data.get("code", department.code) or "").strip()
    name = (data.get("name", department.name) or "").strip()
    head = _department_checks(town=department.town, code=code, name=name,
                              head=data.get("head", department.head_id), exclude_pk=department.pk)
    return update_versioned(department, {"code": code, "name": name, "head": head},
                            expected_version=expected_version, acting_user=acting_user)
