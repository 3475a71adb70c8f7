"""API of party building (/api/v1/party): parse → service/selector → schema. Personal data masked in lists."""


import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gridgov.core.errors import ValidationFailed
from gridgov.core.paging import CappedLimitOffset, MappedRows
from gridgov.core.scope import get_scoped

from . import selectors, services
from .models import (
    Cadre,
    Course,
    Member,
    PartyOrganisation,
    PointClaim,
    Publication,
    Transfer,
)

# Versioned writes answer 409 with the current version when `version` is stale (one of two editors wins).

router = Router(tags=["party 智慧党建"])


class OrgOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    sector: str
    parent_id: int | None
    town_id: int
    division_id: int
    is_two_new: bool
    has_committee: bool
    n_members: int = 0
    n_full: int = 0
    problems: list[str] = []

    @staticmethod
    def resolve_problems(obj: Any) -> list[str]:
        return selectors.org_problems(obj)


class OrgIn(Schema):
    name: str
    code: str
    kind: str
    division: int
    parent: int | None = None
    sector: str = "village"
    is_two_new: bool = False


class OrgFilters(Schema):
    kind: str | None = None
    town: int | None = None
    parent: int | None = None
    two_new: bool | None = None
    q: str | None = None


def _clean(filters: Schema) -> dict[str, Any]:
    return {k: v for k, v in filters.dict().items() if v is not None}


@router.get("/orgs", response=list[OrgOut], summary="党组织列表（含支部设置规则检查）")
@paginate(CappedLimitOffset)
def org_list(request: HttpRequest, filters: Query[OrgFilters]):
    return selectors.org_list(user=request.user, filters=_clean(filters))


@router.get("/orgs/{pk}", response=OrgOut, summary="党组织详情")
def org_get(request: HttpRequest, pk: int):
    return _org_one(request, pk)


def _org_one(request: HttpRequest, pk: int) -> PartyOrganisation:
    return get_scoped(selectors.org_list(user=request.user), request.user, "view", pk=pk)


@router.post("/orgs", response={201: OrgOut}, summary="新建党组织")
def org_create(request: HttpRequest, payload: OrgIn):
    from gridgov.network.models import Division

    division = get_scoped(Division.objects, request.user, "view", pk=payload.division)
    org = services.org_create(acting_user=request.user, name=payload.name, code=payload.code, kind=payload.kind,
                              division=division, parent=payload.parent, sector=payload.sector,
                              is_two_new=payload.is_two_new)
    return Status(201, _org_one(request, org.pk))


class MemberOut(Schema):
    id: int
    name: str
    status: str
    org_id: int
    org_name: str
    group_id: int | None
    central_household_id: int | None
    town_id: int
    joined_on: dt.date | None
    confirmed_on: dt.date | None
    registration: str
    phone: str
    id_number: str
    version: int

    @staticmethod
    def build(m: Member, pii: dict[str, str]) -> dict[str, Any]:
        return {"id": m.pk, "name": m.name, "status": m.status, "org_id": m.org_id, "org_name": m.org.name,
                "group_id": m.group_id, "central_household_id": m.central_household_id, "town_id": m.town_id,
                "joined_on": m.joined_on, "confirmed_on": m.confirmed_on, "registration": m.registration,
                "version": m.version, **pii}


class MemberIn(Schema):
    org: int
    name: str
    phone: str = ""
    id_number: str = ""
    status: str = "full"
    applied_on: dt.date | None = None
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None


class MemberPatch(Schema):
    version: int
    name: str | None = None
    phone: str | None = None
    status: str | None = None
    joined_on: dt.date | None = None
    confirmed_on: dt.date | None = None
    org: int | None = None


class MemberFilters(Schema):
    org: int | None = None
    status: str | None = None
    registration: str | None = None
    town: int | None = None
    q: str | None = None


class SelfRegisterIn(Schema):
    org: int
    name: str
    phone: str
    id_number: str = ""



@router.get("/members", response=list[MemberOut], summary="党员列表（证件号、手机号脱敏）")
@paginate(CappedLimitOffset)
def member_list(request: HttpRequest, filters: Query[MemberFilters]):
    rows = selectors.member_list(user=request.user, filters=_clean(filters))
    return MappedRows(rows, lambda m: MemberOut.build(m, selectors.masked(m)))


