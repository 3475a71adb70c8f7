"""Reads of the case engine, restricted to the user's scope: lists (shared FilterSet), a case with its
timeline and the actions open to the user, work-queue counts, the map, the inbox."""

from __future__ import annotations

import copy
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.accounts.roles import ProCategory
from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.masking import mask
from gridgov.core.paging import capped_counts_sql, load_only, read_capped_counts
from gridgov.core.pii import log_access
from gridgov.core.scope import can, get_scoped
from gridgov.core.tables import ProcessTable
from gridgov.core.tabular import CONTENT_TYPES, Export, check_format, write_rows

from . import engine, permissions
from .filtersets import QUEUES, CaseFilterSet, overdue_q, queue_q
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseFollower,
    Category,
    Channel,
    Kind,
    Notification,
    Status,
    Tree,
)
from .permissions import case_scope_q


def _filtered(queryset: QuerySet, filters: Any, user: Any) -> QuerySet:
    fs = CaseFilterSet(filters or {}, queryset=queryset, user=user)
    if not fs.is_valid():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in fs.errors.items()})
    return fs.qs


def case_list(*, user: Any, filters: Any = None, fields: Sequence[str] = ()) -> QuerySet[Case]:
    """Cases the user may see, filtered; in a work queue the most urgent (overdue) first. `fields`: read only
    these (a list page's columns), else every field."""
    qs = Case.objects.restrict(user, "view").select_related("category", "grid", "department")
    if fields:
        qs = load_only(qs, fields)
    qs = _filtered(qs, filters, user)
    queue = (filters or {}).get("queue") if hasattr(filters, "get") else None
    if queue:
        action = dict((n, a) for n, _l, a in QUEUES).get(queue, "view")
        if action != "view":
            scope = case_scope_q(user, action)
            qs = qs.filter(scope) if scope is not None else qs.none()
        from django.db.models import F

        return qs.order_by(F("step_deadline").asc(nulls_last=True), "id")
    return qs.order_by("-id")


# The case ledger (台账) as a spreadsheet: the columns, and what each row reads.
EXPORT_COLUMNS = (
    gettext_lazy("案卷编号"), gettext_lazy("类型"), gettext_lazy("类别编码"), gettext_lazy("类别"), gettext_lazy("标题"),
    gettext_lazy("描述"), gettext_lazy("地址"), gettext_lazy("网格"), gettext_lazy("渠道"), gettext_lazy("环节"),
    gettext_lazy("状态"), gettext_lazy("上报时间"), gettext_lazy("立案时间"), gettext_lazy("派遣时间"),
    gettext_lazy("责任部门"), gettext_lazy("处置人"), gettext_lazy("处置时限"), gettext_lazy("本环节时限"),
    gettext_lazy("已超期"), gettext_lazy("督办次数"), gettext_lazy("结案时间"), gettext_lazy("按期"),
    gettext_lazy("返工次数"), gettext_lazy("延期次数"), gettext_lazy("缓办"), gettext_lazy("评价"),
    gettext_lazy("上报人"), gettext_lazy("联系电话"))
_EXPORT_FIELDS = ("id", "number", "kind", "stage", "status", "title", "description", "address", "channel",
                  "created_at", "filed_at", "dispatched_at", "deadline", "step_deadline", "overdue", "urge_count",
                  "closed_at", "on_time", "rework_count", "extension_count", "deferred", "rating", "anonymous",
                  "reporter_name", "reporter_phone", "pro_category", "category__code", "category__name",
                  "grid__name", "department__name", "assignee__display_name", "assignee__username",
                  "reporter__display_name", "reporter__username")


def _minute(d: dt.datetime | None) -> str:
    """A time as the pages write it (local, to the minute); empty for none."""
    return timezone.localtime(d).strftime("%Y-%m-%d %H:%M") if d else ""


