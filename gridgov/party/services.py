"""Writes of party building: each one keyword-only, with `acting_user`, atomic and audited (`@service`).

Errors are `ValidationFailed` naming the field in zh-Hans; nothing is saved when one is raised.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.errors import Conflict, PermissionDenied, ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import full_clean, save_new, service, update_versioned
from gridgov.core.tables import ProcessTable
from gridgov.core.validators import (
    ACTIVITY_DATES,
    ARCHIVE_DATES,
    DEPLOYMENT_DATES,
    MEETING_DATES,
    MEETING_HOURS,
    PUBLICATION_YEARS,
    RATING_YEARS,
    refusals,
)

from .access import approved_member, forget, party_context
from .models import (
    BRANCH_KINDS,
    Attendance,
    Cadre,
    CadreRecord,
    Course,
    Deployment,
    DeploymentTarget,
    Meeting,
    MeetingKind,
    MeetingPhoto,
    Member,
    MemberStatus,
    Objection,
    OrgKind,
    OrgOfficer,
    PartyOrganisation,
    PointCategory,
    PointClaim,
    PointEntry,
    PointRule,
    PointTally,
    PointYear,
    Publication,
    RedFlagRating,
    StudyRecord,
    Transfer,
    Vote,
)

# Check-in opens this long before the start; arriving this long after the start counts as late.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
LATE_AFTER = dt.timedelta(minutes=10)
PUBLICATION_DAYS = 7
BASE_SCORE = 100

# Which points category attendance of each kind of meeting feeds.
MEETING_CATEGORY = {MeetingKind.THEME_DAY: PointCategory.THEME_DAY}
ATTEND_RULE = {PointCategory.MEETING: "meeting_attend", PointCategory.THEME_DAY: "theme_day_attend"}


def grade_of(score: int) -> str:
    """RULES.md §4: ≥90 优秀, 80–89 良好, 60–79 合格, <60 不合格."""
    if score >= 90:
        return _("优秀")
    if score >= 80:
        return _("良好")
    if score >= 60:
        return _("合格")
    return _("不合格")


# ---- organisations ----------------------------------------------------------------------------------------


@service
def org_create(*, acting_user: Any, name: str, code: str, kind: str, division: Any, parent: Any = None,
               sector: str = "village", is_two_new: bool = False, enterprise: Any = None,
               department: Any = None, founded_on: dt.date | None = None) -> PartyOrganisation:
    """Add an organisation under `parent` (which the acting user must be able to change)."""
    if parent is not None:
        parent = get_scoped(PartyOrganisation.objects, acting_user, "change", pk=getattr(parent, "pk", parent))
        if parent.kind in (OrgKind.GROUP, OrgKind.HOUSEHOLD):
            raise ValidationFailed({"parent": [_("党小组和党员中心户下不能再设组织")]})
    town = division.town if getattr(division, "town_id", None) else division
    org = PartyOrganisation(parent=parent, name=name, code=code, kind=kind, division=division, town=town,
                            sector=sector, is_two_new=is_two_new, enterprise=enterprise, department=department,
                            founded_on=founded_on, path=(parent.path if parent else "") + code + "/")
    if parent is not None and parent.town_id != town.pk:
        raise ValidationFailed({"division": [_("下级组织必须与上级组织在同一镇街")]})
    return save_new(org, acting_user=acting_user)


@service
def officer_appoint(*, acting_user: Any, org: PartyOrganisation, user: Any, post: str) -> OrgOfficer:
    get_scoped(PartyOrganisation.objects, acting_user, "change", pk=org.pk)
    officer = save_new(OrgOfficer(org=org, user=user, post=post), acting_user=acting_user)
    forget(user)
    return officer


def branch_rule_problems(org: PartyOrganisation, *, full: int, total: int) -> list[str]:
    """The 条例's rules for a branch: ≥3 full members; a committee once ≥7 members; normally ≤50."""
    if org.kind not in BRANCH_KINDS:
        return []
    problems = []
    if full < 3:
        problems.append(_("正式党员 %(n)d 人，不足 3 人，不能单独成立支部") % {"n": full})
    if total >= 7 and not org.has_committee:
        problems.append(_("党员 %(n)d 人（≥7），应设立支部委员会") % {"n": total})
    if total > 50 and org.kind == OrgKind.BRANCH:
        problems.append(_("党员 %(n)d 人，超过 50 人，一般应设立党总支") % {"n": total})
    return problems


# ---- members ----------------------------------------------------------------------------------------------


def _member_fields(data: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "id_number", "phone", "status", "applied_on", "joined_on", "confirmed_on", "group",
            "central_household", "resident")
    return {k: v for k, v in data.items() if k in keep}


def _org_for_members(acting_user: Any, org: Any, action: str = "change") -> PartyOrganisation:
    org = get_scoped(PartyOrganisation.objects, acting_user, action, pk=getattr(org, "pk", org))
    if org.kind not in BRANCH_KINDS:
        raise ValidationFailed({"org": [_("党员只能编入党支部或党总支")]})
    return org


@service
def member_create(*, acting_user: Any, org: Any, data: dict[str, Any], user: Any = None) -> Member:
    org = _org_for_members(acting_user, org)
    m = Member(org=org, town_id=org.town_id, user=user, **_member_fields(data))
    return save_new(m, acting_user=acting_user)


@service
def member_update(*, acting_user: Any, member: Member, data: dict[str, Any],
                  expected_version: int | None) -> Member:
    """Edit a member's record. Changing the branch goes through `transfer_request` (it keeps history)."""
    if "org" in data and data["org"] not in (None, member.org_id, getattr(member.org, "pk", None)):
        raise ValidationFailed({"org": [_("调整所在支部请办理组织关系转接")]})
    return update_versioned(member, _member_fields(data), expected_version=expected_version,
                            acting_user=acting_user)


