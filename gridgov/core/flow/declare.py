"""Flows as declarative data: stages, transitions, inputs, limits; and the registry of every flow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gridgov.core.errors import NotFound, ValidationFailed


class _Now:
    """`Transition.sets` value: the time of the act."""

    def __repr__(self) -> str:
        return "NOW"


NOW = _Now()


@dataclass(frozen=True)
class Inc:
    """`Transition.sets` value: the column's value plus `by` (a counter)."""

    by: int = 1


@dataclass(frozen=True)
class Limit:
    """A time limit in working time: a fixed amount of working hours or days (calendar days too), or one the
    subject supplies (`source(obj) -> (amount, unit)`, e.g. a case category's handling limit). Counted with
    the working hours of the subject's town (`obj.flow_town()`)."""

    amount: int = 0
    unit: str = "hours"  # "hours" | "days" (working) | "calendar_days"
    source: Callable[[Any], tuple[int, str]] | None = None

    def amount_of(self, obj: Any) -> tuple[int, str]:
        return self.source(obj) if self.source is not None else (self.amount, self.unit)

    def after(self, start: dt.datetime, obj: Any) -> tuple[dt.datetime, bool]:
        """The deadline `start` plus this limit, and whether it is provisional (no holiday table yet)."""
        from gridgov.core import calendar

        amount, unit = self.amount_of(obj)
        if unit == "calendar_days":
            return start + dt.timedelta(days=amount), False
        town = obj.flow_town() if hasattr(obj, "flow_town") else None
        code = getattr(town, "code", town if isinstance(town, str) else None)
        hours = calendar.working_hours_for(code) if code else calendar.working_hours_for()
        result = calendar.add_working_time(start, amount, unit, hours=hours)
        return result.at, bool(result.provisional)


@dataclass(frozen=True)
class Stage:
    name: str
    label: str
    queue: str = ""  # the work queue it appears in (a list filter); "" for none
    closed: bool = False  # status "closed" while in this stage
    limit: Limit | None = None  # the deadline of the step that starts when the subject enters this stage
    on_clock: bool = False  # the step's deadline is the subject's own running deadline (`obj.flow_clock()`)
    waits_for: str = ""  # the permission of whoever the stage waits for (the inbox); "" for nobody