def case_export(*, user: Any, filters: Any = None, fmt: str = "xlsx") -> Export:
    """The case list as the user filtered it (the same FilterSet and scope; a work queue in its order), as the
    town's ledger (台账) in .xlsx or .csv, for whoever may export cases (the town leader, the administrator).
    The reporter's name and mobile are masked (a case page shows them to who may call back); an anonymous
    report says 匿名. Rows are read in chunks and written as they come; each export goes to the access log with
    its count."""
    fmt = check_format(fmt)
    if not can(user, "export", Case):
        raise PermissionDenied(_("无权导出案卷台账"))
    qs = case_list(user=user, filters=filters).select_related(None).select_related(
        "category", "grid", "department", "assignee", "reporter")
    qs = load_only(qs, _EXPORT_FIELDS)
    count = qs.count()
    log_access(user, kind="export", model=Case, fields=["reporter_name(masked)", "reporter_phone(masked)"],
               count=count, reason=str(_("导出案卷台账")))
    yes, no, anonymous = _("是"), _("否"), _("匿名")
    kinds, channels = dict(Kind.choices), dict(Channel.choices)
    statuses, pro = dict(Status.choices), dict(ProCategory.choices)

    def row(c: Case) -> list[Any]:
        unit = c.department.name if c.department_id else str(pro.get(c.pro_category, c.pro_category or ""))
        if c.anonymous:
            reporter, phone = anonymous, ""
        else:
            name = c.reporter_name or (str(c.reporter) if c.reporter_id else "")
            reporter, phone = mask("name", name) if name else "", mask("phone", c.reporter_phone)
        return [c.number, str(kinds.get(c.kind, c.kind)), c.category.code, c.category.name, c.title,
                c.description, c.address, c.grid.name, str(channels.get(c.channel, c.channel)),
                str(engine.flow_for(c.kind).stage(c.stage).label), str(statuses.get(c.status, c.status)),
                _minute(c.created_at), _minute(c.filed_at), _minute(c.dispatched_at), unit,
                str(c.assignee) if c.assignee_id else "", _minute(c.deadline), _minute(c.step_deadline),
                yes if c.overdue else no, c.urge_count, _minute(c.closed_at),
                "" if c.on_time is None else (yes if c.on_time else no), c.rework_count, c.extension_count,
                yes if c.deferred else no, c.rating, reporter, phone]

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return Export(filename=f"cases-{stamp}.{fmt}", content_type=CONTENT_TYPES[fmt], count=count, unmasked=False,
                  chunks=write_rows(fmt, [str(h) for h in EXPORT_COLUMNS],
                                    (row(c) for c in qs.iterator(chunk_size=2000)),
                                    **({"sheet_title": str(_("案卷台账"))} if fmt == "xlsx" else {})))


def case_get(*, user: Any, pk: Any, action: str = "view") -> Case:
    return get_scoped(Case.objects.select_related("category", "category__parent", "grid", "town", "department",
                                                  "assignee", "reporter", "merged_into"), user, action, pk=pk)


# Timeline lines that are no transition of a flow, by their `transition` code.
OTHER_EVENTS = {"follow": gettext_lazy("群众重复上报（关注）"), "follow_call": gettext_lazy("来电群众重复反映（关注）"),
                "merged_in": gettext_lazy("合并重复案卷"),
                "photos": gettext_lazy("补充照片"), "reporter_photos": gettext_lazy("上报人补充照片")}


def label_events(flow: engine.Flow, events: Sequence[CaseEvent]) -> None:
    """Name each timeline line and the stages it moved between in the reader's language (the stored
    `label` is in the language of whoever acted; it stays for what the flow no longer knows)."""
    transitions = {t.name: t.label for t in flow.transitions}
    for e in events:
        if e.transition == "report" and (e.data or {}).get("channel") in Channel.values:
            e.label = _("上报（%(c)s）") % {"c": Channel(e.data["channel"]).label}
        elif e.transition in transitions or e.transition in OTHER_EVENTS:
            e.label = str(transitions.get(e.transition) or OTHER_EVENTS[e.transition])
        e.from_label = flow.stage(e.from_stage).label if e.from_stage else ""
        e.to_label = flow.stage(e.to_stage).label if e.to_stage else ""


def follow_events(*, case: Case, photos: bool = True) -> list[CaseEvent]:
    """The timeline a follow link shows, named in the reader's language, with its photos (`photos`: for the
    reporter's own link only)."""
    events = case.events.order_by("time", "id")
    events = list(events.prefetch_related("attachments") if photos else events)
    label_events(engine.flow_for(case.kind), events)
    return events


@dataclass
class Waiting:
    transition: engine.Transition
    who: str