@service
def member_self_register(*, acting_user: Any, org: Any, name: str, phone: str, id_number: str = "",
                         applied_on: dt.date | None = None, status: str = MemberStatus.FULL) -> Member:
    """Online registration by the member themselves (支部接到网上、党员连在线上); the branch approves it."""
    org = PartyOrganisation.objects.filter(pk=getattr(org, "pk", org), kind__in=BRANCH_KINDS).first()
    if org is None:
        raise ValidationFailed({"org": [_("请选择所在的党支部")]})
    if Member.objects.filter(user=acting_user).exists():
        raise ValidationFailed({"user": [_("该账号已登记党员信息")]})
    m = Member(org=org, town_id=org.town_id, user=acting_user, name=name, phone=phone, id_number=id_number,
               status=status, applied_on=applied_on, registration=Member.Registration.PENDING)
    full_clean(m)
    m.save(force_insert=True)
    audit.record(m, "create")
    return m


@service
def member_registration_decide(*, acting_user: Any, member: Member, approve: bool) -> Member:
    member = get_scoped(Member.objects, acting_user, "approve", pk=member.pk)
    if member.registration != Member.Registration.PENDING:
        raise ValidationFailed({"registration": [_("该注册已审核")]})
    state = Member.Registration.APPROVED if approve else Member.Registration.REJECTED
    m = update_versioned(member, {"registration": state}, expected_version=None, acting_user=acting_user)
    if m.user_id:
        forget(m.user)
    return m


def _move(member: Member, to_org: PartyOrganisation, acting_user: Any) -> None:
    before = audit.snapshot(member)
    Member.objects.filter(pk=member.pk).update(org=to_org, town_id=to_org.town_id, group=None,
                                               central_household=None, version=F("version") + 1)
    member.refresh_from_db()
    audit.record(member, "update", before)


@service
def transfer_request(*, acting_user: Any, member: Member, to_org: Any, reason: str = "") -> Transfer:
    """Move a member to another branch. Inside the town it completes at once; to another town's branch it
    waits for the receiving side's acceptance (`transfer_accept`)."""
    member = get_scoped(Member.objects, acting_user, "change", pk=member.pk)
    to_org = PartyOrganisation.objects.filter(pk=getattr(to_org, "pk", to_org)).first()
    if to_org is None or to_org.kind not in BRANCH_KINDS:
        raise ValidationFailed({"to_org": [_("转入组织不存在或不是党支部")]})
    if to_org.pk == member.org_id:
        raise ValidationFailed({"to_org": [_("转入支部与当前支部相同")]})
    if Transfer.objects.filter(member=member, state=Transfer.State.PENDING).exists():
        raise ValidationFailed({"member": [_("该党员已有待确认的转接")]})
    cross = to_org.town_id != member.town_id
    t = Transfer(member=member, from_org_id=member.org_id, to_org=to_org, cross_town=cross, reason=reason,
                 requested_by=acting_user,
                 state=Transfer.State.PENDING if cross else Transfer.State.DONE)
    if not cross:
        t.decided_by, t.decided_at = acting_user, timezone.now()
    t.save(force_insert=True)
    audit.record(t, "create")
    if not cross:
        _move(member, to_org, acting_user)
    return t


@service
def transfer_accept(*, acting_user: Any, transfer: Transfer, accept: bool = True) -> Transfer:
    """The receiving branch (its secretary or its town's party office) accepts or refuses the move."""
    t = Transfer.objects.select_related("member", "to_org").select_for_update().get(pk=transfer.pk)
    if not PartyOrganisation.objects.restrict(acting_user, "approve").filter(pk=t.to_org_id).exists():
        raise ValidationFailed({"to_org": [_("跨镇街转接须由接收方党组织确认")]})
    if t.state != Transfer.State.PENDING:
        raise ValidationFailed({"state": [_("该转接已处理")]})
    before = audit.snapshot(t)
    t.state = Transfer.State.DONE if accept else Transfer.State.REJECTED
    t.decided_by, t.decided_at = acting_user, timezone.now()
    t.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record(t, "update", before)
    if accept:
        _move(t.member, t.to_org, acting_user)
    return t


# ---- organisational life ----------------------------------------------------------------------------------


@service
def meeting_schedule(*, acting_user: Any, org: Any, kind: str, title: str, starts_at: dt.datetime,
                     ends_at: dt.datetime, place: str = "") -> Meeting:
    org = get_scoped(PartyOrganisation.objects, acting_user, "change", pk=getattr(org, "pk", org))
    errors = refusals(starts_at=lambda: MEETING_DATES.check(starts_at),
                      ends_at=lambda: MEETING_HOURS.check_span(starts_at, ends_at))
    if kind == MeetingKind.GROUP and org.kind != OrgKind.GROUP:
        errors["kind"] = [_("党小组会须由党小组召开")]
    # A 党委 may hold a joint 主题党日 or 党课 for its whole subtree; the other kinds belong to a branch.
    joint = (MeetingKind.THEME_DAY, MeetingKind.LECTURE)
    if kind != MeetingKind.GROUP and org.kind not in BRANCH_KINDS and not (
            kind in joint and org.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE)):
        errors["org"] = [_("该类组织生活须由党支部（党总支）召开")]
    if errors:
        raise ValidationFailed(errors)
    m = Meeting(org=org, town_id=org.town_id, kind=kind, title=title, starts_at=starts_at, ends_at=ends_at,
                place=place, checkin_token=secrets.token_urlsafe(24))
    return save_new(m, acting_user=acting_user)


def expected_members(meeting: Meeting) -> Any:
    """Who is expected at a meeting: the group's members for 党小组会, the committee for 支部委员会, else the
    branch's full and probationary members."""
    qs = Member.objects.filter(active=True, registration=Member.Registration.APPROVED,
                               status__in=(MemberStatus.FULL, MemberStatus.PROBATIONARY))
    if meeting.kind == MeetingKind.GROUP:
        return qs.filter(group_id=meeting.org_id)
    org = meeting.org
    if org.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE):
        return qs.filter(org__path__startswith=org.path)
    qs = qs.filter(org_id=meeting.org_id)
    if meeting.kind == MeetingKind.COMMITTEE:
        qs = qs.filter(user__party_posts__org_id=meeting.org_id).distinct()
    return qs


