"""API of the case engine (/api/v1/cases). Lists use the pages' FilterSet; writes go through the same
services and `engine.fire` as the pages. A stale `version` on a transition answers 409 with the current
stage; `Idempotency-Key` on creation makes retries safe."""


import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gridgov.core import ratelimit
from gridgov.core.paging import CappedLimitOffset, MappedRows
from gridgov.core.tabular import file_openapi, file_response

from . import engine, selectors, services
from .dispatch import suggest
from .models import Case, Kind

router = Router(tags=["cases 事件与诉求"])


class In(Schema):
    """A request body: a field the route does not know is refused (422 naming it), not dropped unseen."""

    model_config = {"extra": "forbid"}


class CaseOut(Schema):
    id: int
    number: str | None
    kind: str
    category_id: int
    category_code: str
    category_name: str
    title: str
    description: str
    address: str
    lat: float
    lon: float
    grid_id: int
    grid_name: str
    town_id: int
    department_id: int | None
    department_name: str
    pro_category: str
    assignee_id: int | None
    channel: str
    stage: str
    stage_label: str
    status: str
    deadline: dt.datetime | None
    deadline_provisional: bool
    step_deadline: dt.datetime | None
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    filed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    on_time: bool | None
    rework_count: int
    extension_count: int
    returned_count: int
    extension_pending: bool
    deferred: bool
    voided: bool
    merged_into_id: int | None
    rating: int | None
    reply: str
    urge_count: int
    version: int

    @staticmethod
    def build(c: Case, now: dt.datetime | None = None) -> dict[str, Any]:
        now = now or timezone.now()
        return {
            "id": c.pk, "number": c.number, "kind": c.kind, "category_id": c.category_id,
            "category_code": c.category.code, "category_name": c.category.name, "title": c.title,
            "description": c.description, "address": c.address, "lat": c.lat, "lon": c.lon, "grid_id": c.grid_id,
            "grid_name": c.grid.name, "town_id": c.town_id, "department_id": c.department_id,
            "department_name": c.department.name if c.department_id else "", "pro_category": c.pro_category,
            "assignee_id": c.assignee_id, "channel": c.channel, "stage": c.stage, "stage_label": str(c.stage_label),
            "status": c.status, "deadline": c.deadline, "deadline_provisional": c.deadline_provisional,
            "step_deadline": c.step_deadline,
            "overdue": bool(c.status == "open" and c.step_deadline and c.step_deadline < now),
            "created_at": c.created_at, "updated_at": c.updated_at, "filed_at": c.filed_at,
            "dispatched_at": c.dispatched_at, "accepted_at": c.accepted_at, "solved_at": c.solved_at,
            "closed_at": c.closed_at, "on_time": c.on_time, "rework_count": c.rework_count,
            "extension_count": c.extension_count, "returned_count": c.returned_count,
            "extension_pending": c.extension_pending, "deferred": c.deferred, "voided": c.voided,
            "merged_into_id": c.merged_into_id, "rating": c.rating, "reply": c.reply, "urge_count": c.urge_count,
            "version": c.version,
        }


class InputOut(Schema):
    name: str
    label: str
    kind: str
    required: bool


class ActionOut(Schema):
    name: str
    label: str
    note_required: bool
    inputs: list[InputOut]


class WaitingOut(Schema):
    transition: str
    label: str
    who: str


class PhotoOut(Schema):
    id: int
    url: str
    content_type: str
    size: int


class EventOut(Schema):
    id: int
    time: dt.datetime
    actor: str
    transition: str
    label: str
    from_stage: str
    to_stage: str
    note: str
    data: dict
    photos: list[PhotoOut]


class FollowerOut(Schema):
    name: str
    phone: str = Field(description="手机号，默认脱敏；unmask=1 并填写 reason 后为完整号码（记录访问日志）")
    via: str = Field(description="随之并入的案卷编号；直接关注的为空")
    since: dt.datetime


class CaseDetailOut(CaseOut):
    reporter: str
    reporter_phone: str
    followers: list[FollowerOut]
    actions: list[ActionOut]
    waiting: list[WaitingOut]
    events: list[EventOut]
    follow_url: str
    can_unmask_phone: bool
    time_left: str = Field("", description="办理时限剩余或已超的工作时间（按类别时限的单位，如：剩余 3.5 个工作小时）")


