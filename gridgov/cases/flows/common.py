"""Side effects and guards shared by the flows. Each effect takes the transition context and changes the
case in place; the engine writes the result in one conditional UPDATE."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.errors import ValidationFailed

from ..engine import HANDLING, NOW, Ctx, Inc, Input, Stage, Transition, enter_stage
from ..models import TimeUnit
from ..permissions import allows


def _on_time(when, limit) -> bool | None:
    return None if limit is None else when <= limit


def stamp_filed(ctx: Ctx) -> None:
    ctx.case.filed_at = ctx.now


def stamp_accepted(ctx: Ctx) -> None:
    """Complaint acceptance (响应): on time when within the 2 working hours of the intake step."""
    ctx.case.accepted_at = ctx.now
    ctx.case.response_on_time = _on_time(ctx.now, ctx.prev_step_deadline)


def stamp_signed(ctx: Ctx) -> None:
    if ctx.case.kind != "complaint":
        ctx.case.accepted_at = ctx.now


def void(ctx: Ctx) -> None:
    ctx.case.voided = True
    ctx.case.void_reason = ctx.note[:200]
    ctx.case.closed_at = ctx.now


def _set_dispatch_target(ctx: Ctx) -> None:
    from gridgov.network.models import Department

    from ..dispatch import suggest

    case, data = ctx.case, ctx.data
    department_id, pro, assignee = data.get("department"), data.get("pro_category", ""), data.get("assignee")
    if not department_id and not pro and not assignee:
        s = suggest(category=case.category, grid=case.grid)
        department_id = s.department.pk if s.department else None
        pro = s.pro_category
        ctx.event_data["suggested"] = True
    if not department_id and not pro and not assignee:
        raise ValidationFailed({"department": [_("请选择责任部门或专业类别（没有匹配的派遣规则）")]})
    if department_id:
        if not Department.objects.filter(pk=department_id, town_id=case.town_id).exists():
            raise ValidationFailed({"department": [_("部门不存在或不属于本镇街")]})
    if pro:
        from gridgov.accounts.roles import ProCategory

        if pro not in ProCategory.values:
            raise ValidationFailed({"pro_category": [_("未知的专业类别")]})
    handler = None
    if assignee:
        from gridgov.accounts.models import User

        handler = User.objects.filter(pk=assignee, is_active=True, kind="staff").first()
        if handler is None:
            raise ValidationFailed({"assignee": [_("处置人不存在")]})
    case.department_id = department_id or None
    case.pro_category = pro or ""
    case.assignee_id = assignee or None
    # The handler named must be able to open and handle the case (their department, category or area):
    # anyone else would get its notice and find nothing to do, or no page at all (another town).
    if handler is not None and not allows(handler, "handle", case):
        raise ValidationFailed({"assignee": [_("该处置人无权办理本案卷（不属于所选部门、专业类别或辖区）")]})
    ctx.event_data.update(department=case.department_id, pro_category=case.pro_category,
                          assignee=case.assignee_id)


def start_clock(ctx: Ctx) -> None:
    """The deadline clock starts (or restarts) now, with the category's handling limit."""
    case = ctx.case
    case.deadline, case.deadline_provisional = HANDLING.after(ctx.now, case)
    case.step_deadline = _handling_step(case)
    case.overdue = False
    ctx.event_data["deadline"] = case.deadline


def dispatch(ctx: Ctx) -> None:
    first = ctx.case.dispatched_at is None
    _set_dispatch_target(ctx)
    if first:
        ctx.case.dispatch_on_time = _on_time(ctx.now, ctx.prev_step_deadline)
    ctx.case.dispatched_at = ctx.now
    start_clock(ctx)


def redispatch(ctx: Ctx) -> None:
    """改派: another unit takes over with a fresh clock; a 延期 the previous unit asked for lapses with it. The
    unit that loses the case is told so, besides the new handlers."""
    from ..notifications import recipients

    previous = recipients(ctx.case, ("handlers",))
    ctx.case.returned_count += 1
    ctx.case.extension_pending, ctx.case.extension_requested = False, None
    dispatch(ctx)
    ctx.notify_extra.extend(previous)


def returned(ctx: Ctx) -> None:
    """退回: the dispatch was wrong; counts against 准确派遣率 and the clock stops until re-dispatch."""
    case = ctx.case
    case.returned_count += 1
    case.department_id, case.pro_category, case.assignee_id = None, "", None
    case.deadline = None
    case.extension_pending, case.extension_requested = False, None


def keep_deadline_as_step(ctx: Ctx) -> None:
    ctx.case.step_deadline = _handling_step(ctx.case)


def _handling_step(case: Any) -> dt.datetime | None:
    """The step deadline while handling: the case's deadline, none while 缓办 suspends the clock."""
    return None if case.deferred else case.deadline


def solved(ctx: Ctx) -> None:
    ctx.case.solved_at = ctx.now
    ctx.case.on_time = _on_time(ctx.now, ctx.case.deadline)


def verify_pass(ctx: Ctx) -> None:
    case = ctx.case
    case.verified_at = ctx.now
    case.verify_on_time = _on_time(ctx.now, ctx.prev_step_deadline)
    case.closed_at = ctx.now
    if case.solved_at is not None and case.deadline is not None:
        case.on_time = case.solved_at <= case.deadline


def rework(ctx: Ctx) -> None:
    """返工: back to 处置, the handling clock restarts."""
    case = ctx.case
    case.rework_count += 1
    case.verify_on_time = _on_time(ctx.now, ctx.prev_step_deadline)
    case.solved_at = None
    case.on_time = None
    start_clock(ctx)


# The longest 延期 one request may ask for: about a working year. A longer one is a typing slip, and a
# deadline thousands of years away cannot be computed at all (the approval would fail).
MAX_EXTENSION = {"days": 250, "hours": 2000}