def is_expected(meeting: Meeting, member: Member) -> bool:
    """Whether `expected_members(meeting)` holds `member`, decided from the rows at hand (the check-in asks it
    thousands of times a minute); only a 支部委员会 asks the database who sits on the committee."""
    if not (member.active and member.registration == Member.Registration.APPROVED
            and member.status in (MemberStatus.FULL, MemberStatus.PROBATIONARY)):
        return False
    if meeting.kind == MeetingKind.GROUP:
        return member.group_id == meeting.org_id
    org = meeting.org
    if org.kind in (OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE):
        return member.org.path.startswith(org.path)
    if member.org_id != meeting.org_id:
        return False
    if meeting.kind == MeetingKind.COMMITTEE:
        return expected_members(meeting).filter(pk=member.pk).exists()
    return True


def _attend(meeting: Meeting, member: Member, *, status: str, method: str, at: dt.datetime,
            acting_user: Any) -> Attendance:
    a = Attendance(meeting=meeting, member=member, status=status, method=method, checked_at=at)
    if not _insert_once(a):
        raise ValidationFailed({"member": [_("已签到，不能重复签到")]})
    audit.record(a, "create")
    _attendance_points(meeting, member, a, acting_user)
    return a


def _insert_once(a: Attendance) -> bool:
    """INSERT the attendance unless the member already has one for the meeting (ON CONFLICT DO NOTHING on the
    unique constraint: one statement, no savepoint, and a concurrent second check-in finds the first);
    False when there was one. Sets `a.pk`."""
    from django.db import connection

    qn = connection.ops.quote_name
    fields = [Attendance._meta.get_field(n) for n in ("meeting", "member", "status", "method", "checked_at")]
    values = [f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(Attendance._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({qn('meeting_id')}, {qn('member_id')}) "
            f"DO NOTHING RETURNING {qn('id')}", values)
        row = cursor.fetchone()
    if row is None:
        return False
    a.pk = row[0]
    a._state.adding, a._state.db = False, connection.alias
    return True


def _attendance_points(meeting: Meeting, member: Member, a: Attendance, acting_user: Any) -> None:
    on = timezone.localtime(meeting.starts_at).date()
    category = MEETING_CATEGORY.get(meeting.kind, PointCategory.MEETING)
    # The ledger is stored text (append-only): written in zh-Hans whatever the language of the page that
    # caused it, the meeting kind's label included.
    with translation.override(settings.LANGUAGE_CODE):
        values = {"k": str(meeting.get_kind_display()), "t": meeting.title}
        attended, late, absent = (_("参加%(k)s：%(t)s") % values, _("%(k)s迟到：%(t)s") % values,
                                  _("无故缺席%(k)s：%(t)s") % values)
    if a.status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
        points_add(member=member, rule_code=ATTEND_RULE[category], reason=attended, source=PointEntry.Source.AUTO,
                   source_ref=f"att:{a.pk}", occurred_on=on, acting_user=acting_user)
    if a.status == Attendance.Status.LATE:
        points_add(member=member, rule_code="lateness", reason=late, source=PointEntry.Source.AUTO,
                   source_ref=f"late:{a.pk}", occurred_on=on, acting_user=acting_user)
    if a.status == Attendance.Status.ABSENT:
        points_add(member=member, rule_code="absence", reason=absent, source=PointEntry.Source.AUTO,
                   source_ref=f"abs:{a.pk}", occurred_on=on, acting_user=acting_user)


@service
def meeting_check_in(*, acting_user: Any, meeting: Meeting | None = None, token: str = "",
                     now: dt.datetime | None = None) -> Attendance:
    """A member checks in on their phone with the meeting's QR code, inside the meeting's window only."""
    now = now or timezone.now()
    if meeting is None:
        meeting = Meeting.objects.select_related("org").filter(checkin_token=token).first() if token else None
        if meeting is None:
            raise ValidationFailed({"token": [_("签到码无效")]})
    # The member of this account, as `party_context` finds it, with their organisation: one query.
    member = approved_member(getattr(acting_user, "pk", None)).select_related("org").first()
    if member is None:
        raise ValidationFailed({"member": [_("当前账号未登记为党员或注册尚未通过审核")]})
    if meeting.state == Meeting.State.CANCELLED:
        raise ValidationFailed({"meeting": [_("会议已取消")]})
    if not is_expected(meeting, member):
        raise ValidationFailed({"meeting": [_("这不是您所在支部（党小组）的会议，不能签到")]})
    if now < meeting.starts_at - CHECKIN_OPENS_BEFORE or now > meeting.ends_at:
        opens = timezone.localtime(meeting.starts_at - CHECKIN_OPENS_BEFORE).strftime("%m-%d %H:%M")
        ends = timezone.localtime(meeting.ends_at).strftime("%m-%d %H:%M")
        raise ValidationFailed({"checked_at": [_("不在签到时间内（%(a)s 至 %(b)s）") % {"a": opens, "b": ends}]})
    status = Attendance.Status.LATE if now > meeting.starts_at + LATE_AFTER else Attendance.Status.PRESENT
    return _attend(meeting, member, status=status, method=Attendance.Method.QR, at=now, acting_user=acting_user)


@service
def meeting_mark(*, acting_user: Any, meeting: Meeting, member: Member, status: str) -> Attendance:
    """The secretary records a member's attendance (for members without a phone, leave, absence)."""
    meeting = get_scoped(Meeting.objects, acting_user, "change", pk=meeting.pk)
    if status not in Attendance.Status.values:
        raise ValidationFailed({"status": [_("出勤状态无效")]})
    if not expected_members(meeting).filter(pk=member.pk).exists():
        raise ValidationFailed({"member": [_("该党员不是本次会议的参会人员")]})
    return _attend(meeting, member, status=status, method=Attendance.Method.SECRETARY,
                   at=timezone.now(), acting_user=acting_user)


@service
def meeting_close(*, acting_user: Any, meeting: Meeting, minutes: str = "") -> Meeting:
    """Record the minutes; whoever is expected and neither checked in nor excused is absent (−2)."""
    meeting = get_scoped(Meeting.objects, acting_user, "change", pk=meeting.pk)
    if meeting.state == Meeting.State.CANCELLED:
        raise ValidationFailed({"state": [_("会议已取消")]})
    if timezone.now() < meeting.starts_at:
        raise ValidationFailed({"state": [_("会议尚未开始")]})
    missing = expected_members(meeting).exclude(attendance__meeting=meeting)
    for member in missing:
        _attend(meeting, member, status=Attendance.Status.ABSENT, method=Attendance.Method.SECRETARY,
                at=timezone.now(), acting_user=acting_user)
    return update_versioned(meeting, {"state": Meeting.State.HELD, "minutes": minutes or meeting.minutes},
                            expected_version=None, acting_user=acting_user)


@service
def meeting_add_photo(*, acting_user: Any, meeting: Meeting, image: Any, caption: str = "") -> MeetingPhoto:
    meeting = get_scoped(Meeting.objects, acting_user, "change", pk=meeting.pk)
    return save_new(MeetingPhoto(meeting=meeting, image=image, caption=caption), acting_user=acting_user)


@service
def vote_record(*, acting_user: Any, meeting: Meeting, subject: str, yes: int, no: int = 0,
                abstain: int = 0) -> Vote:
    """A 支部党员大会 decision: refused unless more than half of the voting (full) members are present."""
    meeting = get_scoped(Meeting.objects, acting_user, "change", pk=meeting.pk)
    if meeting.kind != MeetingKind.GENERAL_ASSEMBLY:
        raise ValidationFailed({"meeting": [_("只有支部党员大会可以表决")]})
    voting = Member.objects.filter(org_id=meeting.org_id, active=True, status=MemberStatus.FULL,
                                   registration=Member.Registration.APPROVED).count()
    present = Attendance.objects.filter(meeting=meeting, member__status=MemberStatus.FULL,
                                        status__in=(Attendance.Status.PRESENT, Attendance.Status.LATE)).count()
    if present * 2 <= voting:
        raise ValidationFailed({"present_voting": [
            _("到会有表决权的党员 %(p)d 人，未超过应到会有表决权党员 %(v)d 人的半数，不能表决") % {
                "p": present, "v": voting}]})
    if yes + no + abstain > present:
        raise ValidationFailed({"yes": [_("表决票数 %(n)d 超过到会有表决权党员数 %(p)d") % {
            "n": yes + no + abstain, "p": present}]})
    v = Vote(meeting=meeting, subject=subject, voting_members=voting, present_voting=present, yes=yes, no=no,
             abstain=abstain, passed=yes * 2 > voting)
    return save_new(v, acting_user=acting_user)


# ---- points -----------------------------------------------------------------------------------------------


class _ActiveRules(ProcessTable):
    """The active point rules by (code, town), per process: every check-in and claim looks one up."""

    def load(self) -> dict[tuple[str, int | None], PointRule]:
        rules: dict[tuple[str, int | None], PointRule] = {}
        for r in PointRule.objects.filter(active=True).order_by("-id"):
            rules[(r.code, r.town_id)] = r  # the lowest id wins, as the former query's order had it
        return rules

    def find(self, code: str, town_id: int | None) -> PointRule | None:
        rules = self.data()
        found = (rules.get((code, town_id)) if town_id else None) or rules.get((code, None))
        return copy.copy(found) if found is not None else None


active_rules = _ActiveRules()


def rule_for(code: str, town_id: int | None) -> PointRule:
    """The town's own rule for `code` if it has one, else the default row."""
    rule = active_rules.find(code, town_id)
    if rule is None:
        raise ValidationFailed({"rule_code": [_("积分规则 %(c)s 不存在或未启用") % {"c": code}]})
    return rule


def points_add(*, member: Member, rule_code: str, reason: str, source: str, occurred_on: dt.date,
               acting_user: Any, source_ref: str | None = None, points: int | None = None,
               strict: bool = False) -> PointEntry | None:
    """Append one ledger line and update the running totals, inside the caller's transaction.

    The category's annual cap is enforced on the locked tally: an automatic entry is trimmed to what is left
    (none when the cap is reached); a claim (`strict`) beyond the cap is refused.
    """
    rule = rule_for(rule_code, member.town_id)
    value = rule.points if points is None else points
    year = occurred_on.year
    # Locked as it is read (created, and so locked, when it is the member's first entry of the category).
    tally = PointTally.objects.select_for_update().get_or_create(member=member, year=year, category=rule.category)[0]
    if rule.annual_cap is not None and value:
        room = rule.annual_cap - abs(tally.total)
        if abs(value) > room:
            if strict:
                raise ValidationFailed({"points": [
                    _("「%(r)s」年度上限 %(cap)d 分，本年已得 %(got)d 分，本次 %(v)d 分超出上限") % {
                        "r": rule.label, "cap": rule.annual_cap, "got": abs(tally.total), "v": abs(value)}]})
            if room <= 0:
                return None
            value = room if value > 0 else -room
    entry = PointEntry(member=member, org_id=member.org_id, year=year, category=rule.category,
                       rule_code=rule.code, points=value, reason=reason[:200], source=source,
                       source_ref=source_ref, occurred_on=occurred_on,
                       created_by=acting_user if getattr(acting_user, "pk", None) else None)
    entry.save(force_insert=True)
    audit.record(entry, "create")
    PointTally.objects.filter(pk=tally.pk).update(total=F("total") + value)
    _year_add(member, year, value, vetoed=rule.category == PointCategory.VETO)
    return entry


def _year_add(member: Member, year: int, value: int, *, vetoed: bool = False) -> None:
    """Add `value` to the member's year row and recompute its score in the same UPDATE (every right-hand side
    reads the row as it was: "delta" is the old delta); the member's first entry of the year creates the row."""
    changes: dict[str, Any] = {"delta": F("delta") + value, "org_id": member.org_id, "town_id": member.town_id}
    if vetoed:
        changes.update(vetoed=True, score=0)
    else:
        changes["score"] = Case(When(vetoed=True, then=Value(0)),
                                default=Greatest(Value(0), Value(BASE_SCORE + value) + F("delta")))
    row = PointYear.objects.filter(member=member, year=year)
    if not row.update(**changes):
        PointYear.objects.get_or_create(member=member, year=year, defaults={
            "org_id": member.org_id, "town_id": member.town_id})
        row.update(**changes)


@service
def points_manual(*, acting_user: Any, member: Member, rule_code: str, reason: str,
                  occurred_on: dt.date, points: int | None = None) -> PointEntry | None:
    """The secretary records an addition or deduction with its reason (capped like a claim)."""
    member = get_scoped(Member.objects, acting_user, "change", pk=member.pk)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("请填写事由")]})
    return points_add(member=member, rule_code=rule_code, reason=reason, source=PointEntry.Source.MANUAL,
                      occurred_on=occurred_on, acting_user=acting_user, points=points, strict=True)


