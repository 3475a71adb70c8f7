"""Sign-in with lockout, users and role assignments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import save_new, service

from .models import LoginAttempt, RoleAssignment, User


class LockedOut(Exception):
    def __init__(self, until: dt.datetime):
        super().__init__(_("失败次数过多，账号已锁定至 %(t)s") % {"t": timezone.localtime(until).strftime("%H:%M")})
        self.until = until


def login_check(*, request: Any, username: str, password: str) -> User | None:
    """Authenticate; count failures per user name in the database and lock after too many."""
    username = (username or "").strip()[:150]
    now = timezone.now()
    attempt = LoginAttempt.objects.filter(username=username).first()
    if attempt and attempt.locked_until and attempt.locked_until > now:
        raise LockedOut(attempt.locked_until)
    user = authenticate(request, username=username, password=password)
    if user is not None:
        LoginAttempt.objects.filter(username=username).delete()
        return user
    with transaction.atomic():
        LoginAttempt.objects.get_or_create(username=username)
        # Only failures within the window count towards the lock.
        window = dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS)
        LoginAttempt.objects.filter(username=username, last_failure__lt=now - window).update(failures=0)
        LoginAttempt.objects.filter(username=username).update(failures=F("failures") + 1, last_failure=now)
        attempt = LoginAttempt.objects.get(username=username)
        locked = attempt.failures >= settings.GRIDGOV_LOGIN_MAX_FAILURES
        if locked:
            attempt.locked_until = now + dt.timedelta(seconds=settings.GRIDGOV_LOGIN_LOCK_SECONDS)
            attempt.failures = 0
            attempt.save(update_fields=["locked_until", "failures"])
    # Raised after the commit: raising inside the block would roll the lock back.
    if locked:
        raise LockedOut(attempt.locked_until)
    return None


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