@dataclass
class CaseView:
    case: Case
    actions: list[engine.Transition]
    waiting: list[Waiting]
    events: list[CaseEvent]
    photos: list[Attachment]
    reporter: str
    reporter_phone: str
    merged: list[Case]
    follow_url: str = ""  # the follow link, to whoever reported the case (a 12345 operator reads it out)
    can_unmask_phone: bool = False  # may see the complainant's and callers' full numbers (to call back), logged
    followers: list[FollowerRow] = field(default_factory=list)  # staff only; phones masked unless unmasked
    time_left: str = ""  # the handling deadline's remaining or overrun working time (see `time_left`)
    step_left: str = ""  # the same for the current step's own limit (受理, 派遣, 答复, 评价, 回访)

    @property
    def offer_unmask(self) -> bool:
        """Whether the page offers to show the full numbers: the user may, and some are still masked."""
        return self.can_unmask_phone and any("*" in p for p in [self.reporter_phone, *(f.phone for f in self.followers)])


@dataclass
class FollowerRow:
    """Someone who follows the case (repeated report, merged case, caller): who, how to reach them, since."""

    name: str
    phone: str
    via: str  # the number of the merged case they came with
    since: dt.datetime


# Steps whose new handling deadline counts afresh from that moment (返工, 改派, 恢复办理), which the timeline
# says: a 返工 that gives the unit its whole limit again reads differently from one that kept the old deadline.
CLOCK_RESTARTS = frozenset({"verify_fail", "redispatch", "resume"})


def _describe_events(events: list[CaseEvent]) -> None:
    """What each step decided, in words, as `e.details` [(label, value)]: the unit or worker it went to, the
    deadline it set (saying so when the clock restarted), the 延期 asked for, the rating, the duplicate merged
    in. The timeline's data holds ids and codes; their names come in at most one query each, however long the
    timeline."""
    from gridgov.accounts.models import User
    from gridgov.accounts.roles import ProCategory
    from gridgov.network.models import Department

    from .models import TimeUnit

    data = [e.data if isinstance(e.data, dict) else {} for e in events]
    dept_ids = {d["department"] for d in data if d.get("department")}
    user_ids = {d["assignee"] for d in data if d.get("assignee")}
    depts = dict(Department.objects.filter(pk__in=dept_ids).values_list("pk", "name")) if dept_ids else {}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    for e, d in zip(events, data, strict=True):
        details = []
        if d.get("department"):
            details.append((_("责任部门"), depts.get(d["department"], "—")))
        if d.get("pro_category") in ProCategory.values:
            details.append((_("专业类别"), ProCategory(d["pro_category"]).label))
        if d.get("assignee"):
            details.append((_("处置人"), users.get(d["assignee"], "—")))
        if e.transition == "request_extension" and str(d.get("amount", "")).isdigit():
            unit = TimeUnit(d["unit"]).label if d.get("unit") in TimeUnit.values else TimeUnit.DAYS.label
            details.append((_("申请延期"), f"{d['amount']} {unit}"))
        if e.transition == "merged_in" and d.get("number"):
            details.append((_("并入的重复案卷"), str(d["number"])))
        if d.get("deadline"):
            try:
                when = _minute(dt.datetime.fromisoformat(str(d["deadline"])))
                details.append((_("处置时限（重新计时）") if e.transition in CLOCK_RESTARTS else _("处置时限"), when))
            except ValueError:
                pass
        if str(d.get("rating", "")).isdigit():
            details.append((_("评分"), f"{d['rating']} / 5"))
        e.details = details


def may_unmask_phone(user: Any, case: Case, *, callers: bool = False) -> bool:
    """The complainant's full number (and `callers`: the numbers of callers following the case), for the
    people who call them: the 指挥中心 (回访 after a 差评) and the 12345 desk (recording a rating given by
    phone). Never a complainant who reported anonymously."""
    return bool(((case.reporter_phone and not case.anonymous) or callers) and getattr(user, "kind", "") == "staff"
                and (permissions.allows(user, "dispatch", case) or permissions.allows(user, "rate", case)))


def _followers(case: Case, unmasked: bool) -> list[FollowerRow]:
    rows = (CaseFollower.objects.filter(case=case).select_related("user", "via").only(
        "name", "phone", "created_at", "user__username", "user__first_name", "user__last_name", "via__number")
        .order_by("created_at", "id"))
    return [FollowerRow(name=f.name or (str(f.user) if f.user_id else _("群众")),
                        phone=(f.phone if unmasked else mask("phone", f.phone)) if f.phone else "",
                        via=f.via.number if f.via_id else "", since=f.created_at) for f in rows]


