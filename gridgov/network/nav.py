"""Menu entries of the network app, and its entries of the settings hub (系统设置)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.scope import can

from .models import Department, Division


def items(user: Any) -> list[dict[str, str]]:
    # Only for who may see some grid: a resident would find two empty pages there, and on a phone they push
    # 我要上报 out of the menu's first screen.
    if not can(user, "view", Division):
        return []
    return [{"label": _("网格地图"), "url": reverse("network:map")},
            {"label": _("区划网格"), "url": reverse("network:division_list")}]


def settings_items(user: Any) -> list[dict[str, str]]:
    if not can(user, "change", Department):
        return []
    return [{"label": _("部门管理"), "url": reverse("network:department_settings"),
             "help": _("本镇街的部门：代码、名称、负责人")},
            {"label": _("工作时间"), "url": reverse("network:working_hours_settings"),
             "help": _("本镇街的工作时段：时限按它计算")},
            {"label": _("节假日与调休"), "url": reverse("network:holiday_settings"),
             "help": _("各年的法定假日和调休上班日，是否为正式安排")},
            {"label": _("网格边界导入导出"), "url": reverse("network:boundaries_import"),
             "help": _("从 GeoJSON 或 Shapefile 导入区划网格边界（WGS-84 / GCJ-02），导出 GeoJSON")}]
