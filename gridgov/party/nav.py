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