def case_view(*, user: Any, case: Case, unmask: bool = False, reason: str = "") -> CaseView:
    """Everything a case page shows: the actions the user may fire, who may act next, the timeline with
    its photos (a fixed number of queries, whatever the timeline's length). `unmask` with a `reason` shows
    the complainant's full number to those who may call them back, and writes the access log
    (RULES.md §7)."""
    flow = engine.flow_for(case.kind)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor")
                  .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
                  .order_by("time", "id"))
    photos = [p for e in events for p in e.attachments.all()]
    label_events(flow, events)
    _describe_events(events)
    actions = flow.available(case, user)
    waiting = [Waiting(t, engine.who_may(case, t)) for t in flow.possible(case) if t.guard is None
               or t.guard(case, user)]
    staff = getattr(user, "kind", "") == "staff"
    if case.anonymous and case.reporter_id != getattr(user, "pk", None):
        reporter, phone = _("匿名"), ""
    else:
        # The contact given with the report names the complainant: a 12345 call is entered by the operator
        # (the account that reported it), on behalf of the caller named here.
        reporter = case.reporter_name or (str(case.reporter) if case.reporter_id else "")
        phone = mask("phone", case.reporter_phone) if case.reporter_phone and staff else ""
    followers = _followers(case, unmasked=False) if staff else []
    callers = any(f.phone for f in followers)
    can_unmask = may_unmask_phone(user, case, callers=callers)
    if unmask and can_unmask:
        reason = reason.strip()
        if not reason:
            raise ValidationFailed({"reason": [_("请填写查看事由")]})
        if case.reporter_phone and not case.anonymous:
            log_access(user, kind="view", model=Case, object_id=case.pk, fields=["reporter_phone"], reason=reason)
            phone = case.reporter_phone
        if callers:
            log_access(user, kind="view", model=CaseFollower, object_id=case.pk, fields=["phone"],
                       count=sum(1 for f in followers if f.phone), reason=reason)
            followers = _followers(case, unmasked=True)
    merged = list(Case.objects.filter(merged_into=case).only("id", "number", "title")) if staff else []
    mine = case.reporter_id is not None and case.reporter_id == getattr(user, "pk", None)
    follow_url = f"/cases/follow/{case.follow_token}/" if mine else ""
    return CaseView(case, actions, waiting, events, photos, reporter, phone, merged, follow_url, can_unmask,
                    followers, time_left(case), step_time_left(case))


