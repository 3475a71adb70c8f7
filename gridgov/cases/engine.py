"""The case engine: flows as declarative data, one mechanism to fire them.

A `Flow` (one module per case kind in gridgov.cases.flows) lists its stages and transitions. A transition
names its sources and target, the permission it needs (an action of gridgov.cases.permissions) plus an
optional guard `callable(case, user)`, the inputs it asks for, its side effects and whom it notifies. The
target stage may carry a step deadline. `fire()` runs one transition in one transaction: optimistic
concurrency on the case's version, the timeline entry, photos, the audit record and the notifications
(sent after commit). `Flow.graph()` draws the flow as Mermaid or DOT.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core import audit
from gridgov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.core.services import service

from . import permissions, rollup
from .deadlines import add_working_time
from .photos import files_rolled_back


@dataclass(frozen=True)
class Limit:
    """A time limit: a fixed amount of working hours/days, or the case category's handling limit."""

    amount: int = 0
    unit: str = "hours"
    from_category: bool = False

    def after(self, start: dt.datetime, case: Any) -> tuple[dt.datetime, bool]:
        if self.from_category:
            from .categories import category_limit  # the town's own limit of the category, else its default

            amount, unit = category_limit(case.category, case.town_id)
        else:
            amount, unit = self.amount, self.unit
        d = add_working_time(start, amount, unit, town=case.town)
        return d.at, d.provisional


@dataclass(frozen=True)
class Stage:
    name: str
    label: str
    queue: str = ""  # the work queue it appears in: "file" | "dispatch" | "handle" | "verify" | "reply" | ...
    closed: bool = False  # status "closed" while in this stage
    limit: Limit | None = None  # deadline of the step that starts when a case enters this stage
    on_case_clock: bool = False  # the step's deadline is the case's handling deadline (处置 stages)


@dataclass(frozen=True)
class Input:
    """One value a transition asks for. kind: text | department | pro_category | user | rating | int | bool."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False


Guard = Callable[[Any, Any], bool]


@dataclass
class Ctx:
    """What side effects see and change: the case (mutated in place), the actor, the inputs, the clock."""

    case: Any
    user: Any
    transition: Transition
    now: dt.datetime
    data: dict[str, Any]
    note: str
    prev_step_deadline: dt.datetime | None = None
    event_data: dict[str, Any] = field(default_factory=dict)
    notify_extra: list[Any] = field(default_factory=list)


Effect = Callable[[Ctx], None]


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: stays in its stage (延期申请, 缓办, 督办 ...)
    permission: str
    guard: Guard | None = None
    inputs: tuple[Input, ...] = ()
    effects: tuple[Effect, ...] = ()
    notify: tuple[str, ...] = ()  # "reporter" | "handlers" | "dispatchers" | "grid" | "leaders"
    note_required: bool = False
    system: bool = False  # fired only by the system (the sweep), never offered to users
    branches: tuple[str, ...] = ()  # other stages an effect may choose instead of `target` (for graph())
    style: str = ""  # "primary" | "danger" for buttons
    done: str = ""  # what the page says once fired, where 已 + label reads badly (已满意度评价); else 已 + label

    def allowed(self, case: Any, user: Any) -> bool:
        """Whether `user` may fire this now: right stage, permission in scope, and the guard."""
        if self.system or case.stage not in self.sources:
            return False
        if not permissions.allows(user, self.permission, case):
            return False
        return self.guard is None or bool(self.guard(case, user))


@dataclass(frozen=True)
class Flow:
    kind: str
    label: str
    stages: tuple[Stage, ...]
    initial: str
    transitions: tuple[Transition, ...]
    initial_effects: tuple[Effect, ...] = ()

    def __post_init__(self) -> None:
        names = {s.name for s in self.stages}
        assert self.initial in names, self.initial
        for t in self.transitions:
            bad = [s for s in (*t.sources, t.target) if s is not None and s not in names]
            assert not bad, f"{self.kind}.{t.name}: unknown stages {bad}"

    def stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        return Stage(name, name)

    def transition(self, name: str) -> Transition:
        for t in self.transitions:
            if t.name == name:
                return t
        raise NotFound(_("没有这个操作：%(n)s") % {"n": name})

    def available(self, case: Any, user: Any) -> list[Transition]:
        return [t for t in self.transitions if t.allowed(case, user)]

    def possible(self, case: Any) -> list[Transition]:
        """Transitions open from the case's stage, whoever may fire them (for "who may act")."""
        return [t for t in self.transitions if case.stage in t.sources and not t.system]

    def stages_in_queue(self, queue: str) -> list[str]:
        return [s.name for s in self.stages if s.queue == queue]

    def graph(self, fmt: str = "mermaid") -> str:
        """The flow as a Mermaid state diagram or a Graphviz DOT digraph."""
        if fmt == "dot":
            lines = [f'digraph "{self.kind}" {{', "  rankdir=LR;", '  node [shape=box, style=rounded];']
            for s in self.stages:
                shape = ", peripheries=2" if s.closed else ""
                lines.append(f'  {s.name} [label="{s.label}"{shape}];')
            for t in self.transitions:
                for src in t.sources:
                    style = ", style=dashed" if t.system else ""
                    for dst in (t.target or src, *t.branches):
                        lines.append(f'  {src} -> {dst} [label="{t.label}"{style}];')
            lines.append("}")
            return "\n".join(lines)
        lines = ["stateDiagram-v2", f"  [*] --> {self.initial}"]
        for s in self.stages:
            lines.append(f"  {s.name}: {s.label}")
        for t in self.transitions:
            for src in t.sources:
                for dst in (t.target or src, *t.branches):
                    lines.append(f"  {src} --> {dst}: {t.label}")
        for s in self.stages:
            if s.closed:
                lines.append(f"  {s.name} --> [*]")
        return "\n".join(lines)


