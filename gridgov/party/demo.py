"""Demo seed of party building (called by `gridgov demo`): both towns' organisation trees and 7,400+ members
with a year of meetings, attendance, points, study, cadres and deployments. Bulk inserts, audited by
`ctx.bulk_create`; idempotent (a town whose 党委 exists is left alone). All data is synthetic."""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections import defaultdict
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role

from .models import (
    Attendance,
    Cadre,
    CadreRecord,
    Course,
    Deployment,
    DeploymentTarget,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    OrgKind,
    OrgOfficer,
    PartyOrganisation,
    PointCategory,
    PointEntry,
    PointTally,
    PointYear,
    QuizQuestion,
    RedFlagRating,
    Sector,
    StudyRecord,
)

# Branch sizes per town: (kind of place, how many branches, members each (min, max)).
BOLI_MEMBERS = 4_250  # 95 % full or probationary: 4,000+ can check in
XINAN_MEMBERS = 3_420
ATTENDED_KINDS = (MeetingKind.THEME_DAY, MeetingKind.GENERAL_ASSEMBLY, MeetingKind.LECTURE)
COURSES = ["习近平新时代中国特色社会主义思想学习纲要", "中国共产党章程", "中国共产党支部工作条例（试行）",
           "中国共产党纪律处分条例", "基层党建统领网格化治理", "党员量化积分管理办法", "新时代“枫桥经验”",
           "安全生产法解读", "乡村振兴战略", "优化营商环境条例", "民法典与基层治理", "党史学习：建党百年"]


class _Builder:
    def __init__(self, ctx: Any, town: Any, rng: random.Random, fk: Any):
        self.ctx, self.town, self.rng, self.fk = ctx, town, rng, fk
        self.orgs: list[PartyOrganisation] = []
        self.branches: list[PartyOrganisation] = []
        self.seq = 0

    def org(self, parent: PartyOrganisation | None, kind: str, name: str, division: Any, sector: str,
            **kw: Any) -> PartyOrganisation:
        self.seq += 1
        code = f"{self.town.code}-{self.seq:04d}"
        o = PartyOrganisation(parent=parent, kind=kind, name=name, code=code, division=division,
                              town=self.town.division, sector=sector,
                              path=(parent.path if parent else "") + code + "/", **kw)
        self.orgs.append(o)
        if kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
            self.branches.append(o)
        return o

    def save(self, level: list[PartyOrganisation]) -> None:
        for o in level:
            o.parent_id = o.parent.pk if o.parent else None
        self.ctx.bulk_create(level)


def _tree_boli(b: _Builder) -> None:
    t = b.town
    root = b.org(None, OrgKind.COMMITTEE, "中共泊里镇委员会", t.division, Sector.TOWN)
    b.save([root])
    villages = [b.org(root, OrgKind.COMMITTEE, f"{v.name}党委", v, Sector.VILLAGE) for v in t.villages]
    two_new = b.org(root, OrgKind.COMMITTEE, "泊里镇“两新”组织综合党委", t.division, Sector.TOWN, is_two_new=True)
    depts = [b.org(root, OrgKind.BRANCH, f"{d.name}党支部", t.division, Sector.DEPARTMENT, department=d,
                   has_committee=True) for d in t.departments.values()]
    b.save(villages + [two_new] + depts)
    village_of = {v.pk: o for v, o in zip(t.villages, villages, strict=True)}
    grids = []
    for g in t.grids:
        parent = village_of.get(g.parent.parent_id) if g.parent_id else None
        grids.append(b.org(parent or root, OrgKind.GENERAL_BRANCH, f"{g.name}党总支", g, Sector.GRID,
                           has_committee=True))
    from gridgov.register.models import Enterprise

    ents = list(Enterprise.objects.filter(town=t.division).order_by("id")[:21])
    two = [b.org(two_new, OrgKind.BRANCH, f"{e.name}党支部", e.grid, Sector.ENTERPRISE if i < 17
                 else Sector.SOCIAL_ORG, enterprise=e, is_two_new=True, has_committee=True)
           for i, e in enumerate(ents)]
    b.save(grids + two)