def _amount(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def time_left(case: Case, now: Any = None) -> str:
    """How long the open, running case has until its handling deadline, or how far past it it is, in
    working time (the unit its category's limit is in: 剩余 3.5 个工作小时, 已超 2 个工作日; under one unit,
    the next smaller one), so it reads as the limit does. Empty when no clock runs."""
    if not case.deadline or case.status != "open" or case.deferred or case.solved_at:
        return ""
    unit = case.category.deadline_unit if case.category.deadline_unit in ("hours", "days") else "hours"
    return _left(case, case.deadline, unit, now)


def step_time_left(case: Case, now: Any = None) -> str:
    """How long the current step has left by its own limit (受理 within 2 working hours, 答复 within a working
    day, 回访 within 3), in that limit's unit. Empty while the step runs on the handling deadline, which
    `time_left` tells."""
    if not case.step_deadline or case.status != "open" or case.step_deadline == case.deadline:
        return ""
    limit = engine.flow_for(case.kind).stage(case.stage).limit
    return _left(case, case.step_deadline, limit.unit if limit and limit.source is None else "hours", now)


def _left(case: Case, deadline: dt.datetime, unit: str, now: Any = None) -> str:
    from . import deadlines

    now = now or timezone.now()
    left = deadlines.working_time_left(now, deadline, unit, town=case.town)
    amount = abs(left)
    if unit == "days" and amount < 1:
        unit, amount = "hours", amount * deadlines.minutes_per_day(town=case.town) / 60
    if unit == "hours" and amount < 1:
        minutes = round(amount * 60)
        text = _("%(n)d 分钟（工作时间）") % {"n": minutes} if minutes else ""
    else:
        text = (_("%(n)s 个工作日") if unit == "days" else _("%(n)s 个工作小时")) % {"n": _amount(amount)}
    if deadline > now:
        return _("剩余 %(t)s") % {"t": text} if text else _("即将到期")
    return _("已超 %(t)s") % {"t": text} if text else _("已到期")


def handler_choices(*, case: Case) -> list[tuple[str, list[tuple[int, str]]]]:
    """Whom the dispatch form offers as 处置人, grouped: the staff of each department of the case's town, and
    its professional grid workers by category (the dispatch refuses anyone else). One query."""
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import ProCategory, Role

    groups: dict[str, list[tuple[int, str]]] = {}
    rows = (RoleAssignment.objects.filter(Q(role=Role.DEPT_STAFF, department__town_id=case.town_id)
                                          | Q(role=Role.PRO_WORKER, division__town_id=case.town_id),
                                          user__is_active=True)
            .select_related("user", "department").order_by("role", "department__code", "category", "user__username"))
    for r in rows:
        group = r.department.name if r.role == Role.DEPT_STAFF else (
            f"{Role.PRO_WORKER.label} · {ProCategory(r.category).label}" if r.category in ProCategory.values
            else str(Role.PRO_WORKER.label))
        members = groups.setdefault(group, [])
        if all(pk != r.user_id for pk, _name in members):
            members.append((r.user_id, str(r.user)))
    return list(groups.items())


def dispatch_suggestion(*, case: Case) -> str:
    """What 派遣 with nothing chosen would pick for `case` (the dispatch form names it before it is used)."""
    from gridgov.accounts.roles import ProCategory

    from .dispatch import suggest

    s = suggest(category=case.category, grid=case.grid)
    parts = [s.department.name] if s.department else []
    if s.pro_category:
        parts.append(str(dict(ProCategory.choices).get(s.pro_category, s.pro_category)))
    return " · ".join(parts)


QUEUE_CAP = 999


def queue_counts(*, user: Any, cap: int = QUEUE_CAP) -> list[dict[str, Any]]:
    """Each work queue the user works in with its count and overdue count, each counted up to `cap`
    (shown as "999+"): one query whatever the number of cases, each count a LIMITed scan of the queue
    index (`case_queue_idx`: town, status, stage, step_deadline)."""
    view = case_scope_q(user, "view")
    if view is None:
        return []
    scopes = {action: case_scope_q(user, action) for action in {a for _n, _l, a in QUEUES}}
    shown = [(name, label, scopes[action]) for name, label, action in QUEUES if scopes[action] is not None]
    if not shown:
        return []
    key = (view, tuple((name, scope) for name, _l, scope in shown), cap, Case.objects.db)
    # Building and compiling fourteen subqueries costs more than running them: the statement is kept per
    # scope (scopes made of plain values only; the time is a parameter, set on every call).
    sql, params, at = (_queue_count_sql(*key) if all(_plain(q) for q in (view, *(s for _n, _l, s in shown)))
                       else _queue_count_sql.__wrapped__(*key))
    now = connections[key[3]].ops.adapt_datetimefield_value(timezone.now())
    params = [now if i in at else p for i, p in enumerate(params)]
    names = [n for name, _l, _s in shown for n in (name, f"{name}__late")]
    row = read_capped_counts(names, sql, params, key[3], cap)
    return [{"queue": n, "label": str(lbl), "count": row[n][0], "capped": row[n][1],
             "overdue": row[f"{n}__late"][0], "overdue_capped": row[f"{n}__late"][1]} for n, lbl, _s in shown]


def town_summary(*, user: Any, today: dt.date | None = None, cap: int = QUEUE_CAP) -> dict[str, Any] | None:
    """A leader's glance at the cases they may see: open cases and the overdue among them (each counted up
    to `cap`, one query), and this month's 应结案数, 结案率 and 按期结案率 (RULES.md §1, as the indicators
    page counts them, month to date). None when they may see no case."""
    from gridgov.core.paging import capped_counts

    from .indicators import Period, case_indicators

    view = case_scope_q(user, "view")
    if view is None:
        return None
    open_cases = Case.objects.filter(view).filter(status="open")
    counts = capped_counts({"open": open_cases, "overdue": open_cases.filter(overdue_q())}, cap)
    today = today or timezone.localdate()
    period = Period(today.replace(day=1), today + dt.timedelta(days=1))
    total = case_indicators(user=user, by="town", period=period, with_filed=False)["total"]
    return {"open": counts["open"][0], "open_capped": counts["open"][1], "overdue": counts["overdue"][0],
            "overdue_capped": counts["overdue"][1], "month": period.start, "due": total["counts"]["due"],
            "close_rate": total["rates"]["close_rate"], "on_time_rate": total["rates"]["on_time_rate"]}


_NOW_MARKER = dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)


