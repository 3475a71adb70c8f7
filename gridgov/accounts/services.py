"""Sign-in with lockout, users and role assignments."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.scope import get_scoped
from gridgov.core.services import save_new, service

from .lockout import LockedOut
from .models import LoginAttempt, RoleAssignment, SecondFactor, User

__all__ = ["LockedOut", "login_check", "login_unlock", "role_assign", "second_factor_confirm",
           "second_factor_reset", "sessions_end_all", "user_create"]


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


# -- The administrator's staff pages (issue 15, item 4): accounts and roles of their own town ---------------

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@+")


PASSWORD_MIN_LENGTH = 8


def _password_errors(password: str, user: User | None) -> list[str]:
    """What is wrong with a new password, in the user's language (the length is ours to say; any other
    validator configured in AUTH_PASSWORD_VALIDATORS speaks for itself)."""
    from django.conf import settings
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    least = max(PASSWORD_MIN_LENGTH, settings.GRIDGOV_PASSWORD_MIN_LENGTH)
    if len(password) < least:
        return [_("密码至少需要 %(n)s 个字符") % {"n": least}]
    if len(password) > 128:
        return [_("过长（最多 %(n)s 个字符）") % {"n": 128}]
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [str(m) for m in exc.messages]
    return []


def _staff_field_errors(*, display_name: str, phone: str) -> dict[str, list[str]]:
    from gridgov.core.validators import validate_mobile

    errors: dict[str, list[str]] = {}
    if not display_name:
        errors["display_name"] = [_("必填")]
    elif len(display_name) > 50:
        errors["display_name"] = [_("过长（最多 %(n)s 个字符）") % {"n": 50}]
    if phone:
        try:
            validate_mobile(phone)
        except Exception as exc:  # django's ValidationError: its message names what is wrong
            errors["phone"] = [str(m) for m in getattr(exc, "messages", [str(exc)])]
    return errors


@service
def staff_create(*, acting_user: Any, town: Any, username: str, display_name: str, password: str,
                 phone: str = "") -> User:
    """A staff account of a town the acting user may configure (its administrator); every error at once."""
    from gridgov.network.models import Division, Level

    town_pk = getattr(town, "pk", town)
    town = (Division.objects.restrict(acting_user, "change").filter(pk=town_pk, level=Level.TOWN).first()
            if str(town_pk).isdigit() else None)
    username, display_name, phone = (username or "").strip(), (display_name or "").strip(), (phone or "").strip()
    errors = _staff_field_errors(display_name=display_name, phone=phone)
    if town is None:
        errors["town"] = [_("请选择镇街")]
    if not username:
        errors["username"] = [_("必填")]
    elif len(username) > 150 or not set(username) <= USERNAME_CHARS:
        errors["username"] = [_("只能包含字母、数字和 @ . + - _，最多 150 个字符")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("用户名已存在")]
    reasons = _password_errors(password or "", User(username=username, display_name=display_name))
    if reasons:
        errors["password"] = reasons
    if errors:
        raise ValidationFailed(errors)
    user = User(username=username, display_name=display_name, phone=phone, town=town, kind=User.Kind.STAFF)
    user.set_password(password)
    return save_new(user, acting_user=acting_user)


@service
def staff_update(*, acting_user: Any, user: User, data: dict[str, Any]) -> User:
    """Name, mobile, active or not, and a new password (empty: unchanged) of an account of the town."""
    from gridgov.core import audit
    from gridgov.core.scope import ensure_visible
    from gridgov.core.services import full_clean

    unknown = set(data) - {"display_name", "phone", "is_active", "password"}
    if unknown:
        raise ValidationFailed({f: [_("该字段不可修改")] for f in unknown})
    user = get_scoped(User.objects, acting_user, "change", pk=user.pk)
    before = audit.snapshot(user)
    display_name = (data.get("display_name", user.display_name) or "").strip()
    phone = (data.get("phone", user.phone) or "").strip()
    errors = _staff_field_errors(display_name=display_name, phone=phone)
    active = bool(data.get("is_active", user.is_active))
    if not active and user.pk == acting_user.pk:
        errors["is_active"] = [_("不能停用自己的账号")]
    password = data.get("password") or ""
    if password:
        reasons = _password_errors(password, user)
        if reasons:
            errors["password"] = reasons
    if errors:
        raise ValidationFailed(errors)
    user.display_name, user.phone, user.is_active = display_name, phone, active
    if password:
        user.set_password(password)
    full_clean(user, exclude=["password"])
    user.save()
    audit.record(user, "update", before)
    ensure_visible(user, acting_user, "change")
    return user


def _assignment_target(acting_user: Any, model: Any, value: Any, field: str) -> Any:
    """The division or department of a new assignment, within the acting user's scope; an error under its field
    otherwise (the same words for one that does not exist, so a guessed id learns nothing)."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    found = model.objects.restrict(acting_user, "change").filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise ValidationFailed({field: [_("不在您的管辖范围内或不存在")]})
    return found