def _tree_xinan(b: _Builder) -> None:
    t = b.town
    root = b.org(None, OrgKind.WORKING_COMMITTEE, "中共辛安街道工作委员会", t.division, Sector.TOWN)
    b.save([root])
    communities = [b.org(root, OrgKind.COMMITTEE, f"{v.name}党委", v, Sector.VILLAGE) for v in t.villages]
    two_new = b.org(root, OrgKind.COMMITTEE, "辛安街道“两新”组织综合党委", t.division, Sector.TOWN,
                    is_two_new=True)
    depts = [b.org(root, OrgKind.BRANCH, f"{d.name}党支部", t.division, Sector.DEPARTMENT, department=d,
                   has_committee=True) for d in t.departments.values()]
    b.save(communities + [two_new] + depts)
    comm_of = {v.pk: o for v, o in zip(t.villages, communities, strict=True)}
    grids = [b.org(comm_of.get(g.parent.parent_id, root), OrgKind.BRANCH, f"{g.name}党支部", g, Sector.GRID,
                   has_committee=True) for g in t.grids]
    from gridgov.register.models import Enterprise

    n_two = 145 - len(b.orgs) - len(grids)
    ents = list(Enterprise.objects.filter(town=t.division).order_by("id")[:max(n_two, 0)])
    two = [b.org(two_new, OrgKind.BRANCH, f"{e.name}党支部", e.grid, Sector.ENTERPRISE, enterprise=e,
                 is_two_new=True, has_committee=True) for e in ents]
    b.save(grids + two)


def _members(b: _Builder, total: int) -> list[Member]:
    """Spread `total` members over the branches (≥7 each, so each has its committee), with accounts."""
    ctx, rng, fk, t = b.ctx, b.rng, b.fk, b.town
    n = len(b.branches)
    weights = [3.0 if o.kind == OrgKind.GENERAL_BRANCH else (1.0 if o.sector != Sector.DEPARTMENT else 0.6)
               for o in b.branches]
    extra = total - 8 * n
    s = sum(weights)
    sizes = [8 + int(extra * w / s) for w in weights]
    sizes[0] += total - sum(sizes)
    users, members = [], []
    i = 0
    statuses = [MemberStatus.FULL] * 90 + [MemberStatus.PROBATIONARY] * 5 + [MemberStatus.CANDIDATE] * 2 + \
        [MemberStatus.ACTIVIST] * 3
    for org, size in zip(b.branches, sizes, strict=True):
        for _ in range(size):
            i += 1
            name = fk.name()
            users.append(User(username=f"{t.key}_member{i:04d}", display_name=name, kind=User.Kind.RESIDENT,
                              town=t.division, password=ctx.password_hash, phone=fk.phone_number()))
            status = rng.choice(statuses)
            joined = dt.date(rng.randint(1975, 2024), rng.randint(1, 12), rng.randint(1, 28))
            members.append(Member(name=name, org=org, town=t.division, status=status, phone=users[-1].phone,
                                  joined_on=joined if status in (MemberStatus.FULL, MemberStatus.PROBATIONARY)
                                  else None,
                                  confirmed_on=joined + dt.timedelta(days=365) if status == MemberStatus.FULL
                                  else None))
    users = ctx.bulk_create(users)
    for u, m in zip(users, members, strict=True):
        m.user = u
    # 党小组 in every 党总支 and two 党员中心户 per grid: the chain down to the household.
    subs: list[PartyOrganisation] = []
    sub_of: dict[int, tuple[list[PartyOrganisation], list[PartyOrganisation]]] = {}
    for org in b.branches:
        groups = [b.org(org, OrgKind.GROUP, f"{org.name}第{k}党小组", org.division, org.sector) for k in
                  range(1, 4)] if org.kind == OrgKind.GENERAL_BRANCH else []
        households = [b.org(org, OrgKind.HOUSEHOLD, f"{org.division.name}党员中心户{k}", org.division, org.sector)
                      for k in range(1, 3)] if org.sector == Sector.GRID else []
        sub_of[org.pk] = (groups, households)
        subs += groups + households
    b.branches = [o for o in b.branches if o.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)]
    b.save(subs)
    for m in members:
        groups, households = sub_of[m.org.pk]
        if groups:
            m.group = rng.choice(groups)
        if households and rng.random() < 0.4:
            m.central_household = rng.choice(households)
    return ctx.bulk_create(members)


