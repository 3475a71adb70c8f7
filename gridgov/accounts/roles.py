"""Roles and what each may do. Apps add their resources with `grant()` in their AppConfig.ready().

Actions: view, add, change, delete, view_pii (see unmasked personal data), export, import, and
app-specific verbs (dispatch, approve, ...). A resource is a model label ("register.resident") or
"<app>.*" for every model of an app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEADER = "leader", _("镇（街道）领导")
    DEPT_STAFF = "dept_staff", _("部门工作人员")
    FRONT_DESK = "front_desk", _("综合受理窗口")
    APPROVER = "approver", _("审批人员")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("专职网格员")
    PRO_WORKER = "pro_worker", _("专业网格员")
    PARTY_SECRETARY = "party_secretary", _("支部书记")
    ADMIN = "admin", _("管理员")


class ProCategory(models.TextChoices):
    """The 11 categories of professional grid workers (专业网格员)."""

    SAFETY = "safety", _("安全生产")
    ENVIRONMENT = "environment", _("生态环境")
    MARKET = "market", _("市场监管")
    FIRE = "fire", _("消防")
    ENFORCEMENT = "enforcement", _("综合执法")
    FOOD_DRUG = "food_drug", _("食品药品")
    CONSTRUCTION = "construction", _("城乡建设")
    TRANSPORT = "transport", _("交通运输")
    PETITION = "petition", _("信访维稳")
    CIVIL = "civil", _("民政社保")
    HEALTH = "health", _("卫生健康")


ALL = frozenset({"view", "add", "change", "delete", "view_pii", "export", "import"})
READ = frozenset({"view"})

# role -> resource -> actions
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.ADMIN: {"*": ALL},
    Role.LEADER: {"network.*": READ, "register.*": frozenset({"view", "export"})},
    Role.GRID_LEADER: {"network.*": READ, "register.*": ALL - {"delete"}},
    Role.GRID_WORKER: {"network.*": READ, "register.*": frozenset({"view", "add", "change", "view_pii"})},
    Role.PRO_WORKER: {"network.*": READ, "register.enterprise": READ},
    Role.DEPT_STAFF: {"network.*": READ, "register.enterprise": frozenset({"view", "change"})},
    Role.FRONT_DESK: {"network.*": READ, "register.*": frozenset({"view", "view_pii"})},
    Role.APPROVER: {"network.*": READ, "register.*": READ},
    Role.PARTY_SECRETARY: {"network.*": READ},
}

# What a signed-in resident or enterprise account may do with its own rows (scope "own").
OWN_PERMISSIONS: dict[str, frozenset[str]] = {}


def grant(role: str, resource: str, actions: set[str] | frozenset[str]) -> None:
    table = PERMISSIONS.setdefault(role, {})
    table[resource] = frozenset(table.get(resource, frozenset()) | set(actions))


def grant_own(resource: str, actions: set[str] | frozenset[str]) -> None:
    OWN_PERMISSIONS[resource] = frozenset(OWN_PERMISSIONS.get(resource, frozenset()) | set(actions))


def role_allows(role: str, action: str, resource: str) -> bool:
    table = PERMISSIONS.get(role, {})
    app = resource.split(".", 1)[0]
    for key in (resource, f"{app}.*", "*"):
        if action in table.get(key, ()):
            return True
    return False
