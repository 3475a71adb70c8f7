"""The application's flow (行政许可法 Art. 32–45, RULES.md §3) and the 差评 rectification's, as declarations.

    收件 received ─受理→ reviewing (审查) ─审查通过→ deciding (决定) ─决定→ issuing (出件) ─出件→ done (办结)
             ├─即办→ issuing            ├─中止→ suspended ─恢复→ back (the clock stops meanwhile)
             ├─补正→ correcting ─补正提交→ received
             └─不予受理→ refused

The decision clock (`deadline`, the promised limit; `statutory_deadline`, the law's) starts at acceptance, or at
receipt when the desk let 5 working days pass without accepting or telling what is missing (deemed acceptance,
Art. 32): the sweep marks such an application overdue and its acceptance then records `deemed_accepted`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core import calendar
from gridgov.core.errors import ValidationFailed
from gridgov.core.flow import NOW, Ctx, Flow, Inc, Input, Limit, Stage, Transition, register

ACCEPT_DAYS = 5  # 行政许可法 Art. 32: tell what is missing within 5 working days, or it counts as accepted
EXTENSION_DAYS = 10  # Art. 42: +10 working days with the approval of the head of the organ
JOINT_EXTENSION_DAYS = 15  # Art. 42: joint handling 45 + 15
ISSUE_DAYS = 10  # Art. 44: the result is issued within 10 working days of the decision


def rectify_days() -> int:
    """The province's limit for calling back and rectifying a 差评 [local; default 15 working days]."""
    return int(getattr(settings, "GRIDGOV_WINDOW_RECTIFY_DAYS", 15))


def after_working_days(start: dt.datetime, days: int, town: Any = None) -> dt.datetime:
    code = getattr(town, "code", None)
    hours = calendar.working_hours_for(code) if code else calendar.working_hours_for()
    return calendar.add_working_time(start, days, "days", hours=hours).at


def _start_clock(ctx: Ctx, start: dt.datetime) -> None:
    obj = ctx.obj
    item = obj.item
    obj.deadline = after_working_days(start, item.promised_days, obj.town)
    obj.statutory_deadline = after_working_days(start, item.statutory_days, obj.town)
    obj.step_deadline = obj.deadline


def accept(ctx: Ctx) -> None:
    obj = ctx.obj
    # Past the 5 working days of Art. 32 without an answer (the sweep marked it, or the limit has lapsed since):
    # it counts as accepted on the day of receipt.
    deemed = bool(getattr(obj, "_was_overdue", False)) or (
        ctx.prev_step_deadline is not None and ctx.now > ctx.prev_step_deadline)
    obj.deemed_accepted = deemed
    obj.accepted_at = obj.received_at if deemed else ctx.now
    obj.accepted_by = ctx.user if getattr(ctx.user, "pk", None) else None
    _start_clock(ctx, obj.accepted_at)
    if deemed:
        ctx.event_data["deemed_accepted"] = True
        ctx.event_data["accepted_on"] = obj.received_at.isoformat()


def decide_instant(ctx: Ctx) -> None:
    """即办件: accepted and granted on the spot."""
    obj = ctx.obj
    obj.accepted_at = obj.decided_at = ctx.now
    obj.accepted_by = obj.decided_by = ctx.user
    obj.instant = True
    obj.decision = "grant"
    obj.deadline = obj.statutory_deadline = ctx.now
    obj.on_time = True
    obj.working_days = 0
    obj.step_deadline = after_working_days(ctx.now, ISSUE_DAYS, obj.town)


def ask_correction(ctx: Ctx) -> None:
    """补正: every missing material at once (一次性告知), by its id in the item's list."""
    obj = ctx.obj
    raw = str(ctx.data.get("missing", ""))
    try:
        ids = {int(x) for x in raw.replace("，", ",").split(",") if x.strip()}
    except ValueError:
        raise ValidationFailed({"missing": [_("请选择需要补正的材料")]}) from None
    names = dict(obj.item.materials.filter(pk__in=ids).values_list("pk", "name"))
    if not ids or set(names) != ids:
        raise ValidationFailed({"missing": [_("请选择本事项清单中需要补正的材料")]})
    obj.missing = [{"id": pk, "name": names[pk]} for pk in sorted(names)]
    obj.corrections += 1
    ctx.event_data["missing"] = obj.missing