def _officers(b: _Builder, members: list[Member]) -> None:
    by_org: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        by_org[m.org_id].append(m)
    officers = []
    for org in b.branches:
        ms = by_org[org.pk]
        officers.append(OrgOfficer(org=org, user_id=ms[0].user_id, post=OrgOfficer.Post.SECRETARY))
        officers.extend(OrgOfficer(org=org, user_id=m.user_id, post=OrgOfficer.Post.COMMITTEE) for m in ms[1:4])
    office = User(username=f"{b.town.key}_partyoffice", display_name=f"{b.town.name}党建办",
                  town=b.town.division, password=b.ctx.password_hash)
    office = b.ctx.bulk_create([office])[0]
    officers.append(OrgOfficer(org=b.orgs[0], user_id=office.pk, post=OrgOfficer.Post.OFFICE))
    # The town party office also holds party_secretary over the town: the town's courses and the cadres
    # that belong to no organisation are theirs too.
    b.ctx.bulk_create([RoleAssignment(user=office, role=Role.PARTY_SECRETARY, division=b.town.division)])
    b.ctx.bulk_create(officers)
    first = b.branches[0]
    sec = next(u for u in User.objects.filter(pk=by_org[first.pk][0].user_id))
    b.ctx.add_login(f"{b.town.name} 党建办 (town party office)", office.username, "/party/")
    b.ctx.add_login(f"{b.town.name} 支部书记 of {first.name}", sec.username, "/party/meetings/")
    b.ctx.add_login(f"{b.town.name} 党员 (party member, phone view)", by_org[first.pk][5].user.username,
                    "/party/my/")


