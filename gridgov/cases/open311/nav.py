"""The Open311 edge's entry of the settings hub (系统设置)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def items(user: Any) -> list[dict[str, str]]:
    return []


def settings_items(user: Any) -> list[dict[str, str]]:
    from gridgov.core.scope import can

    from .models import Client

    if not can(user, "change", Client):
        return []
    return [{"label": _("Open311 接入"), "url": reverse("open311_settings:client_list"),
             "help": _("可提交诉求的外部系统及其密钥")}]
