"""Who may do what with a case. Scope follows the rest of gridgov (division subtree, department) and adds two
kinds of its own: professional grid workers see and handle the cases of their category inside their
division, and residents see the cases they reported or follow.

Actions on "cases.case": view, add (report), dispatch (立案/作废/派遣/改派/延期审批/缓办/合并, the 指挥中心),
handle (签收/处置/反馈/申请延期/退回), verify (核查), evaluate (评价), rate (a complainant's 满意度).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gridgov.accounts.roles import OWN_PERMISSIONS, Role, grant, grant_own, role_allows
from gridgov.network.models import Level

RESOURCE = "cases.case"

# Professional grid workers: what they may do with the cases of their category (not a division grant,
# so they do not see the town's other cases).
PRO_ACTIONS = frozenset({"view", "add", "handle"})


def install() -> None:
    """Called from CasesConfig.ready(): the role table entries of the case engine."""
    grant(Role.ADMIN, "cases.*", {"view", "add", "change", "dispatch", "handle", "verify", "evaluate", "rate",
                                   "export"})
    grant(Role.LEADER, "cases.*", {"view", "evaluate", "export"})
    grant(Role.GRID_LEADER, "cases.*", {"view", "add", "verify"})
    grant(Role.GRID_WORKER, "cases.*", {"view", "add", "verify"})
    grant(Role.DEPT_STAFF, "cases.*", {"view", "handle"})
    grant(Role.FRONT_DESK, "cases.*", {"view", "add", "rate"})
    grant_own(RESOURCE, {"view", "rate"})


def is_public(user: Any) -> bool:
    """Residents and other non-staff accounts: besides their grants they see their own and followed cases."""
    return getattr(user, "kind", "staff") != "staff"



def case_scope_q(user: Any, action: str) -> Q | None:
    """Q narrowing cases to what `user` may `action`; None means none at all, Q() means all."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    if user.is_superuser:
        return Q()
    q: Q | None = None

    def add(part: Q) -> None:
        nonlocal q
        q = part if q is None else q | part

    for a in user.assignments_cached():
        if a.role == Role.PRO_WORKER:
            if action in PRO_ACTIONS and a.category and a.division_id:
                add(Q(pro_category=a.category) & _division_q(a.division))
            continue
        if not role_allows(a.role, action, RESOURCE):
            continue
        if a.division_id:
            add(_division_q(a.division))
        if a.department_id:
            add(Q(department_id=a.department_id))
    if is_public(user) and action in OWN_PERMISSIONS.get(RESOURCE, ()):
        from .models import CaseFollower

        add(Q(reporter_id=user.pk) | Q(pk__in=CaseFollower.objects.filter(user_id=user.pk).values("case_id")))
    return q


def _division_q(division: Any) -> Q:
    # Towns and base grids by id (one indexed column); other levels by the grid's path prefix.
    if division.level == Level.TOWN:
        return Q(town_id=division.pk)
    if division.level == Level.BASE_GRID:
        return Q(grid_id=division.pk)
    if division.level == Level.DISTRICT:
        return Q(town__path__startswith=division.path)
    return Q(grid__path__startswith=division.path)


def allows(user: Any, action: str, case: Any) -> bool:
    """The same rule as case_scope_q, evaluated on one loaded case (for buttons; no query once the user's
    assignments and the case's grid are loaded)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    for a in user.assignments_cached():
        if a.role == Role.PRO_WORKER:
            if (action in PRO_ACTIONS and a.category and a.category == case.pro_category and a.division_id
                    and _in_division(a.division, case)):
                return True
            continue
        if not role_allows(a.role, action, RESOURCE):
            continue
        if a.division_id and _in_division(a.division, case):
            return True
        if a.department_id and a.department_id == case.department_id:
            return True
    if is_public(user) and action in OWN_PERMISSIONS.get(RESOURCE, ()):
        if case.reporter_id == user.pk:
            return True
        return case.followers.filter(user_id=user.pk).exists()
    return False


def _in_division(division: Any, case: Any) -> bool:
    if division.level == Level.TOWN:
        return case.town_id == division.pk
    if division.level == Level.BASE_GRID:
        return case.grid_id == division.pk
    return case.grid.path.startswith(division.path)


def may(user: Any, action: str) -> bool:
    """Whether the user may `action` on some case (menus)."""
    return case_scope_q(user, action) is not None
