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
    division = _new_node(parent=parent, level=level, code=code, name=name, polygon=polygon, grid_type=grid_type)
    _check_polygon(division, polygon)
    _insert(division, acting_user=acting_user)
    if polygon and level == Level.BASE_GRID:
        _bump_geo()
    return division


def _new_node(*, parent: Division | None, level: int, code: str, name: str, polygon: str,
              grid_type: str) -> Division:
    division = Division(parent=parent, level=level, code=code, name=name, polygon=polygon, grid_type=grid_type)
    division.path = (parent.path if parent else "") + code + "/"
    division.town = (parent if parent.level == Level.TOWN else parent.town) if parent else None
    if level == Level.TOWN:
        division.town = None
    return division


def _insert(division: Division, *, acting_user: Any) -> None:
    set_geometry_fields(division, division.polygon)
    save_new(division, acting_user=acting_user)
    if division.level == Level.TOWN:
        Division.objects.filter(pk=division.pk).update(town=division)
        division.town = division


def division_insert(*, acting_user: Any, parent: Division, level: int, code: str, name: str, polygon: str,
                    grid_type: str = "") -> Division:
    """A new node whose polygon the caller has checked against the whole of its file (network/boundaries.py:
    the file's neighbours replace the tree's, so a one-by-one check would see overlaps that the file removes).
    Inside the caller's service: audited and re-checked for scope; the caller reloads the locator."""
    parent = get_scoped(Division.objects, acting_user, "add", pk=parent.pk)
    if level != parent.level + 1:
        raise ValidationFailed({"level": [_("层级必须比上级低一级")]})
    division = _new_node(parent=parent, level=level, code=code, name=name, polygon=polygon, grid_type=grid_type)
    _insert(division, acting_user=acting_user)
    return division


def geo_changed() -> None:
    """Every process's locator reloads the grids (after a write that bypassed division_update)."""
    _bump_geo()


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


# -- working hours of a town (系统设置 → 工作时间) ---------------------------------------------------------

def _working_hours_checks(periods: str, tz: str) -> str:
    """All that is wrong with working hours at once; the periods written the calendar's way."""
    import zoneinfo

    from gridgov.core.calendar import WorkingHours

    errors: dict[str, list[str]] = {}
    written = ""
    if not periods:
        errors["periods"] = [_("必填")]
    elif len(periods) > 200:
        errors["periods"] = [_("过长（最多 %(n)s 个字符）") % {"n": 200}]
    else:
        try:
            written = WorkingHours.parse(periods.replace("，", ",").replace("～", "-").replace("–", "-")).format()
        except ValueError:
            errors["periods"] = [_("格式应为 09:00-12:00,13:30-17:30：各时段按先后排列、不重叠，开始早于结束")]
    if not tz:
        errors["timezone"] = [_("必填")]
    elif tz not in zoneinfo.available_timezones():
        errors["timezone"] = [_("不是有效的时区（例如 Asia/Shanghai）")]
    if errors:
        raise ValidationFailed(errors)
    return written


def _town_for_change(acting_user: Any, town: Any) -> Division:
    town = get_scoped(Division.objects, acting_user, "change", pk=getattr(town, "pk", town))
    if town.level != Level.TOWN:
        raise ValidationFailed({"town": [_("工作时间按镇（街道）设置")]})
    return town


@service
def working_hours_set(*, acting_user: Any, town: Division | int, periods: str, timezone: str = "Asia/Shanghai",
                      expected_version: int | None = None) -> Any:
    """Set the working hours of the administrator's own town: its deadlines count in them from now on (the
    calendar re-reads them on commit). Another edit since `expected_version` is a conflict (409)."""
    from gridgov.core import audit
    from gridgov.core.calendar import bump_version
    from gridgov.core.errors import Conflict
    from gridgov.core.models import WorkingHoursConfig

    town = _town_for_change(acting_user, town)
    periods = _working_hours_checks((periods or "").strip(), (timezone or "").strip())
    tz = timezone.strip()
    row = WorkingHoursConfig.objects.select_for_update().filter(jurisdiction=town.code).first()
    if row is None:
        if expected_version not in (None, 0):
            raise Conflict(current_version=0)
        row = WorkingHoursConfig.objects.create(jurisdiction=town.code, periods=periods, timezone=tz)
        audit.record(row, "create")
        return row
    if expected_version is not None and expected_version != row.version:
        raise Conflict(current_version=row.version)
    before = audit.snapshot(row)
    row.periods, row.timezone = periods, tz
    WorkingHoursConfig.objects.filter(pk=row.pk, version=row.version).update(
        periods=periods, timezone=tz, version=F("version") + 1)
    row.version += 1
    audit.record(row, "update", before)
    bump_version()  # an UPDATE sends no post_save: tell every process's calendar
    return row


@service
def working_hours_reset(*, acting_user: Any, town: Division | int) -> None:
    """The town's own working hours removed: the installation default applies again."""
    from gridgov.core.models import WorkingHoursConfig
    from gridgov.core.services import delete_audited

    town = _town_for_change(acting_user, town)
    row = WorkingHoursConfig.objects.filter(jurisdiction=town.code).first()
    if row is not None:
        delete_audited(row, acting_user=acting_user)