@router.get("/members/{pk}", response=MemberOut, summary="党员详情（unmask=true 查看明文并记录）")
def member_get(request: HttpRequest, pk: int, unmask: bool = False, reason: str = ""):
    m = selectors.member_get(user=request.user, pk=pk)
    return MemberOut.build(m, selectors.pii_view(m, user=request.user, unmask=unmask, reason=reason))


@router.post("/members", response={201: MemberOut}, summary="登记党员（支部书记）")
def member_create(request: HttpRequest, payload: MemberIn):
    data = payload.dict(exclude={"org"})
    m = services.member_create(acting_user=request.user, org=payload.org, data=data)
    m = selectors.member_get(user=request.user, pk=m.pk)
    return Status(201, MemberOut.build(m, selectors.masked(m)))


@router.patch("/members/{pk}", response=MemberOut, summary="修改党员信息（需带 version）")
def member_update(request: HttpRequest, pk: int, payload: MemberPatch):
    m = selectors.member_get(user=request.user, pk=pk, action="change")
    services.member_update(acting_user=request.user, member=m,
                           data=payload.dict(exclude_unset=True, exclude={"version"}),
                           expected_version=payload.version)
    m = selectors.member_get(user=request.user, pk=pk)
    return MemberOut.build(m, selectors.masked(m))


@router.post("/register", response={201: MemberOut}, summary="党员在线注册（待支部审核）")
def member_self_register(request: HttpRequest, payload: SelfRegisterIn):
    m = services.member_self_register(acting_user=request.user, org=payload.org, name=payload.name,
                                      phone=payload.phone, id_number=payload.id_number)
    return Status(201, MemberOut.build(Member.objects.select_related("org").get(pk=m.pk), selectors.masked(m)))


class DecideIn(Schema):
    approve: bool
    note: str = ""


@router.post("/members/{pk}/registration", response=MemberOut, summary="支部审核在线注册")
def member_registration(request: HttpRequest, pk: int, payload: DecideIn):
    m = selectors.member_get(user=request.user, pk=pk, action="approve")
    services.member_registration_decide(acting_user=request.user, member=m, approve=payload.approve)
    m = selectors.member_get(user=request.user, pk=pk)
    return MemberOut.build(m, selectors.masked(m))


class TransferOut(Schema):
    id: int
    member_id: int
    from_org_id: int
    to_org_id: int
    state: str
    cross_town: bool
    reason: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


class TransferIn(Schema):
    member: int
    to_org: int
    reason: str = ""


@router.get("/transfers", response=list[TransferOut], summary="组织关系转接记录")
@paginate(CappedLimitOffset)
def transfer_list(request: HttpRequest, state: str | None = None, member: int | None = None):
    return selectors.transfer_list(user=request.user, filters={"state": state, "member": member})


@router.post("/transfers", response={201: TransferOut}, summary="发起转接（跨镇街须接收方确认）")
def transfer_request(request: HttpRequest, payload: TransferIn):
    m = selectors.member_get(user=request.user, pk=payload.member, action="change")
    return Status(201, services.transfer_request(acting_user=request.user, member=m, to_org=payload.to_org,
                                                 reason=payload.reason))


@router.post("/transfers/{pk}/accept", response=TransferOut, summary="接收方确认转接")
def transfer_accept(request: HttpRequest, pk: int, payload: DecideIn):
    t = get_scoped(Transfer.objects, request.user, "view", pk=pk)
    return services.transfer_accept(acting_user=request.user, transfer=t, accept=payload.approve)


class MeetingOut(Schema):
    id: int
    org_id: int
    kind: str
    title: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    minutes: str
    n_present: int = 0
    version: int


class MeetingIn(Schema):
    org: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str = ""


class MeetingFilters(Schema):
    org: int | None = None
    kind: str | None = None
    state: str | None = None
    year: int | None = None


@router.get("/meetings", response=list[MeetingOut], summary="三会一课、主题党日等组织生活")
@paginate(CappedLimitOffset)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]):
    return selectors.meeting_list(user=request.user, filters=_clean(filters))


@router.get("/meetings/{pk}", response=MeetingOut, summary="组织生活详情")
def meeting_get(request: HttpRequest, pk: int):
    return get_scoped(selectors.meeting_list(user=request.user), request.user, "view", pk=pk)


@router.post("/meetings", response={201: MeetingOut}, summary="安排组织生活")
def meeting_schedule(request: HttpRequest, payload: MeetingIn):
    m = services.meeting_schedule(acting_user=request.user, org=payload.org, kind=payload.kind,
                                  title=payload.title, starts_at=payload.starts_at, ends_at=payload.ends_at,
                                  place=payload.place)
    return Status(201, m)