@service
def points_veto(*, acting_user: Any, member: Member, year: int, reason: str) -> PointEntry | None:
    """A disciplinary sanction: the member's score for the year is 0 whatever else they earned."""
    member = get_scoped(Member.objects, acting_user, "approve", pk=member.pk)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("请填写处分事由")]})
    return points_add(member=member, rule_code="veto", reason=reason, source=PointEntry.Source.MANUAL,
                      occurred_on=dt.date(year, 12, 31) if year < timezone.localdate().year
                      else timezone.localdate(), acting_user=acting_user, points=0)


def _cap_check(member: Member, rule: PointRule, year: int) -> None:
    if rule.annual_cap is None:
        return
    got = PointTally.objects.filter(member=member, year=year, category=rule.category).values_list(
        "total", flat=True).first() or 0
    if abs(got) + abs(rule.points) > rule.annual_cap:
        raise ValidationFailed({"points": [
            _("「%(r)s」年度上限 %(cap)d 分，本年已得 %(got)d 分，本次 %(v)d 分超出上限") % {
                "r": rule.label, "cap": rule.annual_cap, "got": abs(got), "v": abs(rule.points)}]})


@service
def claim_submit(*, acting_user: Any, rule_code: str, occurred_on: dt.date, description: str) -> PointClaim:
    """A member claims points for an activity (e.g. volunteer service); the secretary approves it."""
    ctx = party_context(acting_user)
    if ctx.member_id is None:
        raise ValidationFailed({"member": [_("当前账号未登记为党员或注册尚未通过审核")]})
    member = Member.objects.get(pk=ctx.member_id)
    rule = rule_for(rule_code, member.town_id)
    if not rule.claimable:
        raise ValidationFailed({"rule_code": [_("该积分项目不能由党员申报")]})
    if occurred_on > timezone.localdate():
        raise ValidationFailed({"occurred_on": [_("活动日期不能晚于今天")]})
    errors = refusals(occurred_on=lambda: ACTIVITY_DATES.check(occurred_on))
    if errors:
        raise ValidationFailed(errors)
    _cap_check(member, rule, occurred_on.year)
    return save_new(PointClaim(member=member, org_id=member.org_id, rule_code=rule.code,
                               occurred_on=occurred_on, description=description), acting_user=acting_user)


