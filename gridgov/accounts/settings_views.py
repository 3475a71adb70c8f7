"""The administrator's staff pages (系统设置 → 人员与角色): the town's staff accounts, created and edited, and
their roles, given and taken away, through accounts.services (scoped to the administrator's town, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.scope import can
from gridgov.core.settingspages import Column, Field, Link, Table, choice_id, form_page, render_table

from . import selectors, services
from .models import RoleAssignment, SecondFactor, User
from .roles import ProCategory, Role


def _roles_text(u: User) -> str:
    return "；".join(f"{a.get_role_display()}（{a.division or a.department}）" for a in u.role_assignments.all()) or "—"


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", User):
        raise PermissionDenied()
    q = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    rows = list(selectors.staff_list(user=request.user, q=q, role=role)[:500])
    table = Table(
        title=_("人员与角色"), rows=rows,
        columns=[Column(_("用户名"), lambda u: u.username), Column(_("姓名"), lambda u: u.display_name),
                 Column(_("手机号"), lambda u: u.phone or "—"), Column(_("角色"), _roles_text),
                 Column(_("状态"), lambda u: _("在用") if u.is_active else _("已停用"))],
        links=[Link(_("修改"), lambda u: reverse("accounts:staff_edit", args=[u.pk]))],
        new_url=reverse("accounts:staff_new"), new_label=_("新增人员"),
        intro=_("最多显示 500 人；用筛选缩小范围。"))
    return render_table(request, table, template="accounts/staff_list.html",
                        extra={"q": q, "role": role, "roles": Role.choices})


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    from gridgov.network.selectors import towns_for_change

    towns = list(towns_for_change(user=request.user))
    if not towns:
        raise PermissionDenied()
    fields = [Field("town", _("所属镇街"), "select", [(t.pk, t.name) for t in towns], required=True),
              Field("username", _("用户名"), required=True, maxlength=150, help=_("登录用，字母、数字和 @ . + - _")),
              Field("display_name", _("姓名"), required=True, maxlength=50),
              Field("phone", _("手机号"), maxlength=11),
              Field("password", _("初始密码"), "password", required=True, help=_("至少 8 位"))]

    def save(data: dict[str, Any]) -> User:
        return services.staff_create(acting_user=request.user, town=choice_id(data["town"]) or "",
                                     username=data["username"], display_name=data["display_name"],
                                     phone=data["phone"], password=data["password"])

    return form_page(request, title=_("新增人员"), fields=fields,
                     initial={"town": towns[0].pk if len(towns) == 1 else ""}, save=save,
                     success_url=lambda u: reverse("accounts:staff_edit", args=[u.pk]),
                     back_url=reverse("accounts:staff_list"))


@login_required
@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    u = selectors.staff_get(user=request.user, pk=pk, action="change")
    fields = [Field("display_name", _("姓名"), required=True, maxlength=50),
              Field("phone", _("手机号"), maxlength=11),
              Field("is_active", _("在用"), "bool", required=True, help=_("停用后不能登录")),
              Field("password", _("新密码"), "password", help=_("留空则不修改"))]

    def save(data: dict[str, Any]) -> User:
        return services.staff_update(acting_user=request.user, user=u, data=data)

    assignments = list(selectors.assignment_list(user=request.user, holder=u))
    return form_page(request, title=_("修改人员"), subtitle=f"{u} · {u.username}", fields=fields,
                     initial={"display_name": u.display_name, "phone": u.phone, "is_active": u.is_active},
                     save=save, success_url=reverse("accounts:staff_edit", args=[u.pk]),
                     back_url=reverse("accounts:staff_list"),
                     extra={"assignments": assignments, "holder": u, "template_after": "accounts/_roles.html",
                            "second_factor_on": SecondFactor.objects.filter(user=u, confirmed_at__isnull=False)
                            .exists()})


def _role_fields(user: Any) -> list[Field]:
    from gridgov.network.models import Department, Division

    divisions = (Division.objects.restrict(user, "change").order_by("path")
                 .only("id", "name", "code", "level")[:3000])
    departments = Department.objects.restrict(user, "change").order_by("town_id", "code").only("id", "name")
    return [Field("role", _("角色"), "select", Role.choices, required=True),
            Field("division", _("管辖区域"), "select",
                  [(d.pk, f"{d.get_level_display()} · {d.name}") for d in divisions],
                  help=_("区域或部门二选一")),
            Field("department", _("部门"), "select", [(d.pk, d.name) for d in departments]),
            Field("category", _("专业类别"), "select", ProCategory.choices, help=_("专业网格员必填"))]


@login_required
@require_http_methods(["GET", "POST"])
def role_new(request: HttpRequest, pk: int) -> HttpResponse:
    u = selectors.staff_get(user=request.user, pk=pk, action="change")

    def save(data: dict[str, Any]) -> RoleAssignment:
        return services.role_assign(acting_user=request.user, user=u, role=data["role"],
                                    division=data["division"] or None, department=data["department"] or None,
                                    category=data["category"])

    return form_page(request, title=_("添加角色"), subtitle=f"{u} · {u.username}", fields=_role_fields(request.user),
                     initial={}, save=save, success_url=reverse("accounts:staff_edit", args=[u.pk]),
                     back_url=reverse("accounts:staff_edit", args=[u.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what is about to be taken away, and a button; POST: take it away."""
    a = selectors.assignment_get(user=request.user, pk=pk, action="delete")
    if request.method == "GET":
        return render(request, "accounts/role_revoke.html", {"a": a})
    try:
        services.role_revoke(acting_user=request.user, assignment=a)
    except ValidationFailed as exc:
        messages.error(request, " ".join(exc.lines()))
    else:
        messages.success(request, _("已撤销角色"))
    return redirect("accounts:staff_edit", pk=a.user_id)