@service
def role_assign(*, acting_user: Any, user: User, role: str, division: Any = None, department: Any = None,
                category: str = "") -> RoleAssignment:
    """Give `user` (an account of the acting user's town) a role over a division subtree or a department
    inside the acting user's own scope."""
    from gridgov.network.models import Department, Division

    from .roles import ProCategory, Role

    user = get_scoped(User.objects, acting_user, "change", pk=getattr(user, "pk", user))
    errors: dict[str, list[str]] = {}
    if role not in Role.values:
        errors["role"] = [_("请选择角色")]
    if category and category not in ProCategory.values:
        errors["category"] = [_("取值不在允许范围内")]
    for field, model, value in (("division", Division, division), ("department", Department, department)):
        try:
            found = _assignment_target(acting_user, model, value, field)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            found = None
        if field == "division":
            division = found
        else:
            department = found
    if errors:
        raise ValidationFailed(errors)
    if role != Role.PRO_WORKER:
        category = ""
    if RoleAssignment.objects.filter(user=user, role=role, division=division, department=department,
                                     category=category).exists():
        raise ValidationFailed({"role": [_("该账号已有此角色")]})
    assignment = save_new(RoleAssignment(user=user, role=role, division=division, department=department,
                                         category=category), acting_user=acting_user, action="add")
    if hasattr(user, "_assignments_cache"):
        del user._assignments_cache
    return assignment


@service
def role_revoke(*, acting_user: Any, assignment: RoleAssignment) -> None:
    """Take a role away (an administrator cannot take away their own administrator role: someone must remain)."""
    from gridgov.core.services import delete_audited

    from .roles import Role

    assignment = get_scoped(RoleAssignment.objects, acting_user, "delete", pk=assignment.pk)
    if assignment.user_id == acting_user.pk and assignment.role == Role.ADMIN:
        raise ValidationFailed({"__all__": [_("不能撤销自己的管理员角色")]})
    delete_audited(assignment, acting_user=acting_user)


@service
def login_unlock(*, acting_user: Any, attempt_id: int) -> LoginAttempt:
    """Lift a sign-in lock (and its back-off) before it expires: an administrator of the account's town."""
    from gridgov.core import audit

    attempt = get_scoped(LoginAttempt.objects, acting_user, "change", pk=attempt_id)
    before = audit.snapshot(attempt)
    attempt.locked_until, attempt.failures, attempt.locks = None, 0, 0
    attempt.save(update_fields=["locked_until", "failures", "locks"])
    audit.record(attempt, "update", before)
    return attempt


@service
def second_factor_confirm(*, acting_user: Any, secret: str, code: str) -> list[str]:
    """Put the authenticator of `secret` (shown on the set-up page) in force once it shows the right code;
    returns the recovery codes (shown once)."""
    from gridgov.core import audit

    from . import twofactor

    if SecondFactor.objects.select_for_update().filter(user=acting_user).exists():
        raise ValidationFailed({"code": [_("已启用二次验证")]})
    step = twofactor.confirm_matches(secret, code) if secret else None
    if step is None:
        raise ValidationFailed({"code": [_("验证码不正确，请核对手机时间后重试")]})
    codes = twofactor.new_recovery_codes()
    factor = SecondFactor.objects.create(user=acting_user, secret=secret, confirmed_at=timezone.now(),
                                         last_step=step, recovery_hashes=[twofactor._hash(c) for c in codes])
    audit.record(factor, "create")  # the secret and the codes are not recorded (SecondFactor.audit_exclude)
    return codes


@service
def second_factor_reset(*, acting_user: Any, user_id: int) -> User:
    """Remove an account's authenticator (a lost phone): an administrator of the account's town. The account
    sets up a new one at its next sign-in if it must have one."""
    from gridgov.core import audit

    target = get_scoped(User.objects, acting_user, "change", pk=user_id)
    factor = SecondFactor.objects.filter(user=target).first()
    if factor is None:
        raise ValidationFailed({"user": [_("该账号未启用二次验证")]})
    before = audit.snapshot(factor)
    audit.record(factor, "delete", before)
    factor.delete()
    return target


@service
def sessions_end_all(*, acting_user: Any) -> User:
    """全部退出: end every session of the acting user, on every device (this one too)."""
    from gridgov.core import audit

    user = User.objects.get(pk=acting_user.pk)  # the row, not the request's lazy user
    before = audit.snapshot(user)
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])
    audit.record(user, "update", before)
    return user
