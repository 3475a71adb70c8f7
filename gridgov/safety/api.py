"""API of safety supervision (/api/v1/safety): parse → service/selector → schema."""


import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.paging import CappedLimitOffset
from gridgov.core.scope import get_scoped
from gridgov.core.validators import MAX_ID

from . import rating, selectors, services
from .models import ChecklistItem, ChecklistTemplate, Hazard, InspectionAnswer, SafetyProfile

router = Router(tags=["safety 安全监管"])


class SafetyProfileOut(Schema):
    id: int
    enterprise_id: int
    name: str
    industry: str
    colour: str
    supervision_class: str
    inherent_colour: str
    score: int
    n_open: int
    n_overdue: int
    n_major: int
    why: str
    version: int

    @staticmethod
    def resolve_name(obj: SafetyProfile) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_why(obj: SafetyProfile) -> str:
        return rating.explain(obj.colour, obj.inherent_colour, rating.counts_of(obj))


class SafetyProfileFilters(Schema):
    q: str | None = None
    colour: str | None = None
    supervision_class: str | None = None
    industry: str | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v is not None}


@router.get("/profiles", response=list[SafetyProfileOut], summary="企业安全档案（含风险颜色与原因）")
@paginate(CappedLimitOffset)
def profile_list(request: HttpRequest, filters: Query[SafetyProfileFilters]):
    return selectors.profile_list(user=request.user, filters=_clean(filters))


@router.get("/profiles/{pk}", response=SafetyProfileOut, summary="企业安全档案")
def profile_get(request: HttpRequest, pk: int):
    return selectors.profile_get(user=request.user, pk=pk)


class SafetyProfileIn(Schema):
    version: int
    industry: str | None = None
    employees: int | None = None
    hazardous_chemicals: bool | None = None
    chemicals: str | None = None
    dust: bool | None = None
    confined_space: bool | None = None
    ammonia: bool | None = None
    special_operations: str | None = None
    risk_method: str | None = None
    likelihood: float | None = None
    severity: float | None = None
    exposure: float | None = None
    consequence: float | None = None
    principal: str | None = None
    principal_phone: str | None = None
    safety_officer: str | None = None
    safety_officer_phone: str | None = None


@router.patch("/profiles/{pk}", response=SafetyProfileOut, summary="修改企业安全档案（固有风险与评级随之重算）")
def profile_update(request: HttpRequest, pk: int, payload: SafetyProfileIn):
    p = selectors.profile_get(user=request.user, pk=pk)
    values = {k: v for k, v in payload.dict().items() if v is not None and k != "version"}
    for name in ("chemicals", "special_operations", "principal", "safety_officer"):
        if name in values and len(values[name]) > 200:
            raise ValidationFailed({name: [_("过长")]})
    return services.profile_update(acting_user=request.user, profile=p, version=payload.version, values=values)


class SafetyHazardOut(Schema):
    id: int
    number: str | None
    title: str
    profile_id: int
    level: str
    stage: str
    status: str
    deadline: dt.datetime | None
    overdue: bool
    major_reason: str
    version: int


class SafetyHazardFilters(Schema):
    q: str | None = None
    level: str | None = None
    status: str | None = None
    overdue: bool | None = None
    profile: int | None = None


@router.get("/hazards", response=list[SafetyHazardOut], summary="隐患列表")
@paginate(CappedLimitOffset)
def hazard_list(request: HttpRequest, filters: Query[SafetyHazardFilters]):
    return selectors.hazard_list(user=request.user, filters=_clean(filters))


@router.get("/hazards/{pk}", response=SafetyHazardOut, summary="隐患")
def hazard_get(request: HttpRequest, pk: int):
    return selectors.hazard_get(user=request.user, pk=pk)


class SafetyFireIn(Schema):
    transition: str
    version: int
    note: str = ""
    data: dict[str, Any] = {}


@router.post("/hazards/{pk}/fire", response=SafetyHazardOut,
             summary="隐患闭环操作：plan（五定）/ submit / accept / reject / close（销号，须先验收）/ report / supervise")
def hazard_fire(request: HttpRequest, pk: int, payload: SafetyFireIn):
    h = selectors.hazard_get(user=request.user, pk=pk)
    if len(payload.note) > 2000:
        raise ValidationFailed({"note": [_("过长")]})
    return services.hazard_fire(acting_user=request.user, hazard=h, transition=payload.transition,
                                expected_version=payload.version, data=payload.data, note=payload.note)


class SafetyInspectionOut(Schema):
    id: int
    profile_id: int
    template_id: int
    kind: str
    state: str
    inspector_id: int
    due_on: dt.date | None
    score: float | None
    max_score: int
    n_fail: int
    n_major: int
    version: int


class SafetyInspectionFilters(Schema):
    state: str | None = None
    kind: str | None = None
    profile: int | None = None
    mine: bool | None = None


@router.get("/inspections", response=list[SafetyInspectionOut], summary="安全检查列表")
@paginate(CappedLimitOffset)
def inspection_list(request: HttpRequest, filters: Query[SafetyInspectionFilters]):
    return selectors.inspection_list(user=request.user, filters=_clean(filters))


class SafetyStartIn(Schema):
    profile: int
    template: int
    kind: str = "staff"
    departments: list[int] = []