_FLOWS: dict[str, Flow] = {}


def register(flow: Flow) -> Flow:
    _FLOWS[flow.kind] = flow
    return flow


def flow_for(kind: str) -> Flow:
    try:
        return _FLOWS[kind]
    except KeyError:
        raise ValidationFailed({"kind": [_("未知的案卷类型：%(k)s") % {"k": kind}]}) from None


def flows() -> list[Flow]:
    return list(_FLOWS.values())


# Columns a transition may change (everything else is fixed at intake).
MUTABLE = (
    "stage", "status", "department_id", "pro_category", "assignee_id", "grid_id", "deadline",
    "deadline_provisional", "step_deadline", "overdue", "urge_count", "last_urged_at", "filed_at",
    "dispatched_at", "accepted_at", "solved_at", "verified_at", "closed_at", "on_time", "dispatch_on_time",
    "verify_on_time", "response_on_time", "rework_count", "extension_count", "returned_count",
    "extension_pending", "extension_requested", "deferred", "voided", "void_reason", "merged_into_id",
    "rating", "rating_note", "reply",
)


def conflict_for(case_pk: int) -> Conflict:
    from .models import Case

    row = Case.objects.filter(pk=case_pk).values("version", "stage", "kind").first() or {}
    stage = row.get("stage", "")
    label = flow_for(row["kind"]).stage(stage).label if row else ""
    return Conflict(_("案卷已被他人处理（当前环节：%(s)s），请刷新后重试") % {"s": label},
                    current_version=row.get("version"), current_stage=stage, current_stage_label=label)


