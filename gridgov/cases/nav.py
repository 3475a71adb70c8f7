"""Menu entries of the case engine."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import may


def items(user: Any) -> list[dict[str, str]]:
    out = []
    if may(user, "view"):
        out.append({"label": _("事件办理"), "url": reverse("cases:case_list")})
        out.append({"label": _("事件地图"), "url": reverse("cases:map")})
        if getattr(user, "kind", "") == "staff":  # rates of one's own two reports say nothing to a resident
            out.append({"label": _("综合评价"), "url": reverse("case_indicators:page")})
    out.append({"label": _("我要上报"), "url": reverse("cases:report")})
    out.append({"label": _("通知"), "url": reverse("cases:inbox")})
    return out


def settings_items(user: Any) -> list[dict[str, str]]:
    from gridgov.core.scope import can

    from .models import CategoryLimit, DispatchRule

    out = []
    if can(user, "change", DispatchRule):
        out.append({"label": _("派遣规则"), "url": reverse("cases:rule_list"),
                    "help": _("按类别和区域指定责任部门或专业类别")})
    if can(user, "change", CategoryLimit):
        out.append({"label": _("类别与处置时限"), "url": reverse("cases:limit_list"),
                    "help": _("本镇街各类别的处置时限（工作时或工作日）")})
    return out