def resubmitted(ctx: Ctx) -> None:
    """The missing materials arrived: the 5 working days start again from their arrival."""
    ctx.event_data["supplied"] = ctx.obj.missing
    ctx.obj.missing = []
    ctx.obj.overdue = False


def suspend(ctx: Ctx) -> None:
    ctx.obj.suspended_at = ctx.now
    ctx.event_data["reason_kind"] = ctx.data.get("reason_kind")


def resume(ctx: Ctx) -> None:
    """The clock runs again: the deadlines move by the working days the suspension took (Art. 45)."""
    obj = ctx.obj
    started = obj.suspended_at or ctx.now
    lost = max(calendar.working_days_between(started.date(), ctx.now.date()), 0)
    if lost:
        obj.deadline = after_working_days(obj.deadline, lost, obj.town)
        obj.statutory_deadline = after_working_days(obj.statutory_deadline, lost, obj.town)
    obj.suspended_days += lost
    obj.suspended_at = None
    obj.step_deadline = obj.deadline
    ctx.event_data["suspended_days"] = lost


def request_extension(ctx: Ctx) -> None:
    if ctx.obj.extended or ctx.obj.extension_requested:
        raise ValidationFailed({"note": [_("本件已申请过延期")]})
    ctx.obj.extension_requested = True


def approve_extension(ctx: Ctx) -> None:
    obj = ctx.obj
    if not obj.extension_requested or obj.extended:
        raise ValidationFailed({"note": [_("没有待审批的延期申请")]})
    days = JOINT_EXTENSION_DAYS if obj.item.joint else EXTENSION_DAYS
    obj.deadline = after_working_days(obj.deadline, days, obj.town)
    obj.statutory_deadline = after_working_days(obj.statutory_deadline, days, obj.town)
    obj.extended = True
    obj.extension_requested = False
    if obj.stage != "suspended":
        obj.step_deadline = obj.deadline
    ctx.event_data["days"] = days


def decide(ctx: Ctx) -> None:
    obj = ctx.obj
    decision = ctx.data["decision"]
    reason = (ctx.data.get("reason") or "").strip()
    if decision == "refuse" and not reason:
        raise ValidationFailed({"reason": [_("不予许可须说明理由")]})
    obj.decision = decision
    obj.decision_reason = reason
    obj.decided_at = ctx.now
    obj.decided_by = ctx.user
    obj.on_time = obj.deadline is None or ctx.now <= obj.deadline
    start = obj.accepted_at or obj.received_at
    used = calendar.working_days_between(start.date(), ctx.now.date()) - obj.suspended_days
    obj.working_days = max(used, 0)
    obj.step_deadline = after_working_days(ctx.now, ISSUE_DAYS, obj.town)


def delivered(ctx: Ctx) -> None:
    ctx.obj.delivery = ctx.data["delivery"]
    ctx.obj.delivered_at = ctx.now


def _instant_item(obj: Any, user: Any) -> bool:
    return bool(obj.item.instant)


def _not_instant(obj: Any, user: Any) -> bool:
    return not obj.item.instant


SUSPEND_REASONS = ("hearing", "testing", "inspection", "expert")
SUSPEND_LABELS = {"hearing": gettext_lazy("听证"), "testing": gettext_lazy("检验检测"),
                  "inspection": gettext_lazy("现场勘验"), "expert": gettext_lazy("专家评审")}
URGE = Transition("urge", gettext_lazy("督办"), ("received", "reviewing", "deciding", "issuing"), None, "approve",
                  system=True, sets=(("overdue", True), ("urge_count", Inc(1)), ("last_urged_at", NOW)),
                  when=Q(overdue=False))