@service
def claim_decide(*, acting_user: Any, claim: PointClaim, approve: bool, note: str = "") -> PointClaim:
    claim = get_scoped(PointClaim.objects.select_related("member"), acting_user, "approve", pk=claim.pk)
    if claim.state != PointClaim.State.PENDING:
        raise ValidationFailed({"state": [_("该申报已审核")]})
    if approve:
        points_add(member=claim.member, rule_code=claim.rule_code, reason=claim.description,
                   source=PointEntry.Source.CLAIM, source_ref=f"claim:{claim.pk}", occurred_on=claim.occurred_on,
                   acting_user=acting_user, strict=True)
    state = PointClaim.State.APPROVED if approve else PointClaim.State.REJECTED
    return update_versioned(claim, {"state": state, "decided_by": acting_user, "decision_note": note},
                            expected_version=None, acting_user=acting_user)


@service
def publication_open(*, acting_user: Any, org: Any, year: int, starts_on: dt.date | None = None) -> Publication:
    """Publish the year's results to the branch for 7 days."""
    org = get_scoped(PartyOrganisation.objects, acting_user, "approve", pk=getattr(org, "pk", org))
    errors = refusals(year=lambda: PUBLICATION_YEARS.check(int(year)))
    if errors:
        raise ValidationFailed(errors)
    starts_on = starts_on or timezone.localdate()
    running = Publication.objects.filter(org=org, year=year, ends_on__gte=starts_on).order_by("-ends_on").first()
    if running is not None:
        raise ValidationFailed({"year": [_("该支部 %(y)d 年度积分正在公示（至 %(d)s）") % {
            "y": year, "d": running.ends_on}]})
    return save_new(Publication(org=org, year=year, starts_on=starts_on,
                                ends_on=starts_on + dt.timedelta(days=PUBLICATION_DAYS - 1),
                                created_by=acting_user), acting_user=acting_user)


@service
def objection_add(*, acting_user: Any, publication: Publication, text: str) -> Objection:
    ctx = party_context(acting_user)
    if ctx.member_id is None or publication.org_id not in ctx.member_orgs:
        raise ValidationFailed({"publication": [_("只有本支部党员可以对公示提出异议")]})
    today = timezone.localdate()
    if not publication.starts_on <= today <= publication.ends_on:
        raise ValidationFailed({"publication": [_("不在公示期内（%(a)s 至 %(b)s）") % {
            "a": publication.starts_on, "b": publication.ends_on}]})
    if not text.strip():
        raise ValidationFailed({"text": [_("请填写异议内容")]})
    return save_new(Objection(publication=publication, member_id=ctx.member_id, text=text), acting_user=acting_user)