def _photo(a: Any, token: str = "") -> dict[str, Any]:
    """A photo's answer; with the follow token its URL carries it (the reporter has no login to show it by)."""
    url = f"/cases/photos/{a.pk}/" + (f"?t={token}" if token else "")
    return {"id": a.pk, "url": url, "content_type": a.content_type, "size": a.size}


def _detail(user: Any, case: Case, unmask: bool = False, reason: str = "") -> dict[str, Any]:
    v = selectors.case_view(user=user, case=case, unmask=unmask, reason=reason)
    return {
        **CaseOut.build(case), "reporter": v.reporter, "reporter_phone": v.reporter_phone,
        "followers": [{"name": f.name, "phone": f.phone, "via": f.via, "since": f.since} for f in v.followers],
        "actions": [{"name": t.name, "label": str(t.label), "note_required": t.note_required,
                     "inputs": [{"name": i.name, "label": str(i.label), "kind": i.kind, "required": i.required}
                                for i in t.inputs]} for t in v.actions],
        "waiting": [{"transition": w.transition.name, "label": str(w.transition.label), "who": str(w.who)}
                    for w in v.waiting],
        "events": [{"id": e.pk, "time": e.time, "actor": e.actor_name, "transition": e.transition,
                    "label": e.label, "from_stage": e.from_stage, "to_stage": e.to_stage, "note": e.note,
                    "data": e.data, "photos": [_photo(a) for a in e.attachments.all()]} for e in v.events],
        "follow_url": v.follow_url, "can_unmask_phone": v.can_unmask_phone, "time_left": v.time_left,
    }


class CaseFilters(Schema):
    q: str | None = None
    kind: str | None = None
    queue: str | None = None
    stage: str | None = None
    status: str | None = None
    category: int | None = Field(None, description="类别 id（GET /cases/categories）；大类含其小类")
    grid: int | None = Field(None, description="网格 id，含其下级；须在本人可见范围内，否则 422")
    department: int | None = Field(None, description="部门 id；须在本人可见范围内，否则 422")
    pro_category: str | None = None
    channel: str | None = None
    overdue: bool | None = None
    created_after: dt.date | None = None
    created_before: dt.date | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v is not None}


@router.get("/cases/export", summary="导出案卷台账（与列表相同的筛选；上报人姓名、电话脱敏；镇街领导、管理员）",
            openapi_extra=file_openapi("案卷台账表格文件"))
