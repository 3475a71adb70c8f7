"""The errand's flow: a declaration, nothing else."""

from django.db.models import Q

from gridgov.core.flow import NOW, Ctx, Flow, Inc, Input, Limit, Stage, Transition, register


def record_amount(ctx: Ctx) -> None:
    ctx.obj.amount = ctx.data["amount"]


FLOW = register(Flow(
    kind="errand",
    label="差事",
    model="flowapp.errand",
    initial="doing",
    overdue="nudge",
    start_notify=("owner",),
    stages=(
        Stage("doing", "办理中", queue="work", limit=Limit(2, "hours"), waits_for="work"),
        Stage("checking", "待验收", queue="check", limit=Limit(1, "days"), waits_for="check"),
        Stage("done", "已完成", closed=True),
    ),
    transitions=(
        Transition("submit", "提交", ("doing",), "checking", "work",
                   inputs=(Input("amount", "数量", "int", required=True),), effects=(record_amount,),
                   notify=("checkers",), style="primary"),
        Transition("accept", "验收通过", ("checking",), "done", "check", notify=("owner",)),
        Transition("reject", "退回重办", ("checking",), "doing", "check", notify=("owner",), note_required=True),
        Transition("nudge", "催办", ("doing", "checking"), None, "check", system=True,
                   sets=(("overdue", True), ("urge_count", Inc(1)), ("last_urged_at", NOW)),
                   when=Q(overdue=False)),
    ),
))