@service
def objection_answer(*, acting_user: Any, objection: Objection, accept: bool, response: str,
                     expected_version: int | None = None) -> Objection:
    """The branch secretary (or the town party office) accepts or rejects an objection with a reply; the member
    sees it on their phone. Two secretaries answering at once: one wins, the other gets 409."""
    objection = get_scoped(Objection.objects, acting_user, "approve", pk=objection.pk)
    if expected_version is not None and objection.version != expected_version:
        raise Conflict(current_version=objection.version)
    if objection.state != Objection.State.PENDING:
        raise ValidationFailed({"state": [_("该异议已答复")]})
    if not (response or "").strip():
        raise ValidationFailed({"response": [_("请填写答复内容")]})
    state = Objection.State.ACCEPTED if accept else Objection.State.REJECTED
    return update_versioned(objection, {"state": state, "response": response.strip(), "answered_by": acting_user,
                                        "answered_at": timezone.now()},
                            expected_version=objection.version, acting_user=acting_user)


# ---- cadres -----------------------------------------------------------------------------------------------


@service
def cadre_create(*, acting_user: Any, name: str, town: Any, title: str = "", department: Any = None,
                 org: Any = None, user: Any = None) -> Cadre:
    """Open a cadre's archive in a town the acting user may add to (checked again after the insert)."""
    if not (name or "").strip():
        raise ValidationFailed({"name": [_("请填写姓名")]})
    if department is not None and department.town_id != getattr(town, "pk", None):
        raise ValidationFailed({"department": [_("部门不属于所选镇街")]})
    if org is not None and org.town_id != getattr(town, "pk", None):
        raise ValidationFailed({"org": [_("党组织不属于所选镇街")]})
    name = name.strip()
    return save_new(Cadre(name=name, town=town, title=title, department=department, org=org, user=user),
                    acting_user=acting_user)


CADRE_RECORD_FIELDS = ("kind", "on", "title", "content", "grade")


def _check_record(cadre: Cadre, kind: str, on: Any) -> None:
    errors = refusals(on=lambda: ARCHIVE_DATES.check(on)) if isinstance(on, dt.date) else {}
    if kind == CadreRecord.Kind.REPORT and not cadre.department_id:
        errors["kind"] = [_("三述报告按部门开展，该干部未设所在部门")]
    if errors:
        raise ValidationFailed(errors)


@service
def cadre_record_add(*, acting_user: Any, cadre: Cadre, kind: str, on: dt.date, title: str, content: str = "",
                     grade: str = "") -> CadreRecord:
    """A line of the 干部表现情况档案: a record, an evaluation (担当作为), an award or a 三述 report."""
    cadre = get_scoped(Cadre.objects, acting_user, "change", pk=cadre.pk)
    _check_record(cadre, kind, on)
    return save_new(CadreRecord(cadre=cadre, kind=kind, on=on, title=title, content=content, grade=grade,
                                created_by=acting_user), acting_user=acting_user)


@service
def cadre_record_update(*, acting_user: Any, record: CadreRecord, data: dict[str, Any],
                        expected_version: int | None) -> CadreRecord:
    """Correct a line of the archive; a stale `expected_version` conflicts (409)."""
    record = get_scoped(CadreRecord.objects.select_related("cadre"), acting_user, "change", pk=record.pk)
    changes = {k: v for k, v in data.items() if k in CADRE_RECORD_FIELDS}
    _check_record(record.cadre, changes.get("kind", record.kind), changes.get("on"))
    return update_versioned(record, changes, expected_version=expected_version, acting_user=acting_user)


def _deployment_place(cadre: Cadre, division: Any, enterprise: Any) -> tuple[Any, Any]:
    """The grid, village or enterprise of a deployment: it must lie in the cadre's town."""
    from gridgov.network.models import Division
    from gridgov.register.models import Enterprise

    if division in ("", None) and enterprise in ("", None):
        raise ValidationFailed({"division": [_("请选择派驻的网格、村或企业")]})
    def key(value: Any, name: str) -> int:
        value = getattr(value, "pk", value)
        if not str(value).isdigit():
            raise ValidationFailed({name: [_("应为整数")]})
        return int(value)

    if division not in ("", None):
        division = Division.objects.filter(pk=key(division, "division"), town_id=cadre.town_id).first()
        if division is None:
            raise ValidationFailed({"division": [_("派驻的网格或村须在干部所在镇街内")]})
    else:
        division = None
    if enterprise not in ("", None):
        enterprise = Enterprise.objects.filter(pk=key(enterprise, "enterprise"), town_id=cadre.town_id).first()
        if enterprise is None:
            raise ValidationFailed({"enterprise": [_("派驻企业须在干部所在镇街内")]})
    else:
        enterprise = None
    return division, enterprise


def _check_target(name: str, goal: Any) -> int:
    if not (name or "").strip():
        raise ValidationFailed({"targets": [_("请填写目标名称")]})
    try:
        goal = int(goal)
    except (TypeError, ValueError):
        raise ValidationFailed({"targets": [_("目标值应为整数")]}) from None
    if goal < 1:
        raise ValidationFailed({"targets": [_("目标值至少为 1")]})
    return goal


@service
def deployment_create(*, acting_user: Any, cadre: Cadre, kind: str, starts_on: dt.date, division: Any = None,
                      enterprise: Any = None, targets: list[tuple[str, int]] | None = None) -> Deployment:
    """Deploy a cadre: 下沉 to a grid, 指导员 to a village or an enterprise, 驻村工作队 to a village."""
    cadre = get_scoped(Cadre.objects, acting_user, "change", pk=cadre.pk)
    errors = refusals(starts_on=lambda: DEPLOYMENT_DATES.check(starts_on))
    if errors:
        raise ValidationFailed(errors)
    division, enterprise = _deployment_place(cadre, division, enterprise)
    d = save_new(Deployment(cadre=cadre, kind=kind, starts_on=starts_on, division=division,
                            enterprise=enterprise, town_id=cadre.town_id), acting_user=acting_user)
    for name, goal in targets or []:
        save_new(DeploymentTarget(deployment=d, name=name.strip(), goal=_check_target(name, goal)),
                 acting_user=acting_user)
    return d


