"""网格事件: the digital-urban-management cycle of GB/T 30428 (RULES.md §1).

采集 → 立案 (or 作废) → 派遣 → 处置 (签收) → 反馈 → 核查 → 结案 → 评价, with 返工 (核查 fails: back to 处置,
the clock restarts), 退回/改派 (back to 派遣), 延期, 缓办 and 督办. The handling clock starts at 派遣.
Step limits for 立案, 派遣 and 核查 are local practice [local] and feed 及时派遣率 and 按时核查率.
"""

from django.utils.translation import gettext_lazy as _

from ..engine import CASE_MODEL, Flow, Input, Limit, Transition, register
from . import common as c

ACTIVE = ("dispatched", "handling")
OPEN = ("reported", "filed", "dispatched", "handling", "verifying")  # every stage the sweep may find late

FLOW = register(Flow(
    kind="grid_event",
    label=_("网格事件"),
    model=CASE_MODEL,
    initial="reported",
    overdue="urge",
    start_notify=("dispatchers",),
    stages=(
        c.stage("reported", _("待立案"), queue="file", limit=Limit(1, "hours")),
        c.stage("filed", _("待派遣"), queue="dispatch", limit=Limit(1, "hours")),
        c.stage("dispatched", _("待签收"), queue="handle", on_clock=True),
        c.stage("handling", _("处置中"), queue="handle", on_clock=True),
        c.stage("verifying", _("待核查"), queue="verify", limit=Limit(1, "days")),
        c.stage("closed", _("已结案"), queue="evaluate", closed=True),
        c.stage("evaluated", _("已评价"), closed=True),
        c.stage("voided", _("已作废"), closed=True),
        c.stage("merged", _("已合并"), closed=True),
    ),
    transitions=(
        Transition("file", _("立案"), ("reported",), "filed", "dispatch", effects=(c.stamp_filed,),
                   notify=("reporter",), style="primary"),
        Transition("void", _("作废"), ("reported", "filed"), "voided", "dispatch", effects=(c.void,),
                   notify=("reporter",), note_required=True, style="danger"),
        Transition("dispatch", _("派遣"), ("filed",), "dispatched", "dispatch", inputs=c.DISPATCH_INPUTS,
                   effects=(c.dispatch,), notify=("handlers", "reporter"), style="primary"),
        Transition("accept", _("签收"), ("dispatched",), "handling", "handle", effects=(c.stamp_signed,),
                   style="primary"),
        Transition("return", _("退回"), ACTIVE, "filed", "handle", effects=(c.returned,),
                   notify=("dispatchers",), note_required=True, style="danger"),
        Transition("redispatch", _("改派"), ACTIVE, "dispatched", "dispatch", inputs=c.DISPATCH_INPUTS,
                   effects=(c.redispatch,), notify=("handlers",), note_required=True),
        Transition("feedback", _("处置反馈"), ("handling",), "verifying", "handle", effects=(c.solved,),
                   notify=("grid", "dispatchers"), note_required=True, style="primary"),
        Transition("verify_pass", _("核查通过（结案）"), ("verifying",), "closed", "verify",
                   effects=(c.verify_pass,), notify=("reporter", "handlers"), style="primary",
                   done=_("核查通过，已结案")),
        Transition("verify_fail", _("核查不通过（返工）"), ("verifying",), "handling", "verify",
                   effects=(c.rework,), notify=("handlers", "dispatchers"), note_required=True, style="danger",
                   done=_("核查不通过，已返工")),
        Transition("evaluate", _("综合评价"), ("closed",), "evaluated", "evaluate",
                   inputs=(Input("rating", _("评分（1-5）"), "rating", required=True),), effects=(c.evaluate,)),
        Transition("merge", _("合并"), ("reported", "filed"), "merged", "dispatch",
                   inputs=(Input("into", _("并入案卷"), "int", required=True),), effects=(c.merged,),
                   notify=("reporter",), system=True),
        *c.side_paths(ACTIVE),
        c.urge(OPEN),
    ),
))