@router.post("/inspections", response={201: SafetyInspectionOut}, summary="开始检查（企业账号为企业自查）")
def inspection_start(request: HttpRequest, payload: SafetyStartIn):
    if not 1 <= payload.template <= MAX_ID or not 1 <= payload.profile <= MAX_ID:
        raise NotFound()
    if any(not 1 <= d <= MAX_ID for d in payload.departments):
        raise ValidationFailed({"departments": [_("请选择本镇街的部门")]})
    if getattr(request.user, "kind", "") == "enterprise":
        towns = [p.town_id for p in selectors.my_profiles(user=request.user)]
        template = ChecklistTemplate.objects.filter(pk=payload.template, town_id__in=towns).first()
        if template is None:
            raise NotFound()
    else:
        template = get_scoped(ChecklistTemplate.objects.all(), request.user, "view", pk=payload.template)
    i = services.inspection_start(acting_user=request.user, profile_id=payload.profile, template=template,
                                  kind=payload.kind, department_ids=payload.departments)
    return Status(201, i)


@router.get("/inspections/{pk}", response=SafetyInspectionOut, summary="安全检查")
def inspection_get(request: HttpRequest, pk: int):
    return selectors.inspection_get(user=request.user, pk=pk)


class SafetyAnswerIn(Schema):
    item: int
    result: str
    level: str = ""
    note: str = ""
    place: str = ""
    follow_up: str = ""


class SafetyAnswerOut(Schema):
    item_id: int
    result: str
    level: str
    note: str
    has_photo: bool
    missing_evidence: str

    @staticmethod
    def resolve_has_photo(obj: InspectionAnswer) -> bool:
        return bool(obj.photo)

    @staticmethod
    def resolve_missing_evidence(obj: InspectionAnswer) -> str:
        return services.missing_evidence(obj, obj.item)


@router.post("/inspections/{pk}/answers", response=SafetyAnswerOut, summary="保存一个检查项的结果（逐项保存，可重复）")
def answer_save(request: HttpRequest, pk: int, payload: SafetyAnswerIn):
    i = selectors.inspection_get(user=request.user, pk=pk)
    if not 1 <= payload.item <= MAX_ID:
        raise ValidationFailed({"item": [_("没有这个检查项")]})
    return services.answer_save(acting_user=request.user, inspection=i, item_id=payload.item, result=payload.result,
                                level=payload.level, note=payload.note, place=payload.place,
                                follow_up=payload.follow_up)


@router.post("/inspections/{pk}/answers/{item}/photo", response=SafetyAnswerOut, summary="上传一个检查项的照片")
def answer_photo(request: HttpRequest, pk: int, item: int, photo: File[UploadedFile]):
    i = selectors.inspection_get(user=request.user, pk=pk)
    if not 1 <= item <= MAX_ID or not ChecklistItem.objects.filter(pk=item, template_id=i.template_id).exists():
        raise NotFound()
    answer = InspectionAnswer.objects.filter(inspection=i, item_id=item).first()
    if answer is None:
        raise ValidationFailed({"item": [_("请先选择该项的检查结果")]})
    return services.answer_save(acting_user=request.user, inspection=i, item_id=item, result=answer.result,
                                level=answer.level, note=answer.note, place=answer.place,
                                follow_up=answer.follow_up, photo=photo)


class SafetySubmitIn(Schema):
    lat: float | None = None
    lon: float | None = None


class SafetySubmitOut(Schema):
    inspection: SafetyInspectionOut
    new: bool
    hazards: list[int]


@router.post("/inspections/{pk}/submit", response=SafetySubmitOut,
             summary="提交检查：计分、登记隐患、重新评级（重复提交返回首次结果）")
def inspection_submit(request: HttpRequest, pk: int, payload: SafetySubmitIn):
    i = selectors.inspection_get(user=request.user, pk=pk)
    done, new = services.inspection_submit(acting_user=request.user, inspection=i, lat=payload.lat, lon=payload.lon)
    return {"inspection": done, "new": new,
            "hazards": list(Hazard.objects.filter(inspection=done).order_by("id").values_list("id", flat=True))}


class SafetyTemplateOut(Schema):
    id: int
    code: str
    name: str
    number: int
    state: str
    applies_to: str


@router.get("/templates", response=list[SafetyTemplateOut], summary="检查表模板（各版本）")
@paginate(CappedLimitOffset)
def template_list(request: HttpRequest, state: str | None = None):
    return selectors.template_list(user=request.user, filters={"state": state} if state else {})


@router.post("/templates/{pk}/publish", response=SafetyTemplateOut, summary="发布草稿版本（原现行版本被替换）")
def template_publish(request: HttpRequest, pk: int):
    t = selectors.template_get(user=request.user, pk=pk)
    return services.template_publish(acting_user=request.user, template=t)


@router.post("/templates/{pk}/revise", response={201: SafetyTemplateOut}, summary="以此版本为底稿生成新版本草稿")
def template_revise(request: HttpRequest, pk: int):
    t = selectors.template_get(user=request.user, pk=pk)
    return Status(201, services.template_revise(acting_user=request.user, template=t))


class SafetyStatRow(Schema):
    group: str
    level: str
    found: int
    rectified: int
    open: int
    overdue: int


@router.get("/statistics", response=list[SafetyStatRow], summary="隐患统计（季度/年度，按行业、网格或等级）")
def statistics(request: HttpRequest, year: int, quarter: int | None = None, by: str = "industry"):
    if not 2000 <= year <= 2100:
        raise ValidationFailed({"year": [_("年度应在 2000 到 2100 之间")]})
    if quarter is not None and not 1 <= quarter <= 4:
        raise ValidationFailed({"quarter": [_("季度只能是 1 到 4")]})
    if by not in ("industry", "grid", "level"):
        raise ValidationFailed({"by": [_("取值不在允许范围内")]})
    return selectors.statistics(user=request.user, year=year, quarter=quarter, by=by)


