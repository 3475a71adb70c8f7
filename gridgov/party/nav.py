"""Menu entries of party building: the back office for whoever may see organisations, else "我的党建"."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .access import party_can
from .models import PartyOrganisation


def items(user: Any) -> list[dict[str, str]]:
    if party_can(user, "view", PartyOrganisation):
        return [{"label": _("智慧党建"), "url": reverse("party:home")},
                {"label": _("组织生活"), "url": reverse("party:meeting_list")}]
    return [{"label": _("我的党建"), "url": reverse("party:my")}]


def settings_items(user: Any) -> list[dict[str, str]]:
    from .models import PointRule

    if not party_can(user, "change", PointRule):
        return []
    return [{"label": _("积分规则"), "url": reverse("party:point_rules"),
             "help": _("党员量化积分：本镇街覆盖默认规则的分值、上限与申报")}]
