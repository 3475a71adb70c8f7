"""Writes to the register. Every function: keyword-only, acting_user, one transaction, audited, and the
result re-checked against the actor's scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import delete_audited, save_new, service, update_versioned
from gridgov.core.validators import parse_resident_id
from gridgov.network.models import Department, Division, Level
from gridgov.network.selectors import locate

from .models import Enterprise, Household, Resident, ResidentTag, Tag


def _grid_for(user: Any, grid: Any, action: str = "add") -> Division:
    """The base grid a record goes into: visible to the actor; `action` on the record is checked after the
    write, when the row is read back through restrict()."""
    grid_id = getattr(grid, "pk", grid)
    if not grid_id:
        raise ValidationFailed({"grid": [_("必须选择所属网格")]})
    found = Division.objects.restrict(user, "view").filter(pk=grid_id).first() if str(grid_id).isdigit() else None
    if found is None:
        raise ValidationFailed({"grid": [_("网格不存在或不在您的管辖范围内")]})
    if found.level != Level.BASE_GRID:
        raise ValidationFailed({"grid": [_("只能登记到基础网格")]})
    return found


def _household_for(user: Any, household: Any, town: Division) -> Household | None:
    hid = getattr(household, "pk", household)
    if not hid:
        return None
    found = Household.objects.restrict(user, "view").filter(pk=hid).first() if str(hid).isdigit() else None
    if found is None or found.town_id != town.pk:
        raise ValidationFailed({"household": [_("所属户不存在或不属于本镇街")]})
    return found


def _derive_from_id(resident: Resident) -> None:
    try:
        birth, sex = parse_resident_id(resident.id_number)
    except DjangoValidationError as exc:
        raise ValidationFailed({"id_number": list(exc.messages)},
                               message=_("身份证号：%(r)s") % {"r": exc.messages[0]}) from None
    resident.id_number = resident.id_number.strip().upper()
    resident.birth_date, resident.sex = birth, sex


def _check_unique_id(resident: Resident) -> None:
    dup = Resident.objects.filter(town=resident.town, id_number=resident.id_number).exclude(pk=resident.pk)
    if dup.exists():
        raise ValidationFailed({"id_number": [_("该身份证号已在本镇街登记")]})


def _set_tags(resident: Resident, tags: list[str] | None) -> None:
    if tags is None:
        return
    bad = [t for t in tags if t not in Tag.values]
    if bad:
        raise ValidationFailed({"tags": [_("未知标签：%(t)s") % {"t": "、".join(bad)}]})
    ResidentTag.objects.filter(resident=resident).exclude(tag__in=tags).delete()
    have = set(ResidentTag.objects.filter(resident=resident).values_list("tag", flat=True))
    ResidentTag.objects.bulk_create([ResidentTag(resident=resident, tag=t) for t in set(tags) - have])


RESIDENT_FIELDS = {"name", "id_number", "phone", "household", "relation", "address", "grid", "tags"}


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed({f: [_("未知字段")] for f in sorted(unknown)})


@service
def resident_create(*, acting_user: Any, data: dict[str, Any]) -> Resident:
    _unknown(data, RESIDENT_FIELDS)
    grid = _grid_for(acting_user, data.get("grid"), "add")
    r = Resident(name=(data.get("name") or "").strip(), id_number=(data.get("id_number") or "").strip(),
                 phone=(data.get("phone") or "").strip(), relation=data.get("relation") or "",
                 address=(data.get("address") or "").strip(), grid=grid, town_id=grid.town_id)
    r.household = _household_for(acting_user, data.get("household"), grid.town)
    _derive_from_id(r)
    _check_unique_id(r)
    save_new(r, acting_user=acting_user)
    _set_tags(r, data.get("tags"))
    return r


@service
def resident_update(*, acting_user: Any, resident: Resident, data: dict[str, Any],
                    expected_version: int | None = None) -> Resident:
    _unknown(data, RESIDENT_FIELDS)
    r = get_scoped(Resident.objects, acting_user, "change", pk=resident.pk)
    changes: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
                               if k in {"name", "id_number", "phone", "relation", "address"}}
    if "grid" in data:
        grid = _grid_for(acting_user, data["grid"], "change")
        if grid.town_id != r.town_id:
            raise ValidationFailed({"grid": [_("不能把居民迁到其他镇街的网格")]})
        changes["grid"] = grid
    if "household" in data:
        changes["household"] = _household_for(acting_user, data["household"], r.town)
    if "id_number" in changes:
        probe = Resident(id_number=changes["id_number"], town_id=r.town_id, pk=r.pk)
        _derive_from_id(probe)
        _check_unique_id(probe)
        changes.update(id_number=probe.id_number, birth_date=probe.birth_date, sex=probe.sex)
    update_versioned(r, changes, expected_version=expected_version, acting_user=acting_user)
    _set_tags(r, data.get("tags"))
    return r


@service
def resident_delete(*, acting_user: Any, resident: Resident) -> None:
    r = get_scoped(Resident.objects, acting_user, "delete", pk=resident.pk)
    delete_audited(r, acting_user=acting_user)


HOUSEHOLD_FIELDS = {"number", "address", "grid"}


@service
def household_create(*, acting_user: Any, data: dict[str, Any]) -> Household:
    _unknown(data, HOUSEHOLD_FIELDS)
    grid = _grid_for(acting_user, data.get("grid"), "add")
    h = Household(number=(data.get("number") or "").strip(), address=(data.get("address") or "").strip(),
                  grid=grid, town_id=grid.town_id)
    if Household.objects.filter(town_id=grid.town_id, number=h.number).exists():
        raise ValidationFailed({"number": [_("户编号已存在")]})
    return save_new(h, acting_user=acting_user)


@service
def household_update(*, acting_user: Any, household: Household, data: dict[str, Any],
                     expected_version: int | None = None) -> Household:
    _unknown(data, HOUSEHOLD_FIELDS)
    h = get_scoped(Household.objects, acting_user, "change", pk=household.pk)
    changes = {k: v for k, v in data.items() if k in {"number", "address"}}
    if "grid" in data:
        grid = _grid_for(acting_user, data["grid"], "change")
        if grid.town_id != h.town_id:
            raise ValidationFailed({"grid": [_("不能把户迁到其他镇街的网格")]})
        changes["grid"] = grid
    if "number" in changes and Household.objects.filter(town_id=h.town_id, number=changes["number"]).exclude(
            pk=h.pk).exists():
        raise ValidationFailed({"number": [_("户编号已存在")]})
    return update_versioned(h, changes, expected_version=expected_version, acting_user=acting_user)


ENTERPRISE_FIELDS = {"name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                     "address", "lat", "lon", "crs", "department", "is_key"}


def _located_grid(acting_user: Any, data: dict[str, Any], action: str) -> Division:
    try:
        lat, lon = float(data.get("lat")), float(data.get("lon"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationFailed({"lat": [_("必须提供有效的经纬度")]}) from None
    grid = locate(lat=lat, lon=lon, crs=data.get("crs") or "wgs84")
    return _grid_for(acting_user, grid.pk, action)


def _department_for(user: Any, department: Any, town_id: int) -> Department | None:
    did = getattr(department, "pk", department)
    if not did:
        return None
    found = Department.objects.filter(pk=did).first() if str(did).isdigit() else None
    if found is None or found.town_id != town_id:
        raise ValidationFailed({"department": [_("主管部门不存在或不属于本镇街")]})
    return found


def _check_unique_code(e: Enterprise) -> None:
    if Enterprise.objects.filter(town_id=e.town_id, credit_code=e.credit_code).exclude(pk=e.pk).exists():
        raise ValidationFailed({"credit_code": [_("该统一社会信用代码已在本镇街登记")]})


@service
def enterprise_create(*, acting_user: Any, data: dict[str, Any]) -> Enterprise:
    _unknown(data, ENTERPRISE_FIELDS)
    grid = _located_grid(acting_user, data, "add")
    e = Enterprise(
        name=(data.get("name") or "").strip(), credit_code=(data.get("credit_code") or "").strip().upper(),
        industry=(data.get("industry") or "").strip(), scale=data.get("scale") or "",
        legal_representative=(data.get("legal_representative") or "").strip(),
        legal_rep_phone=(data.get("legal_rep_phone") or "").strip(), address=(data.get("address") or "").strip(),
        lat=float(data["lat"]), lon=float(data["lon"]), grid=grid, town_id=grid.town_id,
        is_key=bool(data.get("is_key")))
    if data.get("crs") == "gcj02":
        from gridgov.core.geo import gcj02_to_wgs84

        e.lat, e.lon = gcj02_to_wgs84(e.lat, e.lon)
    e.department = _department_for(acting_user, data.get("department"), grid.town_id)
    _check_unique_code(e)
    return save_new(e, acting_user=acting_user)


@service
def enterprise_update(*, acting_user: Any, enterprise: Enterprise, data: dict[str, Any],
                      expected_version: int | None = None) -> Enterprise:
    _unknown(data, ENTERPRISE_FIELDS)
    e = get_scoped(Enterprise.objects, acting_user, "change", pk=enterprise.pk)
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
               if k in {"name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                        "address", "is_key"}}
    if "credit_code" in changes:
        changes["credit_code"] = changes["credit_code"].upper()
    if "lat" in data or "lon" in data:
        merged = {"lat": data.get("lat", e.lat), "lon": data.get("lon", e.lon), "crs": data.get("crs")}
        grid = _located_grid(acting_user, merged, "change")
        if grid.town_id != e.town_id:
            raise ValidationFailed({"lat": [_("新位置不在本镇街")]})
        lat, lon = float(merged["lat"]), float(merged["lon"])
        if data.get("crs") == "gcj02":
            from gridgov.core.geo import gcj02_to_wgs84

            lat, lon = gcj02_to_wgs84(lat, lon)
        changes.update(lat=lat, lon=lon, grid=grid)
    if "department" in data:
        changes["department"] = _department_for(acting_user, data["department"], e.town_id)
    if "credit_code" in changes:
        _check_unique_code(Enterprise(pk=e.pk, town_id=e.town_id, credit_code=changes["credit_code"]))
    return update_versioned(e, changes, expected_version=expected_version, acting_user=acting_user)