class CheckInIn(Schema):
    token: str


class AttendanceOut(Schema):
    id: int
    meeting_id: int
    member_id: int
    status: str
    method: str
    checked_at: dt.datetime


@router.post("/checkin", response={201: AttendanceOut}, summary="扫码签到（仅限会议时间内）")
def meeting_check_in(request: HttpRequest, payload: CheckInIn):
    return Status(201, services.meeting_check_in(acting_user=request.user, token=payload.token))


class MarkIn(Schema):
    member: int
    status: str


@router.post("/meetings/{pk}/attendance", response={201: AttendanceOut}, summary="书记标记出勤")
def meeting_mark(request: HttpRequest, pk: int, payload: MarkIn):
    m = selectors.meeting_get(user=request.user, pk=pk, action="change")
    member = selectors.member_get(user=request.user, pk=payload.member)
    return Status(201, services.meeting_mark(acting_user=request.user, meeting=m, member=member,
                                             status=payload.status))


@router.get("/meetings/{pk}/attendance", response=list[AttendanceOut], summary="签到名单")
@paginate(CappedLimitOffset)
def meeting_attendance(request: HttpRequest, pk: int):
    m = selectors.meeting_get(user=request.user, pk=pk)
    return selectors.meeting_attendance(user=request.user, meeting=m)


class CloseIn(Schema):
    minutes: str = ""


@router.post("/meetings/{pk}/close", response=MeetingOut, summary="记录会议纪要，未到者记缺席")
def meeting_close(request: HttpRequest, pk: int, payload: CloseIn):
    m = selectors.meeting_get(user=request.user, pk=pk, action="change")
    services.meeting_close(acting_user=request.user, meeting=m, minutes=payload.minutes)
    return get_scoped(selectors.meeting_list(user=request.user), request.user, "view", pk=pk)


class VoteIn(Schema):
    subject: str
    yes: int
    no: int = 0
    abstain: int = 0


class VoteOut(Schema):
    id: int
    subject: str
    voting_members: int
    present_voting: int
    yes: int
    no: int
    abstain: int
    passed: bool


@router.post("/meetings/{pk}/votes", response={201: VoteOut}, summary="党员大会表决（须超过半数有表决权党员到会）")
def vote_record(request: HttpRequest, pk: int, payload: VoteIn):
    m = selectors.meeting_get(user=request.user, pk=pk, action="change")
    return Status(201, services.vote_record(acting_user=request.user, meeting=m, **payload.dict()))


class ComplianceOut(Schema):
    org_id: int
    name: str
    town_id: int
    colour: str
    held: dict[str, int]
    missing: list[tuple[str, str]]


@router.get("/compliance", response=list[ComplianceOut], summary="组织生活合规看板（红黄绿）")
def compliance(request: HttpRequest, year: int | None = None, org: int | None = None):
    return selectors.compliance_board(user=request.user, year=year or timezone.localdate().year, org=org)


class EntryOut(Schema):
    id: int
    member_id: int
    year: int
    category: str
    rule_code: str
    points: int
    reason: str
    source: str
    occurred_on: dt.date


@router.get("/points/ledger", response=list[EntryOut], summary="积分明细（只增不改）")
@paginate(CappedLimitOffset)
def ledger(request: HttpRequest, member: int | None = None, year: int | None = None, org: int | None = None,
           category: str | None = None):
    return selectors.ledger(user=request.user, filters={"member": member, "year": year, "org": org,
                                                         "category": category})


class RankOut(Schema):
    member_id: int
    member_name: str
    org_id: int
    score: int
    grade: str
    vetoed: bool

    @staticmethod
    def resolve_member_name(obj: Any) -> str:
        return obj.member.name

    @staticmethod
    def resolve_grade(obj: Any) -> str:
        return services.grade_of(obj.score)


@router.get("/points/ranking", response=list[RankOut], summary="党员积分排名（按支部或镇街）")
@paginate(CappedLimitOffset)
def ranking(request: HttpRequest, year: int | None = None, org: int | None = None, town: int | None = None):
    return selectors.member_ranking(user=request.user, year=year or timezone.localdate().year, org=org,
                                    town=town)


