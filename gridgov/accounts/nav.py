"""Menu entry of the settings hub (系统设置), shown to whoever may configure something (an administrator)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _


def items(user: Any) -> list[dict[str, Any]]:
    from gridgov.core.settingspages import settings_items

    if not settings_items(user):
        return []
    return [{"label": _("系统设置"), "url": reverse("accounts:settings"), "order": 100}]