@service
def deployment_update(*, acting_user: Any, deployment: Deployment, data: dict[str, Any],
                      expected_version: int | None) -> Deployment:
    """Change the dates of a deployment (an end date closes it)."""
    deployment = get_scoped(Deployment.objects.select_related("cadre"), acting_user, "change", pk=deployment.pk)
    changes = {k: v for k, v in data.items() if k in ("starts_on", "ends_on")}
    starts, ends = changes.get("starts_on", deployment.starts_on), changes.get("ends_on", deployment.ends_on)
    errors = refusals(**{k: (lambda v=v: DEPLOYMENT_DATES.check(v)) for k, v in changes.items() if v})
    if ends and starts and ends < starts and "ends_on" not in errors:
        errors["ends_on"] = [_("结束日期不能早于开始日期")]
    if errors:
        raise ValidationFailed(errors)
    return update_versioned(deployment, changes, expected_version=expected_version, acting_user=acting_user)


@service
def target_add(*, acting_user: Any, deployment: Deployment, name: str, goal: int) -> DeploymentTarget:
    deployment = get_scoped(Deployment.objects, acting_user, "change", pk=deployment.pk)
    return save_new(DeploymentTarget(deployment=deployment, name=(name or "").strip(),
                                     goal=_check_target(name, goal)), acting_user=acting_user)


@service
def target_progress(*, acting_user: Any, target: DeploymentTarget, done: int,
                    expected_version: int | None = None) -> DeploymentTarget:
    """Record progress on a target (e.g. 信访隐患化解 3/5); a stale version conflicts (409)."""
    target = get_scoped(DeploymentTarget.objects, acting_user, "change", pk=target.pk)
    if done < 0:
        raise ValidationFailed({"done": [_("完成值不能为负数")]})
    return update_versioned(target, {"done": done}, expected_version=expected_version, acting_user=acting_user)


@service
def rating_set(*, acting_user: Any, org: Any, year: int, level: str, note: str = "",
               expected_version: int | None = None) -> RedFlagRating:
    """Rate an organisation for a year (红旗党组织 …). Re-rating the same year changes that row: with a stale
    `expected_version` it conflicts (409)."""
    org = get_scoped(PartyOrganisation.objects, acting_user, "approve", pk=getattr(org, "pk", org))
    errors = refusals(year=lambda: RATING_YEARS.check(int(year)))
    if errors:
        raise ValidationFailed(errors)
    existing = RedFlagRating.objects.filter(org=org, year=year).first()
    if existing is not None:
        return update_versioned(existing, {"level": level, "note": note}, expected_version=expected_version,
                                acting_user=acting_user)
    return save_new(RedFlagRating(org=org, year=year, level=level, note=note), acting_user=acting_user)


# ---- online study -----------------------------------------------------------------------------------------

COURSE_FIELDS = ("title", "kind", "body", "video_url", "published", "document")


def _check_questions(questions: list[dict[str, Any]]) -> list[tuple[str, list[str], int]]:
    out = []
    for n, q in enumerate(questions, 1):
        text = str(q.get("text") or "").strip()
        opts = [str(o).strip() for o in (q.get("options") or []) if str(o).strip()]
        if not text:
            raise ValidationFailed({"questions": [_("第 %(n)d 题：请填写题目") % {"n": n}]})
        if len(opts) < 2:
            raise ValidationFailed({"questions": [_("第 %(n)d 题：至少需要两个选项") % {"n": n}]})
        try:
            answer = int(q.get("answer", -1))
        except (TypeError, ValueError):
            answer = -1
        if not 0 <= answer < len(opts):
            raise ValidationFailed({"questions": [_("第 %(n)d 题：正确选项序号超出选项范围") % {"n": n}]})
        out.append((text, opts, answer))
    return out


def _check_course(kind: str, body: str, video_url: str, has_document: bool) -> None:
    if kind == Course.Kind.VIDEO and not video_url:
        raise ValidationFailed({"video_url": [_("视频课程请填写视频链接")]})
    if kind == Course.Kind.DOCUMENT and not has_document:
        raise ValidationFailed({"document": [_("文档课程请上传文档")]})
    if kind == Course.Kind.TEXT and not (body or "").strip():
        raise ValidationFailed({"body": [_("图文课程请填写正文")]})


def _replace_questions(course: Course, questions: list[tuple[str, list[str], int]], acting_user: Any) -> None:
    from gridgov.core.services import delete_audited

    from .models import QuizQuestion

    current = list(course.questions.order_by("id"))
    if [(q.text, q.options, q.answer) for q in current] == [(t, o, a) for t, o, a in questions]:
        return  # the quiz is unchanged: keep its rows (and the audit chain quiet)
    for old in current:
        delete_audited(old, acting_user=acting_user)
    for text, opts, answer in questions:
        save_new(QuizQuestion(course=course, text=text, options=opts, answer=answer), acting_user=acting_user)


@service
def course_create(*, acting_user: Any, town: Any, title: str, kind: str = Course.Kind.TEXT, body: str = "",
                  video_url: str = "", document: Any = None, published: bool = True,
                  questions: list[dict[str, Any]] | None = None) -> Course:
    """A course of the town (text, a document or a video link) with an optional quiz (all answers right
    to pass; passing gives the study point)."""
    checked = _check_questions(questions or [])
    c = Course(town=town, title=title, kind=kind, body=body, video_url=video_url, document=document or "",
               published=published)
    _check_course(kind, body, video_url, bool(document))
    c = save_new(c, acting_user=acting_user)
    _replace_questions(c, checked, acting_user)
    return c


@service
def course_update(*, acting_user: Any, course: Course, data: dict[str, Any], expected_version: int | None,
                  questions: list[dict[str, Any]] | None = None) -> Course:
    """Edit a course; `questions`, when given, replace the quiz. A stale `expected_version` conflicts (409)."""
    course = get_scoped(Course.objects, acting_user, "change", pk=course.pk)
    changes = {k: v for k, v in data.items() if k in COURSE_FIELDS and not (k == "document" and not v)}
    checked = _check_questions(questions) if questions is not None else None
    if expected_version is not None and course.version != expected_version:
        raise Conflict(current_version=course.version)
    upload = changes.pop("document", None)
    _check_course(changes.get("kind", course.kind), changes.get("body", course.body),
                  changes.get("video_url", course.video_url), upload is not None or bool(course.document))
    if upload is not None:  # store the new file; update_versioned writes its name (and audits the change)
        field = Course._meta.get_field("document")
        changes["document"] = field.storage.save(field.generate_filename(course, upload.name), upload)
    course = update_versioned(course, changes, expected_version=expected_version, acting_user=acting_user)
    if checked is not None:
        _replace_questions(course, checked, acting_user)
    return course