def request_extension(ctx: Ctx) -> None:
    amount = int(ctx.data["amount"])
    unit = ctx.data.get("unit") or "days"
    if unit not in MAX_EXTENSION:
        raise ValidationFailed({"unit": [_("单位只能是 days（工作日）或 hours（工作时）")]})
    if not 0 < amount <= MAX_EXTENSION[unit]:
        raise ValidationFailed({"amount": [_("延期时长应为 1 到 %(n)s 之间的整数（%(unit)s）")
                                           % {"n": MAX_EXTENSION[unit], "unit": TimeUnit(unit).label}]})
    ctx.case.extension_pending = True
    ctx.case.extension_requested = {"amount": amount, "unit": unit, "by": ctx.user.pk}
    ctx.case.step_deadline = _handling_step(ctx.case)


def approve_extension(ctx: Ctx) -> None:
    from ..deadlines import add_working_time

    case = ctx.case
    req = case.extension_requested or {}
    start = case.deadline or ctx.now
    d = add_working_time(start, int(req.get("amount", 1)), req.get("unit", "days"), town=case.town)
    case.deadline, case.deadline_provisional = d.at, case.deadline_provisional or d.provisional
    case.step_deadline = _handling_step(case)
    case.extension_count += 1
    case.extension_pending, case.extension_requested = False, None
    case.overdue = False
    ctx.event_data["deadline"] = case.deadline


def reject_extension(ctx: Ctx) -> None:
    ctx.case.extension_pending, ctx.case.extension_requested = False, None
    ctx.case.step_deadline = _handling_step(ctx.case)


def defer(ctx: Ctx) -> None:
    """缓办: the case waits (season, funds, ...); excluded from on-time counts, its clock is suspended."""
    ctx.case.deferred = True
    ctx.case.step_deadline = None
    ctx.case.overdue = False


def resume(ctx: Ctx) -> None:
    ctx.case.deferred = False
    start_clock(ctx)


def evaluate(ctx: Ctx) -> None:
    ctx.case.rating = ctx.data["rating"]
    ctx.case.rating_note = ctx.note[:200]


def reply(ctx: Ctx) -> None:
    ctx.case.reply = ctx.data["reply"]


def rate(ctx: Ctx) -> None:
    """满意度 1–5; a 差评 (1–2) opens a call-back task instead of closing the case."""
    case = ctx.case
    case.rating = ctx.data["rating"]
    case.rating_note = ctx.note[:200]
    if case.rating <= 2:
        enter_stage(case, "callback", ctx.now)
        ctx.event_data["callback"] = True
    else:
        case.closed_at = ctx.now


def close(ctx: Ctx) -> None:
    ctx.case.closed_at = ctx.now


def merged(ctx: Ctx) -> None:
    ctx.case.merged_into_id = ctx.data["into"]
    ctx.case.closed_at = ctx.now


# Guards
def no_pending_extension(case, user) -> bool:
    return not case.extension_pending


def pending_extension(case, user) -> bool:
    return case.extension_pending


def not_deferred(case, user) -> bool:
    return not case.deferred


def is_deferred(case, user) -> bool:
    return case.deferred


def may_reply(case, user) -> bool:
    return allows(user, "dispatch", case) or allows(user, "handle", case)


# Labels built when the module is imported: lazy, so each request shows them in its own language.
DISPATCH_INPUTS = (Input("department", gettext_lazy("责任部门"), "department"),
                   Input("pro_category", gettext_lazy("专业类别"), "pro_category"),
                   Input("assignee", gettext_lazy("处置人"), "user"))


def side_paths(active: tuple[str, ...]) -> tuple[Transition, ...]:
    """延期 (request/approve/reject), 缓办 and its resumption, 督办: the same for every kind."""
    amount = Input("amount", gettext_lazy("延期时长"), "int", required=True)
    return (
        Transition("request_extension", gettext_lazy("申请延期"), active, None, "handle",
                   guard=no_pending_extension, inputs=(amount, Input("unit", gettext_lazy("单位"))),
                   effects=(request_extension,), notify=("dispatchers",), note_required=True),
        Transition("approve_extension", gettext_lazy("批准延期"), active, None, "dispatch", guard=pending_extension,
                   effects=(approve_extension,), notify=("handlers",), style="primary"),
        Transition("reject_extension", gettext_lazy("驳回延期"), active, None, "dispatch", guard=pending_extension,
                   effects=(reject_extension,), notify=("handlers",), note_required=True),
        Transition("defer", gettext_lazy("缓办"), active, None, "dispatch", guard=not_deferred, effects=(defer,),
                   notify=("handlers", "reporter"), note_required=True),
        Transition("resume", gettext_lazy("恢复办理"), active, None, "dispatch", guard=is_deferred,
                   effects=(resume,), notify=("handlers",)),
    )


def urge(open_stages: tuple[str, ...]) -> Transition:
    """督办: the sweep applies it to every open case past its step deadline, in bulk (gridgov.core.flow.sweep),
    once per lapsed step; its column changes are declared, so one row (fire) and a million (the sweep) change
    alike."""
    return Transition("urge", gettext_lazy("督办"), open_stages, None, "dispatch",
                      sets=(("overdue", True), ("urge_count", Inc(1)), ("last_urged_at", NOW)),
                      when=Q(overdue=False, deferred=False), notify=("handlers", "dispatchers"), system=True)


def stage(name: str, label: Any, *, queue: str = "", **kw: Any) -> Stage:
    """A case stage; it waits for whoever may act in its work queue (the inbox)."""
    from ..filtersets import QUEUE_ACTION

    return Stage(name, label, queue=queue, waits_for=QUEUE_ACTION.get(queue, ""), **kw)
