"""API of the register. Lists use the same FilterSets as the pages; personal data is masked unless the
caller asks for `unmask=true`, may see it, and the access is logged.

No `from __future__ import annotations` here: ninja builds the `Query[...]` filter models from real
annotations, and with string annotations /api/v1/openapi.json fails (pydantic "QueryParams not fully defined")."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from . import selectors, services
from .models import Enterprise, Resident

router = Router(tags=["register 基础台账"])


class ResidentOut(Schema):
    id: int
    name: str
    id_number: str
    sex: str
    birth_date: dt.date
    phone: str
    household_id: int | None
    relation: str
    address: str
    grid_id: int
    grid_name: str
    town_id: int
    tags: list[str]
    version: int

    @staticmethod
    def build(r: Resident, pii: dict[str, str]) -> dict[str, Any]:
        return {"id": r.pk, "name": r.name, "sex": r.sex, "birth_date": r.birth_date,
                "household_id": r.household_id, "relation": r.relation, "address": r.address,
                "grid_id": r.grid_id, "grid_name": r.grid.name, "town_id": r.town_id, "tags": r.tags,
                "version": r.version, **pii}


class ResidentIn(Schema):
    name: str
    id_number: str
    phone: str = ""
    household: int | None = None
    relation: str = ""
    address: str = ""
    grid: int
    tags: list[str] = []


class ResidentPatch(Schema):
    version: int
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    household: int | None = None
    relation: str | None = None
    address: str | None = None
    grid: int | None = None
    tags: list[str] | None = None


class ResidentFilters(Schema):
    q: str | None = None
    grid: int | None = None
    sex: str | None = None
    tag: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    household: int | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v is not None}


@router.get("/residents", response=list[ResidentOut], summary="居民列表（证件号、手机号脱敏）")
@paginate(LimitOffsetPagination)
def resident_list(request: HttpRequest, filters: Query[ResidentFilters]):
    rows = selectors.resident_list(user=request.user, filters=_clean(filters))
    return _LazyRows(rows, lambda r: ResidentOut.build(r, selectors.masked(r)))


@router.get("/residents/{pk}", response=ResidentOut, summary="居民详情（unmask=true 查看明文并记录）")
def resident_get(request: HttpRequest, pk: int, unmask: bool = False, reason: str = ""):
    r = selectors.resident_get(user=request.user, pk=pk)
    return ResidentOut.build(r, selectors.pii_view(r, user=request.user, unmask=unmask, reason=reason))


@router.post("/residents", response={201: ResidentOut}, summary="登记居民")
def resident_create(request: HttpRequest, payload: ResidentIn):
    r = services.resident_create(acting_user=request.user, data=payload.dict())
    r = selectors.resident_get(user=request.user, pk=r.pk)
    return Status(201, ResidentOut.build(r, selectors.masked(r)))


@router.patch("/residents/{pk}", response=ResidentOut, summary="修改居民（需带 version，冲突返回 409）")
def resident_update(request: HttpRequest, pk: int, payload: ResidentPatch):
    r = selectors.resident_get(user=request.user, pk=pk, action="change")
    services.resident_update(acting_user=request.user, resident=r,
                             data=payload.dict(exclude_unset=True, exclude={"version"}),
                             expected_version=payload.version)
    r = selectors.resident_get(user=request.user, pk=pk)
    return ResidentOut.build(r, selectors.masked(r))


@router.delete("/residents/{pk}", response={204: None}, summary="删除居民")
def resident_delete(request: HttpRequest, pk: int):
    r = selectors.resident_get(user=request.user, pk=pk, action="delete")
    services.resident_delete(acting_user=request.user, resident=r)
    return Status(204, None)


class HouseholdOut(Schema):
    id: int
    number: str
    address: str
    grid_id: int
    town_id: int
    version: int


class HouseholdIn(Schema):
    number: str
    address: str
    grid: int


class HouseholdPatch(Schema):
    version: int
    number: str | None = None
    address: str | None = None
    grid: int | None = None


class HouseholdFilters(Schema):
    q: str | None = None
    grid: int | None = None


@router.get("/households", response=list[HouseholdOut], summary="户列表")
@paginate(LimitOffsetPagination)
def household_list(request: HttpRequest, filters: Query[HouseholdFilters]):
    return selectors.household_list(user=request.user, filters=_clean(filters))


@router.get("/households/{pk}", response=HouseholdOut, summary="户详情")
def household_get(request: HttpRequest, pk: int):
    return selectors.household_get(user=request.user, pk=pk)


@router.post("/households", response={201: HouseholdOut}, summary="登记户")
def household_create(request: HttpRequest, payload: HouseholdIn):
    return Status(201, services.household_create(acting_user=request.user, data=payload.dict()))


@router.patch("/households/{pk}", response=HouseholdOut, summary="修改户")
def household_update(request: HttpRequest, pk: int, payload: HouseholdPatch):
    h = selectors.household_get(user=request.user, pk=pk, action="change")
    return services.household_update(acting_user=request.user, household=h,
                                     data=payload.dict(exclude_unset=True, exclude={"version"}),
                                     expected_version=payload.version)


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    industry: str
    scale: str
    legal_representative: str
    legal_rep_phone: str
    address: str
    lat: float
    lon: float
    grid_id: int
    grid_name: str
    town_id: int
    department_id: int | None
    is_key: bool
    version: int

    @staticmethod
    def build(e: Enterprise, pii: dict[str, str]) -> dict[str, Any]:
        return {"id": e.pk, "name": e.name, "credit_code": e.credit_code, "industry": e.industry,
                "scale": e.scale, "legal_representative": e.legal_representative, "address": e.address,
                "lat": e.lat, "lon": e.lon, "grid_id": e.grid_id, "grid_name": e.grid.name,
                "town_id": e.town_id, "department_id": e.department_id, "is_key": e.is_key,
                "version": e.version, **pii}


class EnterpriseIn(Schema):
    name: str
    credit_code: str
    industry: str
    scale: str
    legal_representative: str
    legal_rep_phone: str = ""
    address: str
    lat: float
    lon: float
    crs: str = "wgs84"
    department: int | None = None
    is_key: bool = False


class EnterprisePatch(Schema):
    version: int
    name: str | None = None
    credit_code: str | None = None
    industry: str | None = None
    scale: str | None = None
    legal_representative: str | None = None
    legal_rep_phone: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    crs: str | None = None
    department: int | None = None
    is_key: bool | None = None


class EnterpriseFilters(Schema):
    q: str | None = None
    grid: int | None = None
    industry: str | None = None
    scale: str | None = None
    is_key: bool | None = None
    department: int | None = None


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表")
@paginate(LimitOffsetPagination)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]):
    rows = selectors.enterprise_list(user=request.user, filters=_clean(filters))
    return _LazyRows(rows, lambda e: EnterpriseOut.build(e, selectors.masked(e)))


@router.get("/enterprises/{pk}", response=EnterpriseOut, summary="企业详情")
def enterprise_get(request: HttpRequest, pk: int, unmask: bool = False, reason: str = ""):
    e = selectors.enterprise_get(user=request.user, pk=pk)
    return EnterpriseOut.build(e, selectors.pii_view(e, user=request.user, unmask=unmask, reason=reason))


@router.post("/enterprises", response={201: EnterpriseOut}, summary="登记企业（按坐标自动落格）")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn):
    e = services.enterprise_create(acting_user=request.user, data=payload.dict())
    e = selectors.enterprise_get(user=request.user, pk=e.pk)
    return Status(201, EnterpriseOut.build(e, selectors.masked(e)))


@router.patch("/enterprises/{pk}", response=EnterpriseOut, summary="修改企业（需带 version）")
def enterprise_update(request: HttpRequest, pk: int, payload: EnterprisePatch):
    e = selectors.enterprise_get(user=request.user, pk=pk, action="change")
    services.enterprise_update(acting_user=request.user, enterprise=e,
                               data=payload.dict(exclude_unset=True, exclude={"version"}),
                               expected_version=payload.version)
    e = selectors.enterprise_get(user=request.user, pk=pk)
    return EnterpriseOut.build(e, selectors.masked(e))


class _LazyRows:
    """A queryset that the paginator can slice and count, mapping each row only after slicing."""

    def __init__(self, qs: Any, fn: Any):
        self.qs, self.fn = qs, fn

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [self.fn(r) for r in self.qs[item]]

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()


