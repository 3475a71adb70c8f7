"""The hazard flow (隐患闭环, RULES.md §5): 登记 → 整改 (五定) → 验收 → 销号, a declaration on the core engine.
A hazard is never closed without 验收: 销号 leaves only from 待销号, which only 验收通过 enters. A 重大隐患 is
reported upward (上报) and supervised (挂牌督办); the one sweep urges whatever is past its step's deadline, the
整改 step's deadline being the 五定 deadline itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.core.errors import ValidationFailed
from gridgov.core.flow import NOW, Ctx, Flow, Inc, Input, Limit, Stage, Transition, register

OPEN_STAGES = ("registered", "rectifying", "checking", "accepted")


def parse_date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationFailed({name: [_("应为日期 YYYY-MM-DD")]}) from None


def set_plan(ctx: Ctx) -> None:
    """The 五定: every refused field named at once; the deadline not before the finding."""
    h, data = ctx.obj, ctx.data
    errors: dict[str, list[str]] = {}
    deadline = None
    try:
        deadline = parse_date(data["deadline"], "deadline")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if deadline is not None:
        found = timezone.localtime(h.found_at).date()
        if deadline < found:
            errors["deadline"] = [_("整改期限不能早于隐患发现日期（%(d)s）") % {"d": found.isoformat()}]
        elif deadline > found + dt.timedelta(days=366):
            errors["deadline"] = [_("整改期限不能晚于发现后一年")]
    funds = None
    if data.get("rect_funds") not in (None, ""):
        try:
            funds = Decimal(str(data["rect_funds"]).strip())
            if not funds.is_finite() or funds < 0 or funds >= Decimal("10000000000"):
                raise InvalidOperation
            funds = funds.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["rect_funds"] = [_("应为不小于 0 的金额（元）")]
    for name, most in (("rect_person", 50), ("rect_measure", 2000), ("rect_contingency", 2000)):
        if len(data.get(name) or "") > most:
            errors[name] = [_("不能超过 %(n)d 个字") % {"n": most}]
    if errors:
        raise ValidationFailed(errors)
    assert deadline is not None
    h.rect_person, h.rect_measure = data["rect_person"], data["rect_measure"]
    h.rect_contingency, h.rect_funds = data.get("rect_contingency", ""), funds
    end_of_day = timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 59, 59)))
    h.deadline = end_of_day
    h.step_deadline = end_of_day  # the 整改 step runs on the hazard's own clock (entered before this effect)
    h.overdue = False  # the sweep urges it once the deadline passes


def set_evidence(ctx: Ctx) -> None:
    if len(ctx.data["evidence_note"]) > 2000:
        raise ValidationFailed({"evidence_note": [_("不能超过 %(n)d 个字") % {"n": 2000}]})
    ctx.obj.evidence_note = ctx.data["evidence_note"]


def set_accepted(ctx: Ctx) -> None:
    ctx.obj.accepted_by = ctx.user
    ctx.obj.accepted_at = ctx.now


def set_supervised(ctx: Ctx) -> None:
    ctx.obj.supervised_at = ctx.now
    ctx.obj.supervisor_note = (ctx.data.get("supervisor_note") or "")[:300]


L = gettext_lazy
FLOW = register(Flow(
    kind="hazard",
    label=L("安全隐患"),
    model="safety.hazard",
    initial="registered",
    overdue="urge",
    start_notify=("enterprise", "keepers"),
    stages=(
        Stage("registered", L("待定整改方案"), queue="plan", limit=Limit(3, "days"), waits_for="plan"),
        Stage("rectifying", L("整改中"), queue="rectify", on_clock=True, waits_for="rectify"),
        Stage("checking", L("待验收"), queue="accept", limit=Limit(3, "days"), waits_for="accept"),
        Stage("accepted", L("待销号"), queue="close", limit=Limit(2, "days"), waits_for="close"),
        Stage("closed", L("已销号"), closed=True),
    ),
    transitions=(
        Transition("plan", L("制定整改方案（五定）"), ("registered",), "rectifying", "plan", inputs=(
            Input("rect_person", L("整改责任人"), required=True),
            Input("rect_measure", L("整改措施"), required=True),
            Input("rect_funds", L("整改资金（元）")),
            Input("deadline", L("整改期限"), "date", required=True),
            Input("rect_contingency", L("应急预案/防范措施"), required=True),
        ), effects=(set_plan,), notify=("enterprise", "keepers"), style="primary"),
        Transition("submit", L("提交整改"), ("rectifying",), "checking", "rectify",
                   inputs=(Input("evidence_note", L("整改情况"), required=True),), effects=(set_evidence,),
                   notify=("keepers",), style="primary"),
        Transition("accept", L("验收通过"), ("checking",), "accepted", "accept", effects=(set_accepted,),
                   notify=("enterprise",), style="primary"),
        Transition("reject", L("验收不通过"), ("checking",), "rectifying", "accept", note_required=True,
                   notify=("enterprise",), style="danger"),
        Transition("close", L("销号"), ("accepted",), "closed", "close", sets=(("closed_at", NOW),),
                   notify=("enterprise",), style="primary"),
        Transition("report", L("上报重大隐患"), OPEN_STAGES, None, "report", sets=(("reported_at", NOW),),
                   when=Q(level="major", reported_at=None), notify=("regulator",), done=L("已上报")),
        Transition("supervise", L("挂牌督办"), OPEN_STAGES, None, "supervise",
                   inputs=(Input("supervisor_note", L("督办要求"), required=True),), effects=(set_supervised,),
                   when=Q(level="major", supervised_at=None), notify=("enterprise", "keepers")),
        Transition("urge", L("督办"), OPEN_STAGES, None, "close", system=True,
                   sets=(("overdue", True), ("urge_count", Inc(1)), ("last_urged_at", NOW)),
                   when=Q(overdue=False)),
    ),
))
