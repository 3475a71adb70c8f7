"""Menu entries of the register app, shown to users who may see some of its rows."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.scope import can

from .models import Enterprise, Household, Resident


def items(user: Any) -> list[dict[str, str]]:
    out = []
    if can(user, "view", Resident):
        out.append({"label": _("居民"), "url": reverse("register:resident_list")})
    if can(user, "view", Household):
        out.append({"label": _("户"), "url": reverse("register:household_list")})
    if can(user, "view", Enterprise):
        out.append({"label": _("企业"), "url": reverse("register:enterprise_list")})
    return out
