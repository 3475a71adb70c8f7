"""Settings page (系统设置) of sign-in locks: an administrator sees the accounts of their towns locked by failed
sign-ins and lifts a lock before it expires (accounts.services.login_unlock, audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import PermissionDenied
from gridgov.core.scope import can, get_scoped
from gridgov.core.settingspages import Column, Link, Table, render_table

from . import selectors, services
from .models import LoginAttempt


def _when(t: object) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M") if t else "—"  # type: ignore[arg-type]


@login_required
def lock_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", LoginAttempt):
        raise PermissionDenied()
    return render_table(request, Table(
        title=_("登录锁定"), rows=list(selectors.sign_in_locks(user=request.user)),
        intro=_("登录失败次数过多而暂停登录的账号（按登录地址）和地址；锁定到期自动解除，也可在此提前解锁。"),
        empty=_("当前没有被锁定的账号"),
        columns=[Column(_("用户名"), lambda a: a.username or "—"),
                 Column(_("姓名"), lambda a: a.user or "—"),
                 Column(_("地址"), lambda a: a.address or "—"),
                 Column(_("锁定至"), lambda a: _when(a.locked_until)),
                 Column(_("连续锁定次数"), lambda a: a.locks),
                 Column(_("最近失败"), lambda a: _when(a.last_failure))],
        links=[Link(_("解锁"), lambda a: reverse("accounts:lock_unlock", args=[a.pk]))]))


@login_required
@require_http_methods(["GET", "POST"])
def lock_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_scoped(LoginAttempt.objects, request.user, "change", pk=pk)
    if request.method == "POST":
        services.login_unlock(acting_user=request.user, attempt_id=attempt.pk)
        messages.success(request, _("已解锁 %(name)s") % {"name": attempt})
        return redirect("accounts:lock_list")
    return render(request, "accounts/lock_unlock.html", {"attempt": attempt, "until": _when(attempt.locked_until)})