@functools.lru_cache(maxsize=256)
def _queue_count_sql(view: Q, scopes: tuple[tuple[str, Q], ...], cap: int, db: str) -> tuple[str, tuple, set[int]]:
    """The queue counts statement of these scopes, and where its parameters hold the current time."""
    base = Case.objects.using(db).filter(view).order_by()  # queue_q and overdue_q hold status = open
    counted: dict[str, QuerySet] = {}
    for name, scope in scopes:
        in_queue = base.filter(queue_q(name) & scope)
        counted[name], counted[f"{name}__late"] = in_queue, in_queue.filter(overdue_q(_NOW_MARKER))
    sql, params, _db = capped_counts_sql(counted, cap)
    marker = connections[db].ops.adapt_datetimefield_value(_NOW_MARKER)
    return sql, tuple(params), {i for i, p in enumerate(params) if p == marker}


def _plain(q: Q) -> bool:
    """Whether `q` holds plain values only (no subquery, no object): then equal scopes compile equally."""
    for child in q.children:
        if isinstance(child, Q):
            if not _plain(child):
                return False
        elif not isinstance(child[1], str | int | bool | float | None):
            return False
    return True


def case_map(*, user: Any, filters: Any = None, limit: int = 5000) -> list[dict[str, Any]]:
    """Open cases as points with stage and lateness (the map colours by both)."""
    now = timezone.now()
    qs = _filtered(Case.objects.restrict(user, "view").filter(status="open"), filters, user)
    rows = qs.order_by("-id").values("id", "number", "title", "lat", "lon", "kind", "stage", "step_deadline",
                                     "deadline")[:limit]
    out = []
    for r in rows:
        flow = engine.flow_for(r["kind"])
        stage = flow.stage(r["stage"])
        out.append({"id": r["id"], "number": r["number"], "title": r["title"], "lat": r["lat"], "lon": r["lon"],
                    "stage": r["stage"], "stage_label": str(stage.label), "queue": stage.queue,
                    "overdue": bool(r["step_deadline"] and r["step_deadline"] < now)})
    return out


class _ActiveCategories(ProcessTable):
    """The active categories by id and by code, per process: intake looks one up on every report."""

    def load(self) -> tuple[dict[int, Category], dict[str, Category]]:
        rows = list(Category.objects.filter(active=True).select_related("parent").order_by("tree", "code"))
        by_code: dict[str, Category] = {}
        # 事件 and 部件 share codes (0102 is 暴露垃圾 and 污水井盖): a bare code names the event (Open311's
        # service_code); a component is named by its id. "component" sorts before "event", hence the key.
        for c in sorted(rows, key=lambda c: c.tree != Tree.EVENT):
            by_code.setdefault(c.code, c)
        return {c.pk: c for c in rows}, by_code

    def find(self, value: Any) -> Category | None:
        """By primary key (digits, no leading zero) or else by code; None when no active category matches."""
        by_pk, by_code = self.data()
        s = str(value)
        found = by_pk.get(int(s)) if s.isdigit() and len(s) < 8 and not s.startswith("0") else None
        found = found or by_code.get(s)
        return copy.copy(found) if found is not None else None


active_categories = _ActiveCategories()


def categories(*, tree: str | None = None) -> list[Category]:
    """The active categories, the 事件 tree first (what residents report most; "component" sorts before
    "event"), each by code."""
    if tree and tree not in Tree.values:  # a misspelt tree would otherwise answer an empty list
        raise ValidationFailed({"tree": [str(_("取值不在允许范围内"))]})
    qs = Category.objects.filter(active=True).select_related("parent").order_by("tree", "code")
    if tree:
        qs = qs.filter(tree=tree)
    return sorted(qs, key=lambda c: c.tree != Tree.EVENT)