@dataclass(frozen=True)
class Input:
    """One value a transition asks for. kind: text | int | bool | rating | choice | or a kind the subject
    resolves (department, user …, an integer key)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[str, ...] = ()  # kind "choice": the values allowed


Guard = Callable[[Any, Any], bool]


@dataclass
class Ctx:
    """What side effects see and change: the subject (`obj`, mutated in place), the actor, the inputs, the
    clock. `case` is the same object, under the name the case flows use."""

    obj: Any
    user: Any
    transition: Transition
    now: dt.datetime
    data: dict[str, Any]
    note: str
    prev_step_deadline: dt.datetime | None = None
    event_data: dict[str, Any] = field(default_factory=dict)
    notify_extra: list[Any] = field(default_factory=list)

    @property
    def case(self) -> Any:
        return self.obj


Effect = Callable[[Ctx], None]


@dataclass(frozen=True)
class Transition:
    """One move of a flow. `sets` declares column changes as data (a literal, `NOW`, or `Inc(n)`): `fire`
    applies them to one row and the sweep to a million, so a transition the sweep applies in bulk (督办) has one
    definition. `when` (a Q) narrows the rows the sweep may apply it to."""

    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: stays in its stage (延期申请, 缓办, 督办 …)
    permission: str
    guard: Guard | None = None
    inputs: tuple[Input, ...] = ()
    effects: tuple[Effect, ...] = ()
    sets: tuple[tuple[str, Any], ...] = ()
    when: Any = None  # a Q the subject must match (the sweep's filter; checked on one row too)
    notify: tuple[str, ...] = ()  # recipient groups the subject resolves ("handlers", "dispatchers" …)
    note_required: bool = False
    system: bool = False  # fired only by the system (the sweep, a merge), never offered to users
    branches: tuple[str, ...] = ()  # other stages an effect may choose instead of `target` (for graph())
    style: str = ""  # "primary" | "danger" for buttons
    done: str = ""  # what the page says once fired, where 已 + label reads badly

    def allowed(self, obj: Any, user: Any) -> bool:
        """Whether `user` may fire this now: right stage, permission in scope (the subject says), the guard."""
        if self.system or obj.stage not in self.sources:
            return False
        if not obj.flow_allows(user, self.permission):
            return False
        return self.guard is None or bool(self.guard(obj, user))

    def bulk_capable(self) -> bool:
        """Whether the sweep can apply it in bulk: declared column changes only, no effects, no inputs."""
        return bool(self.sets) and not self.effects and not self.inputs and self.target is None


@dataclass(frozen=True)
class Flow:
    kind: str
    label: str
    model: str  # "app_label.ModelName" of its subjects
    stages: tuple[Stage, ...]
    initial: str
    transitions: tuple[Transition, ...]
    overdue: str = ""  # the transition the sweep applies to subjects past their step deadline (督办)
    initial_effects: tuple[Effect, ...] = ()
    start_notify: tuple[str, ...] = ()  # whom `engine.start` tells of a new subject

    def __post_init__(self) -> None:
        names = {s.name for s in self.stages}
        assert self.initial in names, self.initial
        for t in self.transitions:
            bad = [s for s in (*t.sources, t.target, *t.branches) if s is not None and s not in names]
            assert not bad, f"{self.kind}.{t.name}: unknown stages {bad}"
        if self.overdue:
            t = self.transition(self.overdue)
            assert t.system and t.bulk_capable(), f"{self.kind}.{self.overdue}: the sweep needs declared sets"

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

    def available(self, obj: Any, user: Any) -> list[Transition]:
        return [t for t in self.transitions if t.allowed(obj, user)]

    def possible(self, obj: Any) -> list[Transition]:
        """Transitions open from the subject's stage, whoever may fire them (for "who may act")."""
        return [t for t in self.transitions if obj.stage in t.sources and not t.system]

    def stages_in_queue(self, queue: str) -> list[str]:
        return [s.name for s in self.stages if s.queue == queue]

    def waiting(self) -> dict[str, list[str]]:
        """permission → the open stages waiting for whoever holds it (the inbox)."""
        out: dict[str, list[str]] = {}
        for s in self.stages:
            if s.waits_for and not s.closed:
                out.setdefault(s.waits_for, []).append(s.name)
        return out

    def graph(self, fmt: str = "mermaid") -> str:
        """The flow as a Mermaid state diagram or a Graphviz DOT digraph. The sweep's transition (督办) applies
        to every open stage past its deadline: not drawn as a loop on each stage (DOT notes it once; the flow
        page's table lists it)."""
        drawn = [t for t in self.transitions if t.name != self.overdue]
        urge = self.transition(self.overdue) if self.overdue else None
        if fmt == "dot":
            lines = [f'digraph "{self.kind}" {{', "  rankdir=LR;", '  node [shape=box, style=rounded];']
            for s in self.stages:
                shape = ", peripheries=2" if s.closed else ""
                lines.append(f'  {s.name} [label="{s.label}"{shape}];')
            for t in drawn:
                for src in t.sources:
                    style = ", style=dashed" if t.system else ""
                    for dst in (t.target or src, *t.branches):
                        lines.append(f'  {src} -> {dst} [label="{t.label}"{style}];')
            if urge is not None:
                lines.append(f'  overdue_note [shape=note, label="{urge.label}：{_("超过环节时限的办理中事项由系统自动督办")}"];')
            lines.append("}")
            return "\n".join(lines)
        lines = ["stateDiagram-v2", f"  [*] --> {self.initial}"]
        for s in self.stages:
            lines.append(f"  {s.name}: {s.label}")
        for t in drawn:
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
        raise ValidationFailed({"kind": [_("未知的类型：%(k)s") % {"k": kind}]}) from None


def flows() -> list[Flow]:
    return list(_FLOWS.values())


def flows_of(model_label: str) -> list[Flow]:
    """The flows whose subjects are rows of `model_label` ("cases.case")."""
    label = model_label.lower()
    return [f for f in _FLOWS.values() if f.model.lower() == label]