def enter_stage(case: Any, stage_name: str, now: dt.datetime) -> None:
    """Set stage, status and the step deadline of the stage entered."""
    flow = flow_for(case.kind)
    stage = flow.stage(stage_name)
    previous_step_deadline = case.step_deadline
    case.stage = stage.name
    case.status = "closed" if stage.closed else "open"
    if stage.limit is not None:
        case.step_deadline, _prov = stage.limit.after(now, case)
    elif stage.on_case_clock:
        case.step_deadline = None if case.deferred else case.deadline
    else:
        case.step_deadline = None
    # `overdue` (督办) belongs to a step: a stage with its own limit starts a fresh clock, on time, and the sweep
    # urges it again when that one lapses, even when the new deadline happens to equal the old one (two 1-hour
    # limits started outside working hours both end an hour into the next working day). A stage on the case
    # clock keeps the mark unless its deadline moved: 签收 keeps the handling deadline, and with it the mark.
    if stage.closed or stage.limit is not None or case.step_deadline != previous_step_deadline:
        case.overdue = False


INTEGER = re.compile(r"-?\d{1,18}")


def _clean_inputs(t: Transition, data: dict[str, Any]) -> dict[str, Any]:
    """The transition's inputs, typed; every refused one is named at once (a form names them all together)."""
    known = {i.name: i for i in t.inputs}
    unknown = set(data) - set(known)
    if unknown:
        raise ValidationFailed({k: [_("未知字段")] for k in sorted(unknown)})
    out: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    for name, spec in known.items():
        value = data.get(name)
        if spec.kind == "text" and isinstance(value, str):
            value = value.strip()  # a reply of spaces tells the complainant nothing: it is no reply
        # The reason alone: the page and the API put the field's name before it ("延期时长：应为整数").
        if value in (None, ""):
            if spec.required:
                errors[name] = [_("必填")]
            continue
        if spec.kind in ("rating", "int", "department", "user"):
            # An integer, or its digits as a form sends them (a 64-bit key at most); not 1.7 read as 1, nor
            # true read as 1.
            if isinstance(value, bool) or not isinstance(value, int | str) or not INTEGER.fullmatch(str(value).strip()):
                errors[name] = [_("应为整数")]
                continue
            value = int(value)
            if spec.kind == "rating" and not 1 <= value <= 5:
                errors[name] = [_("评价只能是 1 到 5")]
                continue
        if spec.kind == "bool":
            value = value in (True, "true", "1", "on", 1)
        out[name] = value
    if errors:
        raise ValidationFailed(errors)
    return out


@files_rolled_back
@service
def fire(*, case: Any, transition: str, acting_user: Any, expected_version: int | None = None,
         note: str = "", data: dict[str, Any] | None = None, photos: Sequence[Any] = (),
         system: bool = False, actor_name: str = "") -> Any:
    """Fire one transition on `case` for `acting_user`. Exactly one of two concurrent calls on the same
    version succeeds; the other raises Conflict carrying the current stage. `actor_name`: who acted without
    an account (the complainant rating through the follow link), for the timeline; else 系统."""
    from .models import Case, CaseEvent
    from .notifications import notify_transition
    from .photos import save_photos

    flow = flow_for(case.kind)
    t = flow.transition(transition)
    if expected_version is not None and expected_version != case.version:
        raise conflict_for(case.pk)
    if case.stage not in t.sources:
        raise conflict_for(case.pk) if expected_version is not None else ValidationFailed(
            {"transition": [_("当前环节（%(s)s）不能执行“%(t)s”") % {"s": case.stage_label, "t": t.label}]})
    # `system`: the caller has authorised the act itself (the sweep, a merge, a complainant's follow token).
    if t.system and not system:
        raise PermissionDenied()
    if not system and not t.allowed(case, acting_user):
        raise PermissionDenied()
    note = (note or "").strip()
    missing_note = {"note": [_("请填写%(t)s的说明") % {"t": t.label}]} if t.note_required and not note else {}
    try:
        inputs = _clean_inputs(t, dict(data or {}))
    except ValidationFailed as exc:  # named together with a missing note, in the form's order
        raise ValidationFailed({**exc.errors, **missing_note}) from None
    if missing_note:
        raise ValidationFailed(missing_note)

    before = audit.snapshot(case)
    indicator_state, indicator_groups = rollup.state_of(case), rollup.groups_of(case)
    now = timezone.now()
    from_stage = case.stage
    ctx = Ctx(case=case, user=acting_user, transition=t, now=now, data=inputs, note=note,
              prev_step_deadline=case.step_deadline)
    if t.target is not None:
        enter_stage(case, t.target, now)
    for effect in t.effects:
        effect(ctx)

    values = {name: getattr(case, name) for name in MUTABLE}
    rows = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1, updated_at=now, **values)
    if rows == 0:
        raise conflict_for(case.pk)
    case.version += 1
    case.updated_at = now
    if rollup.state_of(case) != indicator_state:  # the groups it left and entered are recomputed on read
        rollup.mark_dirty(indicator_groups | rollup.groups_of(case))
    event = CaseEvent.objects.create(
        case=case, time=now, actor=acting_user if getattr(acting_user, "pk", None) else None,
        actor_name=str(acting_user) if getattr(acting_user, "pk", None) else (actor_name or _("系统")),
        transition=t.name, label=t.label, from_stage=from_stage, to_stage=case.stage, note=note,
        data=audit.jsonable({**inputs, **ctx.event_data}))
    if photos:
        save_photos(case=case, event=event, files=photos, user=acting_user)
    audit.record(case, "update", before)
    notify_transition(case=case, transition=t, event=event, actor=acting_user, extra=ctx.notify_extra)
    return case


