"""Menu entries of the network app."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def items(user: Any) -> list[dict[str, str]]:
    return [{"label": _("网格地图"), "url": reverse("network:map")},
            {"label": _("区划网格"), "url": reverse("network:division_list")}]