class GroupRankOut(Schema):
    rank: int
    avg: float
    n: int
    org_id: int | None = None
    org__name: str | None = None
    town_id: int | None = None
    town__name: str | None = None


@router.get("/points/branches", response=list[GroupRankOut], summary="支部平均积分排名")
def branch_ranking(request: HttpRequest, year: int | None = None, town: int | None = None):
    return selectors.branch_ranking(user=request.user, year=year or timezone.localdate().year, town=town)


@router.get("/points/towns", response=list[GroupRankOut], summary="镇街平均积分排名")
def town_ranking(request: HttpRequest, year: int | None = None):
    return selectors.town_ranking(user=request.user, year=year or timezone.localdate().year)


class ClaimIn(Schema):
    rule_code: str
    occurred_on: dt.date
    description: str


class ClaimOut(Schema):
    id: int
    member_id: int
    rule_code: str
    occurred_on: dt.date
    description: str
    state: str
    decision_note: str


@router.get("/points/claims", response=list[ClaimOut], summary="积分申报")
@paginate(CappedLimitOffset)
def claim_list(request: HttpRequest, state: str | None = None, org: int | None = None):
    return selectors.claim_list(user=request.user, filters={"state": state, "org": org})


@router.post("/points/claims", response={201: ClaimOut}, summary="党员申报积分（超上限拒绝）")
def claim_submit(request: HttpRequest, payload: ClaimIn):
    return Status(201, services.claim_submit(acting_user=request.user, **payload.dict()))


@router.post("/points/claims/{pk}/decide", response=ClaimOut, summary="书记审核积分申报")
def claim_decide(request: HttpRequest, pk: int, payload: DecideIn):
    c = get_scoped(PointClaim.objects, request.user, "approve", pk=pk)
    return services.claim_decide(acting_user=request.user, claim=c, approve=payload.approve, note=payload.note)


class ManualIn(Schema):
    member: int
    rule_code: str
    reason: str
    occurred_on: dt.date
    points: int | None = None


@router.post("/points/entries", response={201: EntryOut}, summary="书记录入加减分")
def points_manual(request: HttpRequest, payload: ManualIn):
    m = selectors.member_get(user=request.user, pk=payload.member, action="change")
    e = services.points_manual(acting_user=request.user, member=m, rule_code=payload.rule_code,
                               reason=payload.reason, occurred_on=payload.occurred_on, points=payload.points)
    if e is None:
        raise ValidationFailed({"points": [_("已达年度上限")]})
    return Status(201, e)


class VetoIn(Schema):
    member: int
    year: int
    reason: str


@router.post("/points/veto", response={201: EntryOut}, summary="一票否决（党纪处分）")
def points_veto(request: HttpRequest, payload: VetoIn):
    m = selectors.member_get(user=request.user, pk=payload.member, action="approve")
    return Status(201, services.points_veto(acting_user=request.user, member=m, year=payload.year,
                                            reason=payload.reason))


class PublicationIn(Schema):
    org: int
    year: int


class PublicationOut(Schema):
    id: int
    org_id: int
    year: int
    starts_on: dt.date
    ends_on: dt.date


@router.post("/publications", response={201: PublicationOut}, summary="积分结果公示 7 天")
def publication_open(request: HttpRequest, payload: PublicationIn):
    return Status(201, services.publication_open(acting_user=request.user, org=payload.org, year=payload.year))


class ObjectionIn(Schema):
    text: str


class ObjectionOut(Schema):
    id: int
    publication_id: int
    member_id: int
    text: str
    created_at: dt.datetime
    state: str
    response: str
    answered_at: dt.datetime | None
    version: int


@router.get("/publications", response=list[PublicationOut], summary="积分公示（党员看本支部，书记看所辖）")
@paginate(CappedLimitOffset)
def publication_list(request: HttpRequest, org: int | None = None, year: int | None = None):
    return selectors.publication_list(user=request.user, filters={"org": org, "year": year})


@router.post("/publications/{pk}/objections", response={201: ObjectionOut}, summary="对公示提出异议（公示期 7 天内）")
def objection_add(request: HttpRequest, pk: int, payload: ObjectionIn):
    pub = get_scoped(Publication.objects, request.user, "view", pk=pk)
    return Status(201, services.objection_add(acting_user=request.user, publication=pub, text=payload.text))


