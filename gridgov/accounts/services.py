"""Sign-in with lockout, users and role assignments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import save_new, service

from .lockout import LockedOut
from .models import RoleAssignment, User

__all__ = ["LockedOut", "login_check", "role_assign", "user_create"]


def login_check(*, request: Any, username: str, password: str) -> User | None:
    """Authenticate through the shared lockout (gridgov/accounts/lockout.py); LockedOut while locked."""
    user = authenticate(request, username=(username or "").strip()[:150], password=password or "")
    locked = getattr(request, "gridgov_locked_out", None)
    if user is None and locked is not None:
        raise locked
    return user


@service
def user_create(*, acting_user: Any, username: str, password: str, display_name: str = "",
                kind: str = User.Kind.STAFF, town: Any = None, phone: str = "") -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationFailed({"username": [_("用户名已存在")]})
    user = User(username=username, display_name=display_name, kind=kind, town=town, phone=phone)
    user.set_password(password)
    from gridgov.core import audit
    from gridgov.core.services import full_clean

    full_clean(user, exclude=["password"])
    user.save()
    audit.record(user, "create")
    return user


@service
def role_assign(*, acting_user: Any, user: User, role: str, division: Any = None, department: Any = None,
                category: str = "") -> RoleAssignment:
    """Give `user` a role over a division subtree or a department inside the acting user's own scope."""
    from gridgov.network.models import Department, Division

    if division is not None:
        division = get_scoped(Division.objects, acting_user, "change", pk=getattr(division, "pk", division))
    if department is not None:
        department = get_scoped(Department.objects, acting_user, "change", pk=getattr(department, "pk", department))
    return save_new(RoleAssignment(user=user, role=role, division=division, department=department,
                                   category=category), acting_user=acting_user, action="add")