APPLICATION = register(Flow(
    kind="window_application",
    label=gettext_lazy("政务服务办件"),
    model="window.application",
    initial="received",
    overdue="urge",
    start_notify=("desk",),
    stages=(
        Stage("received", gettext_lazy("待受理"), queue="desk", limit=Limit(ACCEPT_DAYS, "days"), waits_for="accept"),
        Stage("correcting", gettext_lazy("待补正"), queue="correcting", waits_for="resubmit"),
        Stage("reviewing", gettext_lazy("审查中"), queue="review", on_clock=True, waits_for="approve"),
        Stage("deciding", gettext_lazy("待决定"), queue="review", on_clock=True, waits_for="approve"),
        Stage("suspended", gettext_lazy("已中止"), queue="review", waits_for="approve"),
        Stage("issuing", gettext_lazy("待出件"), queue="issue", waits_for="accept"),
        Stage("done", gettext_lazy("已办结"), closed=True),
        Stage("refused", gettext_lazy("不予受理"), closed=True),
    ),
    transitions=(
        Transition("accept", gettext_lazy("受理"), ("received",), "reviewing", "accept", guard=_not_instant,
                   effects=(accept,), notify=("applicant", "department"), style="primary"),
        Transition("instant", gettext_lazy("即办"), ("received",), "issuing", "accept", guard=_instant_item,
                   effects=(decide_instant,), notify=("applicant",), style="primary", done=gettext_lazy("已即办")),
        Transition("correct", gettext_lazy("一次性告知补正"), ("received",), "correcting", "accept",
                   inputs=(Input("missing", gettext_lazy("需补正的材料"), "text", required=True),),
                   effects=(ask_correction,), notify=("applicant",), done=gettext_lazy("已告知补正")),
        Transition("refuse_intake", gettext_lazy("不予受理"), ("received",), "refused", "accept",
                   note_required=True, notify=("applicant",), style="danger"),
        Transition("resubmit", gettext_lazy("补正提交"), ("correcting",), "received", "resubmit",
                   effects=(resubmitted,), notify=("desk",), done=gettext_lazy("已提交补正材料")),
        Transition("review", gettext_lazy("审查通过"), ("reviewing",), "deciding", "approve", style="primary"),
        Transition("suspend", gettext_lazy("中止（不计时）"), ("reviewing", "deciding"), "suspended", "approve",
                   inputs=(Input("reason_kind", gettext_lazy("中止事由"), "choice", required=True,
                                 choices=SUSPEND_REASONS),),
                   effects=(suspend,), note_required=True, notify=("applicant",), done=gettext_lazy("已中止")),
        Transition("resume_review", gettext_lazy("恢复审查"), ("suspended",), "reviewing", "approve", effects=(resume,),
                   notify=("applicant",), done=gettext_lazy("已恢复")),
        Transition("request_extension", gettext_lazy("申请延期"), ("reviewing", "deciding", "suspended"), None,
                   "approve", effects=(request_extension,), note_required=True, notify=("leaders",),
                   done=gettext_lazy("已申请延期")),
        Transition("approve_extension", gettext_lazy("批准延期"), ("reviewing", "deciding", "suspended"), None,
                   "extend", effects=(approve_extension,), notify=("applicant", "department"),
                   done=gettext_lazy("已批准延期")),
        Transition("decide", gettext_lazy("作出决定"), ("deciding",), "issuing", "approve",
                   inputs=(Input("decision", gettext_lazy("决定"), "choice", required=True, choices=("grant", "refuse")),
                           Input("reason", gettext_lazy("理由"), "text")),
                   effects=(decide,), notify=("applicant", "desk"), style="primary", done=gettext_lazy("已决定")),
        Transition("issue", gettext_lazy("出件"), ("issuing",), "done", "accept",
                   inputs=(Input("delivery", gettext_lazy("出件方式"), "choice", required=True,
                                 choices=("window", "post", "electronic")),),
                   effects=(delivered,), notify=("applicant",), style="primary", done=gettext_lazy("已出件")),
        URGE,
    ),
))


def rectified(ctx: Ctx) -> None:
    ctx.obj.result = ctx.note


RECTIFICATION = register(Flow(
    kind="window_rectification",
    label=gettext_lazy("差评整改"),
    model="window.rectification",
    initial="open",
    overdue="urge",
    stages=(
        Stage("open", gettext_lazy("待回访整改"), queue="rectify", on_clock=True, waits_for="rectify"),
        Stage("done", gettext_lazy("已整改"), closed=True),
    ),
    transitions=(
        Transition("rectify", gettext_lazy("完成回访整改"), ("open",), "done", "rectify", effects=(rectified,),
                   note_required=True, style="primary", done=gettext_lazy("已整改")),
        Transition("urge", gettext_lazy("督办"), ("open",), None, "rectify", system=True,
                   sets=(("overdue", True), ("urge_count", Inc(1)), ("last_urged_at", NOW)), when=Q(overdue=False)),
    ),
))


def missing_text(obj: Any) -> str:
    return "、".join(m["name"] for m in obj.missing)