def _meetings_and_points(b: _Builder, members: list[Member]) -> None:
    ctx, rng, t = b.ctx, b.rng, b.town
    tz = timezone.get_current_timezone()
    now = ctx.now
    start_month = (timezone.localtime(now).year * 12 + timezone.localtime(now).month - 1) - 12
    meetings: list[Meeting] = []
    plan = [(MeetingKind.THEME_DAY, 1), (MeetingKind.COMMITTEE, 1), (MeetingKind.GENERAL_ASSEMBLY, 3),
            (MeetingKind.LECTURE, 3)]
    groups_of: dict[int, list[PartyOrganisation]] = defaultdict(list)
    for o in b.orgs:
        if o.kind == OrgKind.GROUP:
            groups_of[o.parent_id].append(o)
    for org in b.branches:
        weak = rng.random() < 0.12  # some branches skip meetings: the board shows amber and red
        for group in groups_of.get(org.pk, []):
            for k in range(12):
                year, month = divmod(start_month + k + 1, 12)
                st = dt.datetime(year, month + 1, 3, 19, tzinfo=tz)
                if st + dt.timedelta(hours=1) <= now and rng.random() > (0.3 if weak else 0.03):
                    meetings.append(Meeting(org=group, town=t.division, kind=MeetingKind.GROUP,
                                            title=f"{year}年{month + 1}月党小组会", starts_at=st,
                                            ends_at=st + dt.timedelta(hours=1), state=Meeting.State.HELD,
                                            checkin_token=secrets.token_urlsafe(18)))
        for k in range(13):
            ym = start_month + k
            year, month = divmod(ym, 12)
            for kind, every in plan:
                if ym % every:
                    continue
                if rng.random() < (0.25 if weak else 0.02):
                    continue
                day = 5 + rng.randint(0, 20)
                st = dt.datetime(year, month + 1, day, 9 if kind != MeetingKind.THEME_DAY else 14, 30, tzinfo=tz)
                if st + dt.timedelta(hours=2) > now:
                    continue
                meetings.append(Meeting(org=org, town=t.division, kind=kind, title=f"{year}年{month + 1}月"
                                        f"{MeetingKind(kind).label}", starts_at=st, ends_at=st + dt.timedelta(hours=2),
                                        state=Meeting.State.HELD, checkin_token=secrets.token_urlsafe(18),
                                        minutes="会议学习传达上级精神，研究部署本月工作。", place="党群服务中心"))
        year = timezone.localtime(now).year - 1
        for kind, month in ((MeetingKind.LIFE, 12), (MeetingKind.APPRAISAL, 12)):
            st = dt.datetime(year, month, 20, 9, tzinfo=tz)
            meetings.append(Meeting(org=org, town=t.division, kind=kind, title=f"{year}年度{MeetingKind(kind).label}",
                                    starts_at=st, ends_at=st + dt.timedelta(hours=3), state=Meeting.State.HELD,
                                    checkin_token=secrets.token_urlsafe(18)))
    meetings = ctx.bulk_create(meetings, batch_size=2000)
    by_org: dict[int, list[Member]] = defaultdict(list)
    for m in members:
        if m.status in (MemberStatus.FULL, MemberStatus.PROBATIONARY):
            by_org[m.org_id].append(m)
    attendance: list[Attendance] = []
    entries: list[PointEntry] = []
    tally: dict[tuple[int, int, str], int] = defaultdict(int)
    caps = {PointCategory.MEETING: 24, PointCategory.THEME_DAY: 24, PointCategory.VOLUNTEER: 20,
            PointCategory.STUDY: 20}

    def add(m: Member, category: str, code: str, pts: int, reason: str, on: dt.date, ref: str | None,
            source: str = PointEntry.Source.AUTO) -> None:
        key = (m.pk, on.year, category)
        cap = caps.get(category)
        if cap is not None and abs(tally[key]) + abs(pts) > cap:
            return
        tally[key] += pts
        entries.append(PointEntry(member=m, org_id=m.org_id, year=on.year, category=category, rule_code=code,
                                  points=pts, reason=reason, source=source, source_ref=ref, occurred_on=on))

    pending: list[tuple[Attendance, Meeting]] = []
    for mt in meetings:
        if mt.kind not in ATTENDED_KINDS:
            continue
        for m in by_org[mt.org_id]:
            r = rng.random()
            status = "present" if r < 0.88 else "late" if r < 0.92 else "leave" if r < 0.96 else "absent"
            at = mt.starts_at + dt.timedelta(minutes=rng.randint(-20, 8) if status == "present" else 15)
            a = Attendance(meeting=mt, member=m, status=status,
                           method=Attendance.Method.QR if status in ("present", "late") else "secretary",
                           checked_at=at)
            attendance.append(a)
            pending.append((a, mt))
    attendance = ctx.bulk_create(attendance, batch_size=5000)
    for a, mt in pending:
        m, on = a.member, timezone.localtime(mt.starts_at).date()
        cat = PointCategory.THEME_DAY if mt.kind == MeetingKind.THEME_DAY else PointCategory.MEETING
        code = "theme_day_attend" if cat == PointCategory.THEME_DAY else "meeting_attend"
        if a.status in ("present", "late"):
            add(m, cat, code, 2, f"参加{mt.title}", on, f"att:{a.pk}")
        if a.status == "late":
            add(m, PointCategory.LATENESS, "lateness", -1, f"{mt.title}迟到", on, f"late:{a.pk}")
        if a.status == "absent":
            add(m, PointCategory.ABSENCE, "absence", -2, f"无故缺席{mt.title}", on, f"abs:{a.pk}")
    # Volunteer service (approved claims) and study.
    courses = ctx.bulk_create([Course(town=t.division, title=title, kind=Course.Kind.TEXT if i % 3 else
                                      Course.Kind.VIDEO, body=f"{title}（演示课程，合成内容）。",
                                      video_url="https://example.org/video" if i % 3 == 0 else "")
                               for i, title in enumerate(COURSES)])
    ctx.bulk_create([QuizQuestion(course=c, text=f"《{c.title}》的学习要求是？", options=["学懂弄通做实", "走过场"],
                                  answer=0) for c in courses])
    study = []
    for m in members:
        for _ in range(rng.choice((0, 1, 2, 3, 4, 5))):
            on = ctx.past(rng)
            add(m, PointCategory.VOLUNTEER, "volunteer", 2, "社区志愿服务", on.date(), None,
                PointEntry.Source.CLAIM)
        for c in rng.sample(courses, rng.randint(0, 4)):
            study.append(StudyRecord(member=m, course=c, completed_at=ctx.past(rng), quiz_score=100))
    study = ctx.bulk_create(study, batch_size=5000)
    for s in study:
        on = timezone.localtime(s.completed_at).date()
        add(s.member, PointCategory.STUDY, "study_course", 1, f"完成学习：{s.course.title}", on, f"study:{s.pk}")
    # A few disciplinary vetoes.
    for m in rng.sample(members, 3):
        add(m, PointCategory.VETO, "veto", 0, "受党纪处分（演示）", ctx.today, None, PointEntry.Source.MANUAL)
    ctx.bulk_create(entries, batch_size=5000)
    # The running totals and yearly scores are rows like any other: audited too (ctx.bulk_create).
    ctx.bulk_create([PointTally(member_id=k[0], year=k[1], category=k[2], total=v) for k, v in tally.items()],
                    batch_size=5000)
    years: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (mid, year, cat), v in tally.items():
        years[(mid, year)][0] += v
        if cat == PointCategory.VETO:
            years[(mid, year)][1] = 1
    org_of = {m.pk: m.org_id for m in members}
    ctx.bulk_create([
        PointYear(member_id=mid, year=year, org_id=org_of[mid], town=t.division, delta=d, vetoed=bool(v),
                  score=0 if v else max(0, 100 + d)) for (mid, year), (d, v) in years.items()], batch_size=5000)


