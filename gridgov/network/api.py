"""API of the network: divisions, departments, the grid map and locate."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gridgov.core.paging import CappedLimitOffset

from . import selectors, services

PREFIX = "/"
router = Router(tags=["network 网格网络"])


class DivisionOut(Schema):
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    town_id: int | None
    grid_type: str
    area_km2: float | None
    center_lat: float | None
    center_lon: float | None
    version: int


class DivisionDetailOut(DivisionOut):
    polygon: str


class DivisionUpdateIn(Schema):
    name: str | None = None
    polygon: str | None = None
    grid_type: str | None = None
    version: int


class DepartmentOut(Schema):
    id: int
    town_id: int
    code: str
    name: str
    head_id: int | None
    version: int


class DepartmentIn(Schema):
    town: int
    code: str
    name: str
    head: int | None = None


class DepartmentUpdateIn(Schema):
    code: str | None = None
    name: str | None = None
    head: int | None = None
    version: int


class LocateOut(Schema):
    grid_id: int
    grid_code: str
    grid_name: str
    region_grid: str
    town: str
    lat: float
    lon: float


@router.get("/divisions", response=list[DivisionOut], summary="区划网格列表")
@paginate(CappedLimitOffset)
def division_list(request: HttpRequest, level: int | None = None, parent: int | None = None,
                  town: int | None = None):
    return selectors.division_list(user=request.user, filters={"level": level, "parent": parent, "town": town})


@router.get("/divisions/{pk}", response=DivisionDetailOut, summary="区划网格详情")
def division_get(request: HttpRequest, pk: int):
    return selectors.division_get(user=request.user, pk=pk)


@router.patch("/divisions/{pk}", response=DivisionDetailOut, summary="修改区划网格（名称、边界、类型）")
def division_update(request: HttpRequest, pk: int, payload: DivisionUpdateIn):
    division = selectors.division_get(user=request.user, pk=pk)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    return services.division_update(acting_user=request.user, division=division, data=data,
                                    expected_version=payload.version)


@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
@paginate(CappedLimitOffset)
def department_list(request: HttpRequest):
    return selectors.department_list(user=request.user)


@router.post("/departments", response={201: DepartmentOut}, summary="新增部门（管理员，本镇街）")
def department_create(request: HttpRequest, payload: DepartmentIn):
    return Status(201, services.department_create(acting_user=request.user, town=payload.town,
                                                  code=payload.code, name=payload.name, head=payload.head))


@router.get("/departments/{pk}", response=DepartmentOut, summary="部门详情")
def department_get(request: HttpRequest, pk: int):
    return selectors.department_get(user=request.user, pk=pk)


@router.patch("/departments/{pk}", response=DepartmentOut, summary="修改部门（代码、名称、负责人）")
def department_update(request: HttpRequest, pk: int, payload: DepartmentUpdateIn):
    department = selectors.department_get(user=request.user, pk=pk)
    return services.department_update(acting_user=request.user, department=department,
                                      data=payload.dict(exclude_unset=True, exclude={"version"}),
                                      expected_version=payload.version)


@router.get("/grids/map", summary="网格地图数据（边界、类型、人员、数量）")
def grid_map(request: HttpRequest):
    return selectors.grid_map(user=request.user)


@router.get("/grids/locate", response=LocateOut, summary="定位：坐标所在的基础网格")
def grid_locate(request: HttpRequest, lat: float, lon: float, crs: Literal["wgs84", "gcj02"] = "wgs84"):
    grid = selectors.locate(lat=lat, lon=lon, crs=crs, user=request.user)
    return {"grid_id": grid.pk, "grid_code": grid.code, "grid_name": grid.name,
            "region_grid": grid.parent.name if grid.parent else "", "town": grid.town.name if grid.town else "",
            "lat": lat, "lon": lon}


class WorkingHoursOut(Schema):
    town_id: int
    town: str
    periods: str
    timezone: str
    minutes_per_day: int
    own: bool  # the town's own setting (else the installation default)
    version: int  # 0 while the town has none of its own


class WorkingHoursIn(Schema):
    periods: str
    timezone: str = "Asia/Shanghai"
    version: int | None = None


def _hours_out(got: dict) -> dict:
    row, hours = got["row"], got["hours"]
    return {"town_id": got["town"].pk, "town": got["town"].name, "periods": hours.format(), "timezone": hours.tz,
            "minutes_per_day": hours.minutes_per_day, "own": row is not None, "version": row.version if row else 0}


@router.get("/working-hours", response=list[WorkingHoursOut], summary="本镇街的工作时间（管理员）")
def working_hours_list(request: HttpRequest):
    return [_hours_out(g) for g in selectors.working_hours_of_towns(user=request.user)]


@router.get("/working-hours/{town}", response=WorkingHoursOut, summary="一个镇街的工作时间（管理员）")
def working_hours_get(request: HttpRequest, town: int):
    return _hours_out(selectors.working_hours_of_town(user=request.user, pk=town))


@router.put("/working-hours/{town}", response=WorkingHoursOut,
            summary="设置镇街的工作时间（时段如 09:00-12:00,13:30-17:30；version 为 0 表示尚无本镇街设置）")
def working_hours_put(request: HttpRequest, town: int, payload: WorkingHoursIn):
    got = selectors.working_hours_of_town(user=request.user, pk=town)
    services.working_hours_set(acting_user=request.user, town=got["town"], periods=payload.periods,
                               timezone=payload.timezone, expected_version=payload.version)
    return _hours_out(selectors.working_hours_of_town(user=request.user, pk=town))


@router.delete("/working-hours/{town}", response={204: None}, summary="恢复系统默认工作时间")
def working_hours_delete(request: HttpRequest, town: int):
    got = selectors.working_hours_of_town(user=request.user, pk=town)
    services.working_hours_reset(acting_user=request.user, town=got["town"])
    return Status(204, None)


class HolidayDayOut(Schema):
    date: str
    is_working_day: bool
    note: str


class HolidayYearOut(Schema):
    year: int
    provisional: bool
    days: list[HolidayDayOut]


@router.get("/holidays/{year}", response=HolidayYearOut,
            summary="一年的节假日与调休登记（与常规周一至周五不同的日期），及是否为暂定")
def holiday_year(request: HttpRequest, year: int):
    from gridgov.core import calendar
    from gridgov.core.errors import ValidationFailed
    from gridgov.core.models import WorkdayOverride

    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": ["年份应在 2000–2100 之间"]})
    days = [{"date": d.date.isoformat(), "is_working_day": d.is_working_day, "note": d.note}
            for d in WorkdayOverride.objects.filter(date__year=year).order_by("date")]
    return {"year": year, "provisional": calendar.is_provisional(year), "days": days}


class BoundaryImportOut(Schema):
    saved: bool
    created: int
    updated: int
    skipped: dict[str, list[str]]  # features with errors left out (only with save_valid)


@router.post("/boundaries/import", response=BoundaryImportOut,
             summary="导入区划网格边界（multipart：file 为 GeoJSON 或 Shapefile 的 .zip；crs=wgs84|gcj02；"
                     "save_valid=true 时只导入无错误的要素，否则有错误即全部不导入并返回 422 及各要素的错误）")
def boundaries_import(request: HttpRequest, crs: Literal["wgs84", "gcj02"] = Form("wgs84"),
                      save_valid: bool = Form(False), file: UploadedFile = File(...)):
    from gridgov.core.errors import PermissionDenied

    from . import boundaries

    if not selectors.towns_for_change(user=request.user).exists():
        raise PermissionDenied()
    features = boundaries.read_file(file.name or "", file.read())
    report = boundaries.boundaries_import(acting_user=request.user, features=features, crs=crs,
                                          save_valid=save_valid)
    if not report.saved:
        from gridgov.core.errors import ValidationFailed

        raise ValidationFailed(report.as_errors(), message=f"{len(report.errors)} 个要素有错误，未导入任何内容")
    return {"saved": True, "created": report.created, "updated": report.updated, "skipped": report.as_errors()}


@router.get("/boundaries/export", summary="导出区划网格边界（GeoJSON FeatureCollection；crs=wgs84|gcj02；town 为镇街 ID）")
def boundaries_export(request: HttpRequest, crs: Literal["wgs84", "gcj02"] = "wgs84", town: int | None = None):
    from . import boundaries

    node = selectors.division_get(user=request.user, pk=town) if town is not None else None
    return boundaries.export(user=request.user, town=node, crs=crs)