def on_commit(fn: Callable[[], None]) -> None:
    transaction.on_commit(fn)


def who_may(case: Any, t: Transition) -> str:
    """A short description of who may fire `t` (for the case page): for the handling steps the unit, category
    and person the case was dispatched to, for 核查 the grid's worker, else the role. A dispatcher reads whose
    move it is without comparing 责任部门 with a generic 责任部门/专业网格员."""
    from gridgov.accounts.roles import ProCategory

    if t.permission == "handle":
        parts = [case.department.name] if case.department_id else []
        if case.pro_category in ProCategory.values:
            parts.append(_("%(c)s专业网格员") % {"c": ProCategory(case.pro_category).label})
        if case.assignee_id:
            parts.append(str(case.assignee))
        if parts:
            return " · ".join(parts)
    if t.permission == "verify" and case.grid_id:
        return _("%(g)s网格员") % {"g": case.grid.name}
    return role_of(t)


def role_of(t: Transition) -> str:
    """Who may fire `t` in general, by role (the flow page; the case page when nothing names them better)."""
    return {
        "dispatch": _("指挥中心（调度员）"), "handle": _("责任部门/专业网格员"), "verify": _("所在网格网格员"),
        "evaluate": _("指挥中心/镇街领导"), "rate": _("诉求人"), "add": _("网格员"),
    }.get(t.permission, t.permission)


def iter_stage_choices() -> Iterable[tuple[str, str]]:
    """Every flow's stages, one choice per stage name, for the filters. A name the flows label differently
    reads as both labels (reported: 待立案/待受理); where different names share a label (待派遣 is `filed` of a
    grid event and `accepted` of a complaint), each names its case type, so no two choices read the same."""
    from .models import Kind

    order = {k: i for i, k in enumerate(Kind.values)}
    labels: dict[str, list[str]] = {}
    kinds: dict[str, list[str]] = {}
    for f in sorted(_FLOWS.values(), key=lambda f: order.get(f.kind, len(order))):
        for s in f.stages:
            label = str(s.label)
            if label not in labels.setdefault(s.name, []):
                labels[s.name].append(label)
            kinds.setdefault(s.name, []).append(str(f.label))
    joined = {name: "/".join(ls) for name, ls in labels.items()}
    shared = {label for label in joined.values() if list(joined.values()).count(label) > 1}
    return [(name, _("%(stage)s（%(kinds)s）") % {"stage": label, "kinds": "/".join(kinds[name])}
             if label in shared else label) for name, label in joined.items()]
