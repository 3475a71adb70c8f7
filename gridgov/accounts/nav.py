"""Menu entry of the settings hub (系统设置), shown to whoever may configure something (an administrator), and
the accounts app's own entry of it."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.scope import can


def items(user: Any) -> list[dict[str, Any]]:
    from gridgov.core.settingspages import settings_items

    if not settings_items(user):
        return []
    return [{"label": _("系统设置"), "url": reverse("accounts:settings"), "order": 100}]


def settings_items(user: Any) -> list[dict[str, str]]:
    from .models import LoginAttempt, User

    out = []
    if can(user, "change", User):
        out.append({"label": _("人员与角色"), "url": reverse("accounts:staff_list"),
                    "help": _("本镇街的工作人员账号及其角色（区域或部门）")})
    if can(user, "change", LoginAttempt):
        out.append({"label": _("登录锁定"), "url": reverse("accounts:lock_list"),
                    "help": _("登录失败过多被锁定的账号：查看与解锁")})
    return out
