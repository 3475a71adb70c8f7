"""API of the register. Lists use the same FilterSets as the pages; personal data is masked unless the
caller asks for `unmask=true`, may see it, and the access is logged.

No `from __future__ import annotations` here: ninja builds the `Query[...]` filter models from real
annotations, and with string annotations /api/v1/openapi.json fails (pydantic "QueryParams not fully defined")."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gridgov.core.paging import CappedLimitOffset, MappedRows
from gridgov.core.tabular import file_openapi, file_response

from . import selectors, services
from .columns import import_summary
from .models import Enterprise, Resident

router = Router(tags=["register 基础台账"])


class ResidentFilters(Schema):
    q: str | None = None
    grid: int | None = None
    sex: str | None = None
    tag: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    household: int | None = None


class HouseholdFilters(Schema):
    q: str | None = None
    grid: int | None = None


class EnterpriseFilters(Schema):
    q: str | None = None
    grid: int | None = None
    industry: str | None = None
    scale: str | None = None
    is_key: bool | None = None
    department: int | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v is not None}


# ------------------------------------------------------------------ import and export (files)
# Declared before the `/{kind}/{pk}` routes so that `/residents/export` is not taken for a record id.

def _file_doc(description: str, *, unmask: bool = False) -> dict[str, Any]:
    params = []
    if unmask:
        params += [
            {"name": "unmask", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
             "description": "导出明文个人信息（需对全部导出记录有 view_pii 权限，并填写 reason）"},
            {"name": "reason", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "导出明文的事由，写入个人信息访问记录"}]
    return file_openapi(description, params)


class ImportRowError(Schema):
    row: int
    column: str
    value: str
    reason: str


class ImportOut(Schema):
    code: str  # imported | partial | rejected
    detail: str
    run_id: int
    kind: str
    total_rows: int
    imported: int
    error_count: int
    partial: bool
    ignored_columns: list[str]
    row_errors: list[ImportRowError]  # the first 1,000; the full report at report_url
    report_url: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: dict[str, list[str]] = {}


def _import(request: HttpRequest, kind: str, file: UploadedFile, partial: bool) -> Any:
    result = services.register_import(acting_user=request.user, kind=kind, file=file, partial=partial)
    body = import_summary(result)
    body["report_url"] = f"/api/v1/register/imports/{result.run.pk}/report"  # type: ignore[union-attr]
    return Status(422 if result.rejected else 200, body)


def _export(request: HttpRequest, kind: str, filters: Schema) -> Any:
    ex = selectors.export_list(user=request.user, kind=kind, filters=_clean(filters),
                               fmt=request.GET.get("format", "xlsx"), unmask=request.GET.get("unmask") in (
                                   "1", "true", "True"), reason=request.GET.get("reason", ""))
    return file_response(ex.filename, ex.content_type, ex.chunks)


def _template(request: HttpRequest, kind: str) -> Any:
    ex = selectors.import_template(kind=kind, fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)


_IMPORT_RESPONSES = {200: ImportOut, 422: ImportOut | ErrorOut, 403: ErrorOut, 413: ErrorOut}
_IMPORT_DOC = ("multipart/form-data：file（.xlsx 或 .csv，表头见模板）、partial（true 时只导入正确的行）。"
               "默认有任何一行出错即整份不导入，返回 422 和逐行错误（行号、列、原因）。")


@router.post("/residents/import", response=_IMPORT_RESPONSES, summary="导入居民（.xlsx/.csv）", description=_IMPORT_DOC)
def resident_import(request: HttpRequest, file: File[UploadedFile], partial: Form[bool] = False):
    return _import(request, "residents", file, partial)


@router.get("/residents/export", summary="导出居民（与列表相同的筛选；默认脱敏）", openapi_extra=_file_doc(
    "居民表格文件", unmask=True))
def resident_export(request: HttpRequest, filters: Query[ResidentFilters]):
    return _export(request, "residents", filters)


@router.get("/residents/import-template", summary="居民导入模板", openapi_extra=_file_doc("导入模板"))
def resident_template(request: HttpRequest):
    return _template(request, "residents")


@router.post("/households/import", response=_IMPORT_RESPONSES, summary="导入户（.xlsx/.csv）", description=_IMPORT_DOC)
def household_import(request: HttpRequest, file: File[UploadedFile], partial: Form[bool] = False):
    return _import(request, "households", file, partial)


@router.get("/households/export", summary="导出户（与列表相同的筛选）", openapi_extra=_file_doc("户表格文件"))
def household_export(request: HttpRequest, filters: Query[HouseholdFilters]):
    return _export(request, "households", filters)


@router.get("/households/import-template", summary="户导入模板", openapi_extra=_file_doc("导入模板"))
def household_template(request: HttpRequest):
    return _template(request, "households")


@router.post("/enterprises/import", response=_IMPORT_RESPONSES, summary="导入企业（.xlsx/.csv，按坐标自动落格）",
             description=_IMPORT_DOC)
def enterprise_import(request: HttpRequest, file: File[UploadedFile], partial: Form[bool] = False):
    return _import(request, "enterprises", file, partial)


@router.get("/enterprises/export", summary="导出企业（与列表相同的筛选；默认脱敏）", openapi_extra=_file_doc(
    "企业表格文件", unmask=True))
def enterprise_export(request: HttpRequest, filters: Query[EnterpriseFilters]):
    return _export(request, "enterprises", filters)


@router.get("/enterprises/import-template", summary="企业导入模板", openapi_extra=_file_doc("导入模板"))
def enterprise_template(request: HttpRequest):
    return _template(request, "enterprises")


@router.get("/imports/{run_id}", response=ImportOut, summary="一次导入的结果（仅导入人本人可见）")
def import_run_get(request: HttpRequest, run_id: int):
    run = selectors.import_run_get(user=request.user, pk=run_id)
    body = import_summary(run)
    body["report_url"] = f"/api/v1/register/imports/{run.pk}/report"
    return body


@router.get("/imports/{run_id}/report", summary="导入错误报告（行号、列、内容、原因）",
            openapi_extra=_file_doc("错误报告"))
def import_report(request: HttpRequest, run_id: int):
    ex = selectors.import_report(user=request.user, pk=run_id, fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)


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


# The columns `ResidentOut.build` reads (a list reads only these; the household is not joined).
RESIDENT_FIELDS = ("id", "name", "id_number", "sex", "birth_date", "phone", "household", "relation", "address",
                   "grid__name", "town", "version")


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


@router.get("/residents", response=list[ResidentOut], summary="居民列表（证件号、手机号脱敏）")
@paginate(CappedLimitOffset)
def resident_list(request: HttpRequest, filters: Query[ResidentFilters]):
    rows = selectors.resident_list(user=request.user, filters=_clean(filters), fields=RESIDENT_FIELDS)
    return MappedRows(rows, lambda r: ResidentOut.build(r, selectors.masked(r)))


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


@router.get("/households", response=list[HouseholdOut], summary="户列表")
@paginate(CappedLimitOffset)
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


# The columns `EnterpriseOut.build` reads.
ENTERPRISE_FIELDS = ("id", "name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                     "address", "lat", "lon", "grid__name", "town", "department", "is_key", "version")


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


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表")
@paginate(CappedLimitOffset)
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]):
    rows = selectors.enterprise_list(user=request.user, filters=_clean(filters), fields=ENTERPRISE_FIELDS)
    return MappedRows(rows, lambda e: EnterpriseOut.build(e, selectors.masked(e)))


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