@router.get("/objections", response=list[ObjectionOut], summary="公示异议（支部书记看本支部，镇党建办看全镇）")
@paginate(CappedLimitOffset)
def objection_list(request: HttpRequest, state: str | None = None, publication: int | None = None,
                   org: int | None = None):
    return selectors.objection_list(user=request.user, filters={"state": state, "publication": publication,
                                                                "org": org})


class AnswerIn(Schema):
    version: int
    accept: bool
    response: str


@router.post("/objections/{pk}/answer", response=ObjectionOut,
             summary="答复异议：采纳或不予采纳并答复（需带 version，过期 409）")
def objection_answer(request: HttpRequest, pk: int, payload: AnswerIn):
    o = selectors.objection_get(user=request.user, pk=pk, action="approve")
    return services.objection_answer(acting_user=request.user, objection=o, accept=payload.accept,
                                     response=payload.response, expected_version=payload.version)


class CadreOut(Schema):
    id: int
    name: str
    title: str
    town_id: int
    department_id: int | None
    org_id: int | None


class CadreIn(Schema):
    name: str
    town: int
    title: str = ""
    department: int | None = None


@router.get("/cadres", response=list[CadreOut], summary="干部表现情况档案")
@paginate(CappedLimitOffset)
def cadre_list(request: HttpRequest, department: int | None = None, town: int | None = None):
    return selectors.cadre_list(user=request.user, filters={"department": department, "town": town})


@router.post("/cadres", response={201: CadreOut}, summary="新建干部档案")
def cadre_create(request: HttpRequest, payload: CadreIn):
    from gridgov.network.models import Department, Division

    town = get_scoped(Division.objects, request.user, "view", pk=payload.town)
    dept = get_scoped(Department.objects, request.user, "view", pk=payload.department) \
        if payload.department else None
    return Status(201, services.cadre_create(acting_user=request.user, name=payload.name, town=town,
                                             title=payload.title, department=dept))


class CadreRecordIn(Schema):
    kind: str
    on: dt.date
    title: str
    content: str = ""
    grade: str = ""


class CadreRecordOut(Schema):
    id: int
    cadre_id: int
    kind: str
    on: dt.date
    title: str
    content: str
    grade: str
    version: int


class CadreRecordPatch(Schema):
    version: int
    kind: str | None = None
    on: dt.date | None = None
    title: str | None = None
    content: str | None = None
    grade: str | None = None


@router.get("/cadres/{pk}", response=CadreOut, summary="干部详情")
def cadre_get(request: HttpRequest, pk: int):
    return selectors.cadre_get(user=request.user, pk=pk)


@router.get("/cadres/{pk}/records", response=list[CadreRecordOut], summary="干部档案：记录、评价、表彰、三述")
@paginate(CappedLimitOffset)
def cadre_records(request: HttpRequest, pk: int):
    return selectors.cadre_records(user=request.user, cadre=selectors.cadre_get(user=request.user, pk=pk))


@router.post("/cadres/{pk}/records", response={201: CadreRecordOut}, summary="档案记录、评价、表彰、三述")
def cadre_record_add(request: HttpRequest, pk: int, payload: CadreRecordIn):
    c = get_scoped(Cadre.objects, request.user, "change", pk=pk)
    return Status(201, services.cadre_record_add(acting_user=request.user, cadre=c, **payload.dict()))


@router.patch("/cadre-records/{pk}", response=CadreRecordOut, summary="修改档案记录（需带 version，过期 409）")
def cadre_record_update(request: HttpRequest, pk: int, payload: CadreRecordPatch):
    r = selectors.cadre_record_get(user=request.user, pk=pk, action="change")
    return services.cadre_record_update(acting_user=request.user, record=r,
                                        data=payload.dict(exclude_unset=True, exclude={"version"}),
                                        expected_version=payload.version)


class TargetOut(Schema):
    id: int
    name: str
    goal: int
    done: int


class DeploymentOut(Schema):
    id: int
    cadre_id: int
    kind: str
    division_id: int | None
    enterprise_id: int | None
    starts_on: dt.date
    ends_on: dt.date | None
    version: int
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())


class TargetIn(Schema):
    name: str
    goal: int = 1


class DeploymentIn(Schema):
    kind: str
    starts_on: dt.date
    division: int | None = None
    enterprise: int | None = None
    targets: list[TargetIn] = []


class DeploymentPatch(Schema):
    version: int
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


class ProgressIn(Schema):
    version: int
    done: int


