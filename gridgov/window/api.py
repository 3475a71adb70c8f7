"""API of the one window (/api/v1/window): the catalogue, applications and their transitions, the public
follow query, ratings and the indicators. Parse → service/selector → schema; applicants' data masked."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from gridgov.core import ratelimit
from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.masking import mask_id, mask_name, mask_phone
from gridgov.core.paging import CappedLimitOffset, MappedRows
from gridgov.core.scope import can

from . import selectors, services
from .flows import APPLICATION
from .models import Application

router = Router(tags=["window 一窗受理"])


class WindowItemFilters(Schema):
    q: str | None = None
    catalogue: str | None = None
    department: int | None = None
    town: int | None = None
    channel: str | None = None
    instant: bool | None = None


class WindowMaterialOut(Schema):
    id: int
    name: str
    form: str
    count: int
    required: bool
    when_question: str
    when_answer: bool


class WindowQuestionOut(Schema):
    key: str
    text: str


class WindowItemOut(Schema):
    id: int
    town_id: int
    catalogue: str
    code: str
    revision: int
    is_current: bool
    name: str
    initials: str
    item_type: str
    department_id: int | None
    legal_basis: str
    statutory_days: int
    promised_days: int
    instant: bool
    joint: bool
    fee: float
    online: bool
    at_window: bool
    at_station: bool
    delegated_from: str
    valid_from: dt.date
    valid_to: dt.date | None


class WindowItemDetailOut(WindowItemOut):
    questions: list[WindowQuestionOut]
    materials: list[WindowMaterialOut]


@router.get("/items", response=list[WindowItemOut], summary="服务事项目录（q：名称、编码或拼音首字母，如 ylbx）")
@paginate(CappedLimitOffset)
def item_list(request: HttpRequest, filters: Query[WindowItemFilters]):
    return selectors.item_list(user=request.user, filters=filters.dict(exclude_none=True))


@router.get("/items/{pk}", response=WindowItemDetailOut, summary="服务事项详情（情形问题与材料清单）")
def item_get(request: HttpRequest, pk: int):
    item = selectors.item_get(user=request.user, pk=pk)
    item.questions_list, item.materials_list = selectors.item_materials(item)
    out = WindowItemOut.from_orm(item).dict()
    return {**out, "questions": item.questions_list, "materials": item.materials_list}


class WindowApplicationFilters(Schema):
    queue: str | None = None
    stage: str | None = None
    item: int | None = None
    channel: str | None = None
    number: str | None = None
    overdue: bool | None = None


class WindowApplicationOut(Schema):
    id: int
    number: str | None
    title: str
    stage: str
    stage_label: str
    status: str
    channel: str
    applicant_name: str
    received_at: dt.datetime
    deadline: dt.datetime | None
    step_deadline: dt.datetime | None
    overdue: bool
    version: int

    @staticmethod
    def build(a: Application) -> dict[str, Any]:
        return {"id": a.pk, "number": a.number, "title": a.title, "stage": a.stage,
                "stage_label": str(APPLICATION.stage(a.stage).label), "status": a.status, "channel": a.channel,
                "applicant_name": mask_name(a.applicant_name), "received_at": a.received_at,
                "deadline": a.deadline, "step_deadline": a.step_deadline, "overdue": a.overdue,
                "version": a.version}


class WindowApplicationDetailOut(WindowApplicationOut):
    item_id: int
    department_id: int | None
    applicant_id_number: str
    applicant_phone: str
    accepted_at: dt.datetime | None
    deemed_accepted: bool
    statutory_deadline: dt.datetime | None
    decision: str
    decision_reason: str
    decided_at: dt.datetime | None
    missing: list[dict[str, Any]]
    working_days_used: int
    working_days_left: int | None
    actions: list[str]


def _detail(a: Application, user: Any) -> dict[str, Any]:
    clock = selectors.time_left(a)
    return {**WindowApplicationOut.build(a), "item_id": a.item_id, "department_id": a.department_id,
            "applicant_id_number": mask_id(a.applicant_id_number), "applicant_phone": mask_phone(a.applicant_phone),
            "accepted_at": a.accepted_at, "deemed_accepted": a.deemed_accepted,
            "statutory_deadline": a.statutory_deadline, "decision": a.decision, "decision_reason": a.decision_reason,
            "decided_at": a.decided_at, "missing": a.missing, "working_days_used": clock["used"],
            "working_days_left": clock["left"], "actions": [t.name for t in APPLICATION.available(a, user)]}


@router.get("/applications", response=list[WindowApplicationOut],
            summary="办件列表（queue：desk 待受理、review 审查决定、issue 待出件、correcting、done、all）")
@paginate(CappedLimitOffset)
def application_list(request: HttpRequest, filters: Query[WindowApplicationFilters]):
    rows = selectors.application_list(user=request.user, filters=filters.dict(exclude_none=True))
    return MappedRows(rows, WindowApplicationOut.build)


class WindowApplicationIn(Schema):
    item: int
    answers: dict[str, bool] = {}
    applicant_id_number: str = ""
    applicant_phone: str = ""


class WindowCreatedOut(Schema):
    id: int
    number: str
    follow_url: str


@router.post("/applications", response={201: WindowCreatedOut},
             summary="网上申请（无需上传材料的事项；需上传材料请用页面表单）")
def application_create(request: HttpRequest, payload: WindowApplicationIn):
    try:
        item = selectors.item_get(user=request.user, pk=payload.item)
    except NotFound:
        raise ValidationFailed({"item": ["没有这个事项"]}) from None
    app = services.application_submit(acting_user=request.user, item=item, channel="online",
                                      answers=payload.answers,
                                      applicant={"id_number": payload.applicant_id_number,
                                                 "phone": payload.applicant_phone})
    return 201, {"id": app.pk, "number": app.number, "follow_url": f"/window/follow/{app.follow_token}/"}


@router.get("/applications/{pk}", response=WindowApplicationDetailOut, summary="办件详情（时限、已用与剩余工作日）")
def application_get(request: HttpRequest, pk: int):
    return _detail(selectors.application_get(user=request.user, pk=pk), request.user)


class WindowActIn(Schema):
    transition: str
    version: int
    note: str = ""
    data: dict[str, Any] = {}


@router.post("/applications/{pk}/act", response=WindowApplicationDetailOut,
             summary="办件操作（accept 受理、correct 补正、refuse_intake 不予受理、review、suspend、decide、issue …）")
def application_act(request: HttpRequest, pk: int, payload: WindowActIn):
    app = selectors.application_get(user=request.user, pk=pk)
    APPLICATION.transition(payload.transition)
    services.application_act(acting_user=request.user, application=app, transition=payload.transition,
                             expected_version=payload.version, note=payload.note, data=payload.data)
    return _detail(app, request.user)


class WindowFollowOut(Schema):
    number: str
    title: str
    stage_label: str
    working_days_left: int | None
    decision: str


@router.get("/follow", response=WindowFollowOut, auth=None, summary="进度查询（申请编号 + 证件号码或手机号后四位，无需登录）")
def follow(request: HttpRequest, number: str, last4: str):
    ratelimit.hit(request, "follow_lookup")  # number + 4 characters: guessing them is rate-limited
    a = selectors.application_follow(number=number, last4=last4)
    return {"number": a.number, "title": a.title, "stage_label": str(APPLICATION.stage(a.stage).label),
            "working_days_left": selectors.time_left(a)["left"], "decision": a.decision}


class WindowRatingIn(Schema):
    score: int
    comment: str = ""


@router.post("/applications/{pk}/rating", response={201: dict}, summary="好差评（一事一评，1–5；差评转整改）")
def application_rate(request: HttpRequest, pk: int, payload: WindowRatingIn):
    app = selectors.application_get(user=request.user, pk=pk)
    if app.applicant_id != request.user.pk:
        raise NotFound()
    r = services.application_rate(acting_user=request.user, application=app, score=payload.score,
                                  comment=payload.comment)
    return 201, {"id": r.pk, "score": r.score}


class WindowIndicatorOut(Schema):
    key: Any
    label: str
    received: int
    decided: int
    on_time_rate: float | None
    instant_rate: float | None
    online_rate: float | None
    good_rate: float | None
    correction_rate: float | None
    avg_working_days: float | None
    timeouts: int
    ratings: int


@router.get("/indicators", response=list[WindowIndicatorOut],
            summary="政务服务指标（by：department / item / clerk；按时办结率、即办率、网办率、好评率、补正率、平均用时）")
def indicators(request: HttpRequest, by: str = "department", since: dt.date | None = None,
               until: dt.date | None = None):
    if not can(request.user, "view", Application):
        raise NotFound()
    if by not in selectors.GROUPS:
        raise ValidationFailed({"by": ["只能是 department、item 或 clerk"]})
    return selectors.indicators(user=request.user, by=by, since=since, until=until)