def _cadres(b: _Builder, deployments: dict[str, int], awards: int, red_flags: int) -> None:
    ctx, rng, fk, t = b.ctx, b.rng, b.fk, b.town
    depts = list(t.departments.values())
    n = sum(deployments.values())
    cadres = ctx.bulk_create([Cadre(name=fk.name(), title=rng.choice(["科员", "副科长", "科长", "主任"]),
                                    town=t.division, department=depts[i % len(depts)]) for i in range(n)])
    deps, i = [], 0
    targets_for = {Deployment.Kind.SINK: [("网格事件办结", 20)], Deployment.Kind.INSTRUCTOR: [("三会一课规范落实", 12)],
                   Deployment.Kind.WORK_TEAM: [("薄弱班子转化", 1), ("信访隐患化解", 5)]}
    for kind, count in deployments.items():
        for _ in range(count):
            deps.append(Deployment(cadre=cadres[i], kind=kind, division=rng.choice(t.grids if kind == "sink"
                                                                                   else t.villages),
                                   starts_on=ctx.today - dt.timedelta(days=rng.randint(30, 360)), town=t.division))
            i += 1
    deps = ctx.bulk_create(deps)
    ctx.bulk_create([DeploymentTarget(deployment=d, name=name, goal=goal, done=rng.randint(0, goal))
                     for d in deps for name, goal in targets_for[d.kind]])
    office = User.objects.get(username=f"{t.key}_partyoffice")
    records = [CadreRecord(cadre=c, kind=CadreRecord.Kind.AWARD, on=ctx.today - dt.timedelta(days=rng.randint(1, 300)),
                           title="担当作为好书记" if k % 3 == 0 else "担当作为好干部", created_by=office)
               for k, c in enumerate(rng.sample(cadres, min(awards, len(cadres))))]
    records += [CadreRecord(cadre=c, kind=CadreRecord.Kind.REPORT, on=ctx.today - dt.timedelta(days=30),
                            title="述职、述廉、述学（三述）报告", content="本年度工作情况（演示）", created_by=office)
                for c in cadres[:len(depts)]]
    records += [CadreRecord(cadre=c, kind=CadreRecord.Kind.EVALUATION, on=ctx.today - dt.timedelta(days=60),
                            title="年度担当作为评价", grade=rng.choice(["优秀", "称职", "称职", "基本称职"]),
                            created_by=office) for c in cadres]
    ctx.bulk_create(records)
    year = timezone.localtime(ctx.now).year - 1
    ctx.bulk_create([RedFlagRating(org=o, year=year, level=RedFlagRating.Level.RED_FLAG, note="演示评定")
                     for o in rng.sample(b.branches, min(red_flags, len(b.branches)))])


def seed(ctx: Any) -> None:
    for key, total, build, deployments, awards, red in (
            ("boli", BOLI_MEMBERS, _tree_boli, {"sink": 45, "instructor": 29, "work_team": 78}, 66, 20),
            ("xinan", XINAN_MEMBERS, _tree_xinan, {"sink": 24, "instructor": 12, "work_team": 0}, 30, 12)):
        town = ctx.towns.get(key)
        if town is None or PartyOrganisation.objects.filter(town=town.division).exists():
            continue
        rng, fk = ctx.rng_for(f"party:{key}"), ctx.faker_for(f"party:{key}")
        b = _Builder(ctx, town, rng, fk)
        t0 = time.perf_counter()
        build(b)
        members = _members(b, total)
        _officers(b, members)
        t1 = time.perf_counter()
        _meetings_and_points(b, members)
        t2 = time.perf_counter()
        _cadres(b, deployments, awards, red)
        ctx.out(f"  party {town.name}: {len(b.orgs)} organisations, {len(members)} members "
                f"(tree+members {t1 - t0:.1f}s, year of meetings and points {t2 - t1:.1f}s)")