@router.get("/deployments", response=list[DeploymentOut], summary="下沉、指导员、驻村工作队")
@paginate(CappedLimitOffset)
def deployment_list(request: HttpRequest, kind: str | None = None, town: int | None = None):
    return selectors.deployment_list(user=request.user, filters={"kind": kind, "town": town})


@router.post("/cadres/{pk}/deployments", response={201: DeploymentOut},
             summary="派驻干部：下沉网格、指导员（村、企业）、驻村工作队，含目标")
def deployment_create(request: HttpRequest, pk: int, payload: DeploymentIn):
    c = get_scoped(Cadre.objects, request.user, "change", pk=pk)
    d = services.deployment_create(acting_user=request.user, cadre=c, kind=payload.kind,
                                   starts_on=payload.starts_on, division=payload.division,
                                   enterprise=payload.enterprise,
                                   targets=[(t.name, t.goal) for t in payload.targets])
    return Status(201, selectors.deployment_get(user=request.user, pk=d.pk))


@router.get("/deployments/{pk}", response=DeploymentOut, summary="派驻详情（目标与进度）")
def deployment_get(request: HttpRequest, pk: int):
    return selectors.deployment_get(user=request.user, pk=pk)


@router.patch("/deployments/{pk}", response=DeploymentOut, summary="修改派驻起止日期（需带 version，过期 409）")
def deployment_update(request: HttpRequest, pk: int, payload: DeploymentPatch):
    d = selectors.deployment_get(user=request.user, pk=pk, action="change")
    services.deployment_update(acting_user=request.user, deployment=d,
                               data=payload.dict(exclude_unset=True, exclude={"version"}),
                               expected_version=payload.version)
    return selectors.deployment_get(user=request.user, pk=pk)


@router.post("/deployments/{pk}/targets", response={201: TargetOut}, summary="增加派驻目标")
def target_add(request: HttpRequest, pk: int, payload: TargetIn):
    d = selectors.deployment_get(user=request.user, pk=pk, action="change")
    return Status(201, services.target_add(acting_user=request.user, deployment=d, name=payload.name,
                                           goal=payload.goal))


@router.post("/targets/{pk}/progress", response=TargetOut, summary="更新目标进度（需带 version，过期 409）")
def target_progress(request: HttpRequest, pk: int, payload: ProgressIn):
    from .models import DeploymentTarget

    t = get_scoped(DeploymentTarget.objects, request.user, "change", pk=pk)
    return services.target_progress(acting_user=request.user, target=t, done=payload.done,
                                    expected_version=payload.version)


class RatingOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    level: str
    note: str
    version: int

    @staticmethod
    def resolve_org_name(obj: Any) -> str:
        return obj.org.name


class RatingIn(Schema):
    org: int
    year: int
    level: str
    note: str = ""


class RatingPatch(Schema):
    version: int
    level: str
    note: str = ""


@router.get("/ratings", response=list[RatingOut], summary="红旗党组织评定")
@paginate(CappedLimitOffset)
def rating_list(request: HttpRequest, year: int | None = None, level: str | None = None, org: int | None = None):
    return selectors.rating_list(user=request.user, filters={"year": year, "level": level, "org": org})


@router.post("/ratings", response={201: RatingOut}, summary="评定党组织年度等次（红旗党组织等）")
def rating_set(request: HttpRequest, payload: RatingIn):
    r = services.rating_set(acting_user=request.user, org=payload.org, year=payload.year, level=payload.level,
                            note=payload.note)
    return Status(201, selectors.rating_get(user=request.user, pk=r.pk))


@router.patch("/ratings/{pk}", response=RatingOut, summary="修改评定（需带 version，过期 409）")
def rating_update(request: HttpRequest, pk: int, payload: RatingPatch):
    r = selectors.rating_get(user=request.user, pk=pk, action="change")
    services.rating_set(acting_user=request.user, org=r.org_id, year=r.year, level=payload.level,
                        note=payload.note, expected_version=payload.version)
    return selectors.rating_get(user=request.user, pk=pk)


class CourseOut(Schema):
    id: int
    town_id: int
    title: str
    kind: str
    body: str
    video_url: str
    document: str
    published: bool
    version: int
    n_questions: int = 0

    @staticmethod
    def resolve_n_questions(obj: Any) -> int:
        n = getattr(obj, "n_questions", None)
        return obj.questions.count() if n is None else n

    @staticmethod
    def resolve_document(obj: Any) -> str:
        return obj.document.url if obj.document else ""


