"""Demo cases for `gridgov demo`: the category trees, each town's dispatch rules, and a year of grid events
and complaints that went round their flows (timelines included), so queues, the map, case pages and the
indicators have something true to show. Synthetic data, bulk inserted, idempotent."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.utils import timezone

from . import rollup
from .categories import ensure_categories
from .deadlines import add_working_time
from .engine import flow_for
from .models import Case, CaseEvent, CaseFollower, Category, DispatchRule

CASES_PER_TOWN = {"boli": 3000, "xinan": 2000}

EVENT_TEXTS = {
    "0101": "路边有人私自搭建彩钢棚", "0102": "路口垃圾桶满溢，垃圾散落", "0104": "主干道路面泥土较多",
    "0201": "电线杆上张贴大量小广告", "0302": "工地未覆盖防尘网，扬尘严重", "0401": "路面出现塌陷坑",
    "0404": "下水道堵塞，污水外溢", "0504": "机动车占用消防通道停放", "0506": "夜间露天烧烤油烟大",
    "0602": "楼道堆放杂物堵塞消防通道", "0603": "楼道内电动车飞线充电", "0802": "夜间施工噪声扰民",
    "0803": "田间焚烧秸秆", "0902": "小区物业不作为，反映多次未解决", "0105": "路灯不亮",
}


def _point_in(grid: Any, rng: random.Random) -> tuple[float, float]:
    from shapely.geometry import Point, shape

    from gridgov.core.geo import parse_polygon

    if not grid.polygon:
        return grid.center_lat or 35.95, grid.center_lon or 120.0
    poly = getattr(grid, "_demo_poly", None)
    if poly is None:
        poly = grid._demo_poly = parse_polygon(grid.polygon)
    minx, miny, maxx, maxy = poly.bounds
    for _i in range(50):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(Point(lon, lat)):
            return lat, lon
    c = shape(poly.__geo_interface__).representative_point()
    return c.y, c.x


def _rules(ctx: Any, town: Any, parents: list[Category]) -> None:
    if DispatchRule.objects.filter(town=town.division).exists():
        return
    rows = []
    for p in parents:
        dept = town.category_department.get(p.pro_category)
        if dept is not None:
            rows.append(DispatchRule(town=town.division, category=p, department=dept, pro_category=p.pro_category))
    ctx.bulk_create(rows)


class _Sim:
    """Walks one case through its flow in memory, stamping times, counters and timeline rows."""

    def __init__(self, ctx: Any, town: Any, rng: random.Random, seq: int):
        self.ctx, self.town, self.rng, self.seq = ctx, town, rng, seq
        self.now = ctx.now

    def later(self, t: dt.datetime, lo_min: int, hi_min: int) -> dt.datetime:
        return t + dt.timedelta(minutes=self.rng.randint(lo_min, hi_min))

    def build(self, leaf: Category, grid: Any, kind: str) -> tuple[Case, list[CaseEvent]]:
        rng, town = self.rng, self.town
        created = self.ctx.past(rng)
        lat, lon = _point_in(grid, rng)
        channel = (rng.choices(["patrol", "public", "video", "referral"], [60, 25, 10, 5])[0] if kind == "grid_event"
                   else rng.choices(["hotline", "public"], [70, 30])[0])
        worker = town.grid_worker.get(grid.pk)
        reporter, name, phone, anonymous = None, "", "", False
        if channel == "patrol":
            reporter = worker
        elif channel == "public":
            if town.resident_accounts and rng.random() < 0.6:
                reporter = rng.choice(town.resident_accounts)[0]
            else:
                anonymous = rng.random() < 0.5
        elif channel == "hotline":
            fk = self.ctx.faker_for(f"cases-{town.key}-{self.seq}")
            name, phone = fk.name(), fk.phone_number()
        prefix = "SJ" if kind == "grid_event" else "SQ"
        c = Case(kind=kind, category=leaf, title=leaf.name, grid=grid, town=town.division, lat=lat, lon=lon,
                 description=EVENT_TEXTS.get(leaf.code, f"{grid.name}发现{leaf.name}问题，请处理"),
                 reporter=reporter, reporter_name=name, reporter_phone=phone, anonymous=anonymous, channel=channel,
                 # The town's letter keeps numbers of the two towns apart (same day, same sequence).
                 number=f"{prefix}{timezone.localtime(created):%Y%m%d}{town.key[0].upper()}{self.seq:05d}",
                 follow_token=secrets.token_urlsafe(16)[:22])
        c.created_at = c.updated_at = created
        events: list[CaseEvent] = []
        actor_of = {"dispatcher": (town.role("admin") or [None])[0]}

        def ev(t: dt.datetime, name: str, label: str, frm: str, to: str, actor: Any = None, note: str = "",
               data: dict | None = None) -> None:
            events.append(CaseEvent(case=c, time=t, actor=actor, actor_name=str(actor) if actor else "系统",
                                    transition=name, label=label, from_stage=frm, to_stage=to, note=note,
                                    data=data or {}))

        flow = flow_for(kind)
        ev(created, "report", f"上报（{c.get_channel_display()}）", "", "reported", reporter, c.description)
        c.stage, t = "reported", created
        first_limit = flow.stage("reported").limit
        step = add_working_time(created, first_limit.amount, first_limit.unit).at
        c.step_deadline = step
        dispatcher = actor_of["dispatcher"]

        def stop(at: dt.datetime) -> bool:
            """The story ends when its next step would lie in the future: the case is still open there."""
            return at >= self.now

        # 立案/受理 or 作废
        t1 = self.later(t, 5, 150 if rng.random() < 0.85 else 400)
        if stop(t1):
            return c, events
        if rng.random() < 0.04:
            c.stage, c.status, c.voided, c.void_reason = "voided", "closed", True, "经核实不属实"
            c.step_deadline, c.closed_at = None, t1
            ev(t1, "void", "作废", "reported", "voided", dispatcher, c.void_reason)
            return c, events
        if kind == "complaint":
            c.accepted_at = t1
            c.response_on_time = t1 <= step
            c.stage = "accepted"
            ev(t1, "accept", "受理", "reported", "accepted", dispatcher)
        else:
            c.stage = "filed"
            ev(t1, "file", "立案", "reported", "filed", dispatcher)
        c.filed_at = t1
        step = add_working_time(t1, 1, "hours").at
        c.step_deadline = step
        # 派遣
        t2 = self.later(t1, 5, 80 if rng.random() < 0.9 else 240)
        if stop(t2):
            return c, events
        dept = town.category_department.get(leaf.pro_category)
        pros = town.pro_workers.get(leaf.pro_category) or []
        c.department, c.pro_category = dept, leaf.pro_category
        c.assignee = rng.choice(pros) if pros and rng.random() < 0.5 else None
        c.dispatched_at, c.dispatch_on_time = t2, t2 <= step
        d = add_working_time(t2, leaf.deadline_amount, leaf.deadline_unit)
        c.deadline, c.deadline_provisional = d.at, d.provisional
        c.stage, c.step_deadline = "dispatched", c.deadline
        ev(t2, "dispatch", "派遣", "accepted" if kind == "complaint" else "filed", "dispatched", dispatcher,
           data={"department": dept.pk if dept else None})
        if rng.random() < 0.04:  # wrong dispatch: 退回 then re-dispatch
            tr = self.later(t2, 30, 300)
            if stop(tr):
                return c, events
            c.returned_count += 1
            ev(tr, "return", "退回", "dispatched", "filed" if kind == "grid_event" else "accepted", None,
               "不属于本单位职责")
            t2 = self.later(tr, 10, 60)
            if stop(t2):
                c.stage = "filed" if kind == "grid_event" else "accepted"
                c.department, c.deadline, c.step_deadline = None, None, add_working_time(tr, 1, "hours").at
                return c, events
            c.dispatched_at = t2
            d = add_working_time(t2, leaf.deadline_amount, leaf.deadline_unit)
            c.deadline, c.step_deadline = d.at, d.at
            ev(t2, "dispatch", "派遣", "filed", "dispatched", dispatcher)
        # 签收
        t3 = self.later(t2, 10, 180)
        if stop(t3):
            return c, events
        c.accepted_at = c.accepted_at or t3
        c.stage = "handling"
        ev(t3, "sign" if kind == "complaint" else "accept", "签收", "dispatched", "handling", c.assignee)
        if rng.random() < 0.02:
            c.deferred, c.step_deadline = True, None
            ev(self.later(t3, 60, 600), "defer", "缓办", "handling", "handling", dispatcher, "需统筹资金，暂缓办理")
            return c, events
        if rng.random() < 0.05:
            c.extension_count += 1
            tx = self.later(t3, 60, 600)
            if stop(tx):
                return c, events
            d = add_working_time(c.deadline, max(1, leaf.deadline_amount // 2), leaf.deadline_unit)
            c.deadline, c.step_deadline = d.at, d.at
            ev(tx, "approve_extension", "批准延期", "handling", "handling", dispatcher)
        rounds = 2 if rng.random() < 0.08 else 1
        for r in range(rounds):
            # 处置: most within the limit, some late
            span = max((c.deadline - t3).total_seconds(), 3600)
            frac = rng.uniform(0.1, 0.9) if rng.random() < 0.85 else rng.uniform(1.05, 2.0)
            t4 = t3 + dt.timedelta(seconds=span * frac)
            if stop(t4):
                return c, events
            c.solved_at, c.on_time = t4, t4 <= c.deadline
            if kind == "complaint":
                c.stage = "replying"
                ev(t4, "solve", "办理完毕", "handling", "replying", c.assignee, "已现场处理完毕")
                break
            c.stage = "verifying"
            c.step_deadline = add_working_time(t4, 1, "days").at
            ev(t4, "feedback", "处置反馈", "handling", "verifying", c.assignee, "已处置完毕，请核查")
            t5 = self.later(t4, 30, 900 if rng.random() < 0.9 else 2400)
            if stop(t5):
                return c, events
            c.verify_on_time = t5 <= c.step_deadline
            if r == 0 and rounds == 2:
                c.rework_count += 1
                c.stage, c.solved_at, c.on_time = "handling", None, None
                d = add_working_time(t5, leaf.deadline_amount, leaf.deadline_unit)
                c.deadline, c.step_deadline = d.at, d.at
                ev(t5, "verify_fail", "核查不通过（返工）", "verifying", "handling", worker, "现场仍未处理到位")
                t3 = t5
                continue
            c.verified_at = c.closed_at = t5
            c.stage, c.status, c.step_deadline = "closed", "closed", None
            ev(t5, "verify_pass", "核查通过（结案）", "verifying", "closed", worker)
            t6 = self.later(t5, 600, 20000)
            if not stop(t6) and rng.random() < 0.7:
                c.rating = rng.choices([5, 4, 3, 2], [55, 30, 10, 5])[0]
                c.stage = "evaluated"
                ev(t6, "evaluate", "综合评价", "closed", "evaluated", (town.role("leader") or [None])[0],
                   data={"rating": c.rating})
            return c, events
        if kind == "complaint" and c.stage == "replying":
            t5 = self.later(c.solved_at, 30, 600)
            if stop(t5):
                return c, events
            c.reply = "您反映的问题已办理完毕，感谢您的监督。"
            c.stage = "rating"
            ev(t5, "reply", "答复诉求人", "replying", "rating", c.assignee, data={"reply": c.reply})
            t6 = self.later(t5, 60, 2000)
            if stop(t6):
                return c, events
            c.rating = rng.choices([5, 4, 3, 2, 1], [50, 28, 12, 6, 4])[0]
            if c.rating <= 2:
                c.stage = "callback"
                ev(t6, "rate", "满意度评价", "rating", "callback", None, data={"rating": c.rating})
                t7 = self.later(t6, 60, 3000)
                if stop(t7):
                    return c, events
                ev(t7, "callback_done", "完成回访", "callback", "closed", dispatcher, "已回访并说明情况")
                c.closed_at = t7
            else:
                ev(t6, "rate", "满意度评价", "rating", "closed", None, data={"rating": c.rating})
                c.closed_at = t6
            c.stage, c.status, c.step_deadline = "closed", "closed", None
        return c, events


def _callers(ctx: Any, town: Any, rng: random.Random, cases: list[Case]) -> list[CaseFollower]:
    """Some open 12345 complaints were rung about again: a caller or two follows each (the 12345 desk took
    the call), with a timeline line, so the case page shows followers and their masked numbers."""
    followers: list[CaseFollower] = []
    events: list[CaseEvent] = []
    desk = (town.role("front_desk") or [None])[0]
    for c in cases:
        if c.channel != "hotline" or c.status != "open" or rng.random() > 0.3:
            continue
        for i in range(rng.randint(1, 2)):
            fk = ctx.faker_for(f"caller-{town.key}-{c.number}-{i}")
            at = min(ctx.now, c.created_at + dt.timedelta(hours=rng.randint(2, 40)))
            followers.append(CaseFollower(case=c, name=fk.name(), phone=fk.phone_number(),
                                          token=secrets.token_urlsafe(16)[:22]))
            events.append(CaseEvent(case=c, time=at, actor=desk, actor_name=str(desk) if desk else "系统",
                                    transition="follow_call", label="来电群众重复反映（关注）",
                                    from_stage=c.stage, to_stage=c.stage))
    ctx.bulk_create(followers)
    ctx.bulk_create(events)
    return followers


def seed(ctx: Any) -> None:
    """A year of cases per demo town (idempotent: returns when the town already has cases)."""
    ensure_categories()
    parents = list(Category.objects.filter(parent=None))
    leaves = {tree: list(Category.objects.filter(tree=tree).exclude(parent=None).select_related("parent"))
              for tree in ("event", "component")}
    complaint_leaves = [c for c in leaves["event"] if c.code[:2] in ("01", "03", "05", "07", "08", "09")]
    for town in ctx.towns.values():
        _rules(ctx, town, parents)
        if Case.objects.filter(town=town.division).exists() or not town.grids:
            continue
        rng = ctx.rng_for(f"cases-{town.key}")
        cases: list[Case] = []
        timelines: list[list[CaseEvent]] = []
        n = CASES_PER_TOWN.get(town.key, 1000)
        for i in range(n):
            kind = "complaint" if rng.random() < 0.25 else "grid_event"
            if kind == "complaint":
                leaf = rng.choice(complaint_leaves)
            else:
                leaf = rng.choice(leaves["component"] if rng.random() < 0.2 else leaves["event"])
            grid = rng.choice(town.grids)
            case, events = _Sim(ctx, town, rng, i + 1).build(leaf, grid, kind)
            if case.status == "open" and case.step_deadline and case.step_deadline < ctx.now:
                case.overdue = True
            cases.append(case)
            timelines.append(events)
        created = ctx.bulk_create(cases, keep_times=True)  # a year of history: reported times stay
        rollup.mark_cases(created)  # written without the engine: the indicator rollup recomputes their groups
        events = []
        for c, evs in zip(created, timelines, strict=True):
            for e in evs:
                e.case = c
                events.append(e)
        ctx.bulk_create(events, batch_size=2000)
        followers = _callers(ctx, town, rng, created)
        ctx.out(f"  cases: {town.name} {len(created)} 件，办理记录 {len(events)} 条，来电关注 {len(followers)} 人")
    admin = ctx.boli.role("admin") if "boli" in ctx.towns else []
    if admin:
        ctx.add_login("指挥中心调度员（案卷派遣）", admin[0].username, ctx.boli.name)