@service
def study_complete(*, acting_user: Any, course: Course, answers: list[int] | None = None) -> StudyRecord:
    """A member finishes a course (and its quiz, if any: all answers right to pass); +1 point for study."""
    ctx = party_context(acting_user)
    if ctx.member_id is None:
        raise ValidationFailed({"member": [_("当前账号未登记为党员或注册尚未通过审核")]})
    course = get_scoped(Course.objects, acting_user, "view", pk=course.pk)
    questions = list(course.questions.order_by("id"))
    score = None
    if questions:
        answers = list(answers or [])
        if len(answers) != len(questions):
            raise ValidationFailed({"answers": [_("请回答全部 %(n)d 道题") % {"n": len(questions)}]})
        right = sum(1 for q, a in zip(questions, answers, strict=True) if q.answer == a)
        score = round(100 * right / len(questions))
        if right < len(questions):
            raise ValidationFailed({"answers": [_("答对 %(r)d/%(n)d 题，请重新学习后再答") % {
                "r": right, "n": len(questions)}]})
    member = Member.objects.get(pk=ctx.member_id)
    rec = StudyRecord(member=member, course=course, completed_at=timezone.now(), quiz_score=score)
    try:
        with transaction.atomic():
            rec.save(force_insert=True)
    except IntegrityError:
        raise ValidationFailed({"course": [_("已完成该课程的学习")]}) from None
    audit.record(rec, "create")
    with translation.override(settings.LANGUAGE_CODE):  # stored ledger text: zh-Hans (see _attendance_points)
        reason = _("完成学习：%(t)s") % {"t": course.title}
    points_add(member=member, rule_code="study_course", reason=reason,
               source=PointEntry.Source.AUTO, source_ref=f"study:{rec.pk}", occurred_on=timezone.localdate(),
               acting_user=acting_user)
    return rec


def ensure_member_self(user: Any, member: Member) -> None:
    if member.user_id != getattr(user, "pk", None):
        raise PermissionDenied()


# -- The administrator's settings (issue 15, item 4): the town's own points rules ----------------------------

RULE_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
MAX_RULE_POINTS = 100
MAX_RULE_CAP = 1000


def _rule_values(data: dict[str, Any]) -> dict[str, Any]:
    """A points rule's fields checked together (every error at once)."""
    from .models import PointCategory

    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    label = (data.get("label") or "").strip()
    if not label:
        errors["label"] = [_("必填")]
    elif len(label) > 100:
        errors["label"] = [_("过长（最多 %(n)s 个字符）") % {"n": 100}]
    out["label"] = label
    category = data.get("category") or ""
    if category not in PointCategory.values:
        errors["category"] = [_("请选择类别")]
    out["category"] = category
    try:
        out["points"] = int(data.get("points"))  # type: ignore[arg-type]
        if abs(out["points"]) > MAX_RULE_POINTS:
            raise ValueError
    except (TypeError, ValueError):
        errors["points"] = [_("应为 -%(n)s 至 %(n)s 的整数") % {"n": MAX_RULE_POINTS}]
    cap = data.get("annual_cap")
    if cap in (None, ""):
        out["annual_cap"] = None
    else:
        try:
            out["annual_cap"] = int(cap)
            if not 0 <= out["annual_cap"] <= MAX_RULE_CAP:
                raise ValueError
        except (TypeError, ValueError):
            errors["annual_cap"] = [_("应为 0 至 %(n)s 的整数（空为不限）") % {"n": MAX_RULE_CAP}]
    out["claimable"] = bool(data.get("claimable"))
    out["active"] = bool(data.get("active", True))
    if errors:
        raise ValidationFailed(errors)
    return out


@service
def point_rule_create(*, acting_user: Any, town: Any, code: str, data: dict[str, Any]) -> PointRule:
    """The town's own rule for `code`: it overrides the default rule of that code in the town (or adds a rule,
    such as a local volunteer activity members may claim)."""
    from gridgov.network.models import Division, Level

    pk = getattr(town, "pk", town)
    found = (Division.objects.restrict(acting_user, "change").filter(pk=pk, level=Level.TOWN).first()
             if str(pk).isdigit() else None)
    code = (code or "").strip()
    errors: dict[str, list[str]] = {} if found else {"town": [_("请选择镇街")]}
    if not code:
        errors["code"] = [_("必填")]
    elif len(code) > 30 or not set(code) <= RULE_CODE_CHARS:
        errors["code"] = [_("只能包含小写字母、数字和下划线，最多 30 个字符")]
    elif found and PointRule.objects.filter(town=found, code=code).exists():
        errors["code"] = [_("本镇街已有此代码的规则")]
    try:
        values = _rule_values(data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return save_new(PointRule(town=found, code=code, **values), acting_user=acting_user)


@service
def point_rule_update(*, acting_user: Any, rule: PointRule, data: dict[str, Any],
                      expected_version: int | None = None) -> PointRule:
    rule = get_scoped(PointRule.objects, acting_user, "change", pk=rule.pk)
    return update_versioned(rule, _rule_values(data), expected_version=expected_version, acting_user=acting_user)


@service
def point_rule_delete(*, acting_user: Any, rule: PointRule) -> None:
    """Remove the town's own rule: the default of its code applies again (ledger lines already written stay)."""
    from gridgov.core.services import delete_audited

    rule = get_scoped(PointRule.objects, acting_user, "delete", pk=rule.pk)
    if rule.town_id is None:
        raise PermissionDenied()
    delete_audited(rule, acting_user=acting_user)