def case_export(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    ex = selectors.case_export(user=request.user, filters=_clean(filters), fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)


@router.get("/cases", response=list[CaseOut], summary="案卷列表（与页面共用筛选条件；queue=工作队列，超期优先）")
@paginate(CappedLimitOffset)
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    now = timezone.now()
    return MappedRows(selectors.case_list(user=request.user, filters=_clean(filters)), lambda c: CaseOut.build(c, now))


class CaseIn(In):
    kind: str = Field(Kind.GRID_EVENT, description="grid_event 网格事件 | complaint 群众诉求")
    category: str = Field(..., description="类别代码（如 0102）或 id（GET /cases/categories）")
    lat: float
    lon: float
    crs: Literal["wgs84", "gcj02"] = Field("wgs84", description="坐标系：wgs84（GPS）| gcj02（国内地图）")
    title: str = Field("", max_length=120)
    description: str = ""
    address: str = Field("", max_length=200)
    anonymous: bool = False
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = ""
    channel: str | None = None
    external_ref: str = Field("", max_length=64)
    force_new: bool = False
    follow: int | None = None


def _intake(request: HttpRequest, payload: CaseIn, user: Any) -> Any:
    data = {k: v for k, v in payload.dict().items() if v is not None}
    intake = services.case_report(acting_user=user, data=data,
                                  idempotency_key=request.headers.get("Idempotency-Key", ""))
    case = intake.case
    if intake.replayed or intake.followed:  # an earlier case: read it back with what the answer names
        case = Case.objects.select_related("category", "grid", "department").get(pk=case.pk)
    body = {**CaseOut.build(case), "follow_url": f"/cases/follow/{intake.follow_token}/",
            "replayed": intake.replayed, "followed": intake.followed}
    # Rendered as it is: `build` gives every field of CreatedOut in its type (tests/test_intake.py holds the
    # answer to the schema), so validating it again on every report would only cost time.
    from gridgov.api import api  # the API this router is mounted on (it imports this module)

    return api.create_response(request, body, status=200 if intake.replayed or intake.followed else 201)


class CreatedOut(CaseOut):
    follow_url: str
    replayed: bool
    followed: bool


@router.post("/cases", response={200: CreatedOut, 201: CreatedOut},
             summary="上报（自动落格、查重、派遣建议；支持 Idempotency-Key 防重复提交）")
def case_create(request: HttpRequest, payload: CaseIn):
    return _intake(request, payload, request.user)


@router.post("/public/cases", response={200: CreatedOut, 201: CreatedOut}, auth=None,
             summary="群众匿名上报（无需登录，返回案卷编号与查询链接）")
def case_create_public(request: HttpRequest, payload: CaseIn):
    payload.channel = None
    user = request.user if request.user.is_authenticated else None
    if not (user and user.kind == "staff"):
        ratelimit.hit(request, "report")
    return _intake(request, payload, user)


@router.get("/cases/queues", summary="我的工作队列与数量（含超期数；每项最多计到 999，超过时 capped / overdue_capped 为真）")
def case_queues(request: HttpRequest):
    return selectors.queue_counts(user=request.user)


@router.get("/cases/map", summary="办理中案卷地图数据（按环节与超期着色）")
def case_map(request: HttpRequest, filters: Query[CaseFilters]):
    return selectors.case_map(user=request.user, filters=_clean(filters))


class CategoryOut(Schema):
    id: int
    tree: str
    code: str
    name: str
    parent_id: int | None
    deadline_amount: int
    deadline_unit: str
    pro_category: str


@router.get("/cases/categories", response=list[CategoryOut], auth=None, summary="事件/部件类别")
def category_list(request: HttpRequest, tree: str | None = None):
    return selectors.categories(tree=tree)


@router.get("/cases/suggest", summary="派遣建议（类别→部门/专业类别；位置→网格）")
def dispatch_suggest(request: HttpRequest, category: str, lat: float, lon: float):
    from gridgov.network.selectors import locate

    cat = services._category(category, "")
    grid = locate(lat=lat, lon=lon, user=request.user)
    s = suggest(category=cat, grid=grid)
    return {"grid_id": grid.pk, "grid_name": grid.name, "department_id": s.department.pk if s.department else None,
            "department_name": s.department.name if s.department else "", "pro_category": s.pro_category,
            "rule_id": s.rule_id}


@router.get("/cases/duplicates", auth=None, summary="查重：50 米、72 小时内同类办理中案卷")
def duplicates(request: HttpRequest, category: str, lat: float, lon: float):
    cat = services._category(category, "")
    dupes = services.find_duplicates(category=cat, lat=lat, lon=lon)
    return [{k: row[k] for k in ("id", "number", "title", "stage_label", "distance_m")}
            for row in services.duplicate_rows(dupes, user=request.user, category=cat, lat=lat, lon=lon)]


@router.get("/cases/flows/{kind}", summary="流程定义与流程图（Mermaid / DOT）")
def flow_graph(request: HttpRequest, kind: str, fmt: str = "mermaid"):
    flow = engine.flow_for(kind)
    return {"kind": flow.kind, "label": str(flow.label), "initial": flow.initial,
            "stages": [{"name": s.name, "label": str(s.label), "queue": s.queue, "closed": s.closed}
                       for s in flow.stages],
            "transitions": [{"name": t.name, "label": str(t.label), "sources": list(t.sources),
                             "target": t.target, "permission": t.permission, "system": t.system}
                            for t in flow.transitions],
            "graph": flow.graph("dot" if fmt == "dot" else "mermaid")}


@router.get("/cases/follow/{token}", auth=None, summary="凭查询链接查看办理进度（无需登录）")
def follow(request: HttpRequest, token: str):
    followed = selectors.case_by_token(token=token)
    c, own = followed.case, followed.own  # a follower's link: progress only, not what is the reporter's
    events = selectors.follow_events(case=c, photos=False)  # the timeline's labels and times only
    return {"number": c.number, "title": c.title, "stage": c.stage, "stage_label": str(c.stage_label),
            "status": c.status, "created_at": c.created_at, "deadline": c.deadline, "closed_at": c.closed_at,
            "reply": c.reply if own else "", "void_reason": c.void_reason if own else "",
            "rating": c.rating if own else None, "own": own,
            "can_rate": own and c.kind == "complaint" and c.stage == "rating",
            "timeline": [{"time": e.time, "label": e.label} for e in events]}


class RateIn(In):
    rating: int
    note: str = ""


@router.post("/cases/follow/{token}/rate", auth=None, summary="诉求人凭查询链接评价（1-5，1-2 为差评并触发回访）")
def follow_rate(request: HttpRequest, token: str, payload: RateIn):
    ratelimit.hit(request, "follow_rate", token=token)
    c = services.fire_by_token(token=token, transition="rate", data={"rating": payload.rating}, note=payload.note)
    return {"stage": c.stage, "stage_label": str(c.stage_label)}


@router.post("/cases/follow/{token}/photos", response={201: list[PhotoOut]}, auth=None,
             summary="上报人凭查询链接补充照片（待立案/待受理时；每件上报最多 9 张；multipart 字段 photos）")
def follow_photos(request: HttpRequest, token: str, photos: list[UploadedFile] | None = File(None),
                  note: str = Form("")):
    ratelimit.hit(request, "follow_photos", token=token)
    saved = services.case_add_photos_by_token(token=token, acting_user=None, photos=photos or [], note=note)
    return Status(201, [_photo(a, token) for a in saved])


@router.get("/cases/notifications", summary="我的通知")
def notification_list(request: HttpRequest, unread: bool = False, limit: int = 50):
    rows = selectors.inbox(user=request.user, unread_only=unread, limit=max(1, min(limit, 200)))
    return [{"id": n.pk, "case_id": n.case_id, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url,
             "created_at": n.created_at, "read": n.read_at is not None} for n in rows]


class ReadIn(In):
    ids: list[int] | None = None


@router.post("/cases/notifications/read", summary="标记通知已读")
def notification_read(request: HttpRequest, payload: ReadIn):
    return {"updated": services.notification_read(acting_user=request.user, ids=payload.ids)}


@router.get("/cases/{pk}", response=CaseDetailOut,
            summary="案卷详情（办理记录、照片、可执行操作、待谁办理；unmask=true 并填 reason：回访人员查看诉求人完整号码，记录访问日志）")
def case_get(request: HttpRequest, pk: int, unmask: bool = False, reason: str = ""):
    return _detail(request.user, selectors.case_get(user=request.user, pk=pk), unmask, reason)


@router.get("/cases/{pk}/events", response=list[EventOut], summary="办理记录")
def case_events(request: HttpRequest, pk: int):
    return _detail(request.user, selectors.case_get(user=request.user, pk=pk))["events"]


class TransitionIn(In):
    version: int | None = None
    note: str = ""
    data: dict = {}


@router.post("/cases/{pk}/transitions/{name}", response=CaseDetailOut,
             summary="执行流转（带 version；他人已处理时返回 409 与当前环节）")
def case_transition(request: HttpRequest, pk: int, name: str, payload: TransitionIn):
    case = selectors.case_get(user=request.user, pk=pk)
    engine.fire(case=case, transition=name, acting_user=request.user, expected_version=payload.version,
                note=payload.note, data=payload.data)
    return _detail(request.user, case)


@router.post("/cases/{pk}/photos", response={201: list[PhotoOut]}, summary="补充照片（按内容识别类型，限制大小）")
def case_photos(request: HttpRequest, pk: int, photos: list[UploadedFile] | None = File(None), note: str = Form("")):
    case = selectors.case_get(user=request.user, pk=pk)
    saved = services.case_add_photos(case=case, acting_user=request.user, photos=photos or [], note=note)
    return Status(201, [_photo(a) for a in saved])


class MergeIn(In):
    into: int
    version: int | None = None
    note: str = ""


@router.post("/cases/{pk}/merge", response=CaseDetailOut, summary="合并重复案卷（上报人转为关注并入的案卷）")
def case_merge(request: HttpRequest, pk: int, payload: MergeIn):
    case = selectors.case_get(user=request.user, pk=pk, action="dispatch")
    into = selectors.case_get(user=request.user, pk=payload.into, action="dispatch")
    services.case_merge(case=case, into=into, acting_user=request.user, expected_version=payload.version,
                        note=payload.note)
    return _detail(request.user, selectors.case_get(user=request.user, pk=into.pk))


def _mount_settings() -> None:
    """The settings endpoints (dispatch rules, the town's handling limits) live in settings_api.py."""
    from .settings_api import router as settings_router

    router.add_router("", settings_router)


_mount_settings()
