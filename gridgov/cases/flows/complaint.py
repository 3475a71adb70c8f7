"""群众诉求 (接诉即办) by 辛安街道's 三度工作法: 响应速度, 解决力度, 答复温度.

受理 within 2 working hours of intake (响应率); solved within the category's limit from dispatch (解决率);
the complainant gets a reply and rates it 1–5 (满意率). A 差评 (1–2) opens a call-back task (回访) before the
case closes.
"""

from django.utils.translation import gettext_lazy as _

from ..engine import CASE_MODEL, Flow, Input, Limit, Transition, register
from . import common as c

ACTIVE = ("dispatched", "handling")
OPEN = ("reported", "accepted", "dispatched", "handling", "replying", "rating", "callback")  # the sweep finds them late

FLOW = register(Flow(
    kind="complaint",
    label=_("群众诉求"),
    model=CASE_MODEL,
    initial="reported",
    overdue="urge",
    start_notify=("dispatchers",),
    stages=(
        c.stage("reported", _("待受理"), queue="file", limit=Limit(2, "hours")),
        c.stage("accepted", _("待派遣"), queue="dispatch", limit=Limit(1, "hours")),
        c.stage("dispatched", _("待签收"), queue="handle", on_clock=True),
        c.stage("handling", _("处置中"), queue="handle", on_clock=True),
        c.stage("replying", _("待答复"), queue="reply", limit=Limit(1, "days")),
        c.stage("rating", _("待评价"), queue="rate", limit=Limit(3, "days")),
        c.stage("callback", _("待回访"), queue="callback", limit=Limit(3, "days")),
        c.stage("closed", _("已办结"), closed=True),
        c.stage("voided", _("已作废"), closed=True),
        c.stage("merged", _("已合并"), closed=True),
    ),
    transitions=(
        Transition("accept", _("受理"), ("reported",), "accepted", "dispatch",
                   effects=(c.stamp_filed, c.stamp_accepted), notify=("reporter",), style="primary"),
        Transition("void", _("不予受理（作废）"), ("reported", "accepted"), "voided", "dispatch",
                   effects=(c.void,), notify=("reporter",), note_required=True, style="danger",
                   done=_("已决定不予受理（作废）")),
        Transition("dispatch", _("派遣"), ("accepted",), "dispatched", "dispatch", inputs=c.DISPATCH_INPUTS,
                   effects=(c.dispatch,), notify=("handlers",), style="primary"),
        Transition("sign", _("签收"), ("dispatched",), "handling", "handle", effects=(c.stamp_signed,),
                   style="primary"),
        Transition("return", _("退回"), ACTIVE, "accepted", "handle", effects=(c.returned,),
                   notify=("dispatchers",), note_required=True, style="danger"),
        Transition("redispatch", _("改派"), ACTIVE, "dispatched", "dispatch", inputs=c.DISPATCH_INPUTS,
                   effects=(c.redispatch,), notify=("handlers",), note_required=True),
        Transition("solve", _("办理完毕"), ("handling",), "replying", "handle", effects=(c.solved,),
                   notify=("dispatchers",), note_required=True, style="primary"),
        Transition("reply", _("答复诉求人"), ("replying",), "rating", "handle", guard=None,
                   inputs=(Input("reply", _("答复内容"), "text", required=True),), effects=(c.reply,),
                   notify=("reporter",), style="primary"),
        Transition("rate", _("满意度评价"), ("rating",), "closed", "rate", branches=("callback",),
                   inputs=(Input("rating", _("满意度（1-5）"), "rating", required=True),), effects=(c.rate,),
                   notify=("handlers", "dispatchers"), style="primary", done=_("已记录满意度评价")),
        Transition("callback_done", _("完成回访"), ("callback",), "closed", "dispatch", effects=(c.close,),
                   notify=("handlers",), note_required=True, style="primary"),
        Transition("merge", _("合并"), ("reported", "accepted"), "merged", "dispatch",
                   inputs=(Input("into", _("并入案卷"), "int", required=True),), effects=(c.merged,),
                   notify=("reporter",), system=True),
        *c.side_paths(ACTIVE),
        c.urge(OPEN),
    ),
))
