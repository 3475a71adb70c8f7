"""Users (staff, residents, enterprises), role assignments and login attempts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.core.scope import Grant, ScopedManager, ScopedQuerySet, ScopeSpec
from gridgov.core.validators import validate_mobile

from .roles import OWN_PERMISSIONS, ProCategory, Role, role_allows


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager with `restrict(user, action)`: accounts follow their town (an administrator
    manages the accounts of their own town)."""


class User(AbstractUser):
    class Kind(models.TextChoices):
        STAFF = "staff", _("工作人员")
        RESIDENT = "resident", _("群众")
        ENTERPRISE = "enterprise", _("企业")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_mobile])
    town = models.ForeignKey("network.Division", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("所属镇街"))
    # 全部退出: every session started before this moment is over (accounts/sessions.py).
    sessions_valid_after = models.DateTimeField(_("会话起始下限"), null=True, blank=True, editable=False)

    objects = ScopedUserManager()
    scope = ScopeSpec(division="town")
    audit_exclude = ("password", "last_login")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def assignments_cached(self) -> list[RoleAssignment]:
        cached = getattr(self, "_assignments_cache", None)
        if cached is None:
            cached = list(self.role_assignments.select_related("division", "department"))
            self._assignments_cache = cached
        return cached

    def roles(self) -> set[str]:
        return {a.role for a in self.assignments_cached()}

    def grants(self, action: str, resource: str) -> list[Grant]:
        """What this user may `action` on `resource`: a list of scopes (see gridgov.core.scope)."""
        if not self.is_active:
            return []
        if self.is_superuser:
            return [Grant("all")]
        result = []
        for a in self.assignments_cached():
            if role_allows(a.role, action, resource):
                if a.division_id:
                    result.append(Grant("division", a.division.path))
                if a.department_id:
                    result.append(Grant("department", a.department_id))
        if action in OWN_PERMISSIONS.get(resource, ()):
            result.append(Grant("own", self.pk))
        return result


class RoleAssignment(models.Model):
    """A role held over a division subtree or a department (never both, never neither)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    division = models.ForeignKey("network.Division", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="role_assignments", verbose_name=_("管辖区域"))
    department = models.ForeignKey("network.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="role_assignments", verbose_name=_("部门"))
    category = models.CharField(_("专业类别"), max_length=20, choices=ProCategory.choices, blank=True)

    objects = ScopedManager()
    # An assignment follows its holder's town, whether it is held over a division or a department of it:
    # the administrator of a town sees and manages every role of the town's staff.
    scope = ScopeSpec(division="user__town")

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(division__isnull=False, department__isnull=True)
                           | models.Q(division__isnull=True, department__isnull=False)),
                name="assignment_one_scope"),
        ]
        indexes = [models.Index(fields=["role", "division"], name="acct_role_div_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.division or self.department}"

    def clean(self) -> None:
        if bool(self.division_id) == bool(self.department_id):
            raise ValidationError({"division": _("角色必须限定在一个区域或一个部门（二选一）")})
        if self.role == Role.PRO_WORKER and not self.category:
            raise ValidationError({"category": _("专业网格员必须选择专业类别")})


class LoginAttempt(models.Model):
    """Sign-in attempts counted per account at an address, and per address over all names (kept in the
    database: every process sees them). An attempt is counted before its password is checked, so concurrent
    guesses cannot outrun the count (see gridgov/accounts/lockout.py)."""

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("账号（按地址）")
        ADDRESS = "address", _("地址")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.ACCOUNT)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.CharField(_("地址"), max_length=45, blank=True)
    # The account the name belongs to, if any: its town decides which administrator sees the lock.
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("用户"))
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    last_failure = models.DateTimeField(_("最近失败"), null=True, blank=True)
    locks = models.PositiveIntegerField(_("连续锁定次数"), default=0)  # back-off: each lock lasts twice the last
    since_sign_in = models.PositiveIntegerField(default=0)  # failures the user is told of at the next sign-in

    objects = ScopedManager()
    scope = ScopeSpec(division="user__town")

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        constraints = [models.UniqueConstraint(fields=["kind", "username", "address"], name="login_attempt_key")]
        indexes = [models.Index(fields=["locked_until"], name="acct_login_locked_idx")]

    def __str__(self) -> str:
        return f"{self.username or '*'} @ {self.address or '?'}"


class SecondFactor(models.Model):
    """A staff member's authenticator (TOTP, RFC 6238) and recovery codes (issue 16, item 9; accounts/twofactor.py).

    The secret and the recovery codes' hashes never enter the audit chain (`audit_exclude`)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="second_factor",
                                verbose_name=_("用户"))
    secret = models.CharField(max_length=64)  # base32
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # the newest 30-second step used: a code is good once
    recovery_hashes = models.JSONField(default=list, blank=True)  # sha256 of each unused recovery code

    audit_exclude = ("secret", "recovery_hashes")
    scope = ScopeSpec(division="user__town")
    objects = ScopedManager()

    class Meta:
        verbose_name = _("二次验证")

    def __str__(self) -> str:
        return f"{self.user} TOTP"
