"""Menu entries of the one window: the catalogue for everyone with one (residents and enterprises apply from
it), the queues for whoever acts on applications, the indicators for those who see them."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.scope import can

from .models import Application, ServiceItem


def items(user: Any) -> list[dict[str, str]]:
    out = []
    if ServiceItem.objects.restrict(user, "view").exists():
        out.append({"label": _("政务服务"), "url": reverse("window:catalogue")})
    if can(user, "view", Application):
        out.append({"label": _("办件"), "url": reverse("window:application_list")})
    return out
