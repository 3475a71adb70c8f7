"""API of the network: divisions, departments, the grid map and locate."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
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