def inbox(*, user: Any, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The user's newest `limit` notifications, titled in the reader's language (one query)."""
    from .notifications import localize

    qs = Notification.objects.filter(recipient=user).select_related("case").only(
        "id", "case", "kind", "title", "body", "url", "created_at", "read_at",
        "case__id", "case__kind", "case__number", "case__title").order_by("-id")
    return localize((qs.filter(read_at=None) if unread_only else qs)[:limit])


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


@dataclass
class Followed:
    """What a follow link shows: the case (a merged one's survivor), and whether the link is the case's own,
    its reporter's (reads the reply, rates it), or a follower's (a repeated or merged report: progress only)."""

    case: Case
    own: bool


def case_by_token(*, token: str) -> Followed:
    """The case a follow link names: the case's own link, a follower's link, or the link of a case merged
    into another (its reporter follows the survivor)."""
    from gridgov.core.errors import NotFound

    related = ("category", "grid", "department", "merged_into")
    case = Case.objects.select_related(*related).filter(follow_token=token).first() if token else None
    own = case is not None and not case.merged_into_id
    if case is None and token:
        follower = CaseFollower.objects.select_related(*(f"case__{r}" for r in related)).filter(token=token).first()
        case = follower.case if follower else None
    if case is None:
        raise NotFound()
    seen = 0
    while case.merged_into_id and seen < 5:
        case = Case.objects.select_related(*related).get(pk=case.merged_into_id)
        seen += 1
    return Followed(case, own)


def follow_next_step(*, case: Case, own: bool) -> str:
    """What the complainant waits for next and until when, on their follow link (三度: 受理 within 2 working
    hours, a reply, a call-back after a 差评); `own`: the complainant's own link, which rates (a follower's
    does not). Empty for grid events and closed complaints."""
    if case.kind != "complaint" or case.status != "open":
        return ""

    step, stage = _minute(case.step_deadline), case.stage
    if stage in ("dispatched", "handling"):  # the 办理时限 line below says until when
        return _("责任部门办理中（缓办，恢复办理后重新计时）") if case.deferred else _("责任部门办理中")
    texts = {
        "reported": _("%(town)s将于 %(d)s 前受理诉求"),
        "accepted": _("已受理，将于 %(d)s 前派遣至责任部门"),
        "replying": _("已办理完毕，责任部门将于 %(d)s 前答复诉求人"),
    }
    if own:
        texts |= {"rating": _("请在下方对答复进行评价（%(d)s 前）"),
                  "callback": _("感谢您的评价。工作人员将于 %(d)s 前回访您，了解不满意的原因")}
    return texts[stage] % {"d": step, "town": case.town.name} if stage in texts and step else ""


# -- The administrator's settings (issue 15, item 4) ---------------------------------------------------------


def dispatch_rule_list(*, user: Any) -> QuerySet[Any]:
    from .models import DispatchRule

    return (DispatchRule.objects.restrict(user, "view").select_related("town", "category", "area", "department")
            .order_by("town__path", "category__tree", "category__code", "priority", "id"))


def dispatch_rule_get(*, user: Any, pk: Any, action: str = "view") -> Any:
    from .models import DispatchRule

    return get_scoped(DispatchRule.objects.select_related("town", "category", "area", "department"), user, action,
                      pk=pk)


def category_limit_list(*, user: Any) -> QuerySet[Any]:
    from .models import CategoryLimit

    return (CategoryLimit.objects.restrict(user, "view").select_related("town", "category")
            .order_by("town__path", "category__tree", "category__code"))


def category_limit_get(*, user: Any, pk: Any, action: str = "view") -> Any:
    from .models import CategoryLimit

    return get_scoped(CategoryLimit.objects.select_related("town", "category"), user, action, pk=pk)


def category_limit_rows(*, user: Any, town: Any) -> list[dict[str, Any]]:
    """Every category with its default limit and the town's own (when the town set one): the limits page."""
    from .models import Category, CategoryLimit

    own = {lim.category_id: lim for lim in CategoryLimit.objects.restrict(user, "view").filter(town=town)}
    rows = []
    for c in Category.objects.select_related("parent").order_by("tree", "code"):
        rows.append({"category": c, "limit": own.get(c.pk)})
    return rows