class QuestionIn(Schema):
    text: str
    options: list[str]
    answer: int


class QuestionOut(Schema):
    id: int
    text: str
    options: list[str]


class CourseDetailOut(CourseOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return list(obj.questions.order_by("id"))


class CourseIn(Schema):
    town: int
    title: str
    kind: str = "text"
    body: str = ""
    video_url: str = ""
    published: bool = True
    questions: list[QuestionIn] = []


class CoursePatch(Schema):
    version: int
    title: str | None = None
    kind: str | None = None
    body: str | None = None
    video_url: str | None = None
    published: bool | None = None
    questions: list[QuestionIn] | None = None


@router.get("/courses", response=list[CourseOut], summary="在线学习课程（drafts=true 含可编辑的草稿）")
@paginate(CappedLimitOffset)
def course_list(request: HttpRequest, kind: str | None = None, drafts: bool = False):
    return selectors.course_list(user=request.user, filters={"kind": kind, "drafts": drafts})


@router.get("/courses/{pk}", response=CourseDetailOut, summary="课程详情与测验题（不含答案）")
def course_get(request: HttpRequest, pk: int):
    return selectors.course_get(user=request.user, pk=pk)


@router.post("/courses", response={201: CourseDetailOut}, summary="新建课程（图文、文档、视频链接）及测验")
def course_create(request: HttpRequest, payload: CourseIn):
    from gridgov.network.models import Division

    town = get_scoped(Division.objects, request.user, "view", pk=payload.town)
    c = services.course_create(acting_user=request.user, town=town, title=payload.title, kind=payload.kind,
                               body=payload.body, video_url=payload.video_url, published=payload.published,
                               questions=[q.dict() for q in payload.questions])
    return Status(201, c)


@router.patch("/courses/{pk}", response=CourseDetailOut,
              summary="修改课程；给出 questions 即替换测验（需带 version，过期 409）")
def course_update(request: HttpRequest, pk: int, payload: CoursePatch):
    c = selectors.course_get(user=request.user, pk=pk, action="change")
    data = payload.dict(exclude_unset=True, exclude={"version", "questions"})
    questions = [q.dict() for q in payload.questions] if payload.questions is not None else None
    return services.course_update(acting_user=request.user, course=c, data=data, expected_version=payload.version,
                                  questions=questions)


class CompleteIn(Schema):
    answers: list[int] = []


class StudyOut(Schema):
    id: int
    course_id: int
    completed_at: dt.datetime
    quiz_score: int | None


@router.post("/courses/{pk}/complete", response={201: StudyOut}, summary="完成学习（含测验，计入积分）")
def study_complete(request: HttpRequest, pk: int, payload: CompleteIn):
    c = get_scoped(Course.objects, request.user, "view", pk=pk)
    return Status(201, services.study_complete(acting_user=request.user, course=c, answers=payload.answers))


class MeOut(Schema):
    member_id: int
    name: str
    org_name: str
    year: int
    score: int
    grade: str
    vetoed: bool
    meetings: list[dict[str, Any]]
    study: list[dict[str, Any]]
    objections: list[dict[str, Any]]


@router.get("/me", response=MeOut, summary="我的：会议、积分、学习、异议答复")
def me(request: HttpRequest):
    from gridgov.core.errors import NotFound

    m = selectors.my_member(request.user)
    if m is None:
        raise NotFound()
    year = timezone.localdate().year
    meetings = list(selectors.my_meetings(user=request.user, member=m))
    att = selectors.my_attendance(member=m, meeting_ids=[x.pk for x in meetings])
    return {"member_id": m.pk, "name": m.name, "org_name": m.org.name, **selectors.member_year(member=m, year=year),
            "meetings": [{"id": x.pk, "kind": x.kind, "title": x.title, "starts_at": x.starts_at.isoformat(),
                          "attendance": att.get(x.pk, "")} for x in meetings],
            "study": [{"course": r.course.title, "completed_at": r.completed_at.isoformat()}
                      for r in selectors.my_study(member=m)[:30]],
            "objections": [{"id": o.pk, "publication_id": o.publication_id, "text": o.text, "state": o.state,
                            "response": o.response if o.state != "pending" else ""}
                           for o in selectors.my_objections(member=m)[:30]]}



def _mount_settings() -> None:
    """The settings endpoints (the town's points rules) live in settings_api.py."""
    from .settings_api import router as settings_router

    router.add_router("", settings_router)


_mount_settings()
