"""Settings pages of the network (系统设置): the town's departments, listed, created and edited by its
administrator through network.services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.scope import can
from gridgov.core.settingspages import Column, Field, Link, Table, choice_id, form_page, render_table

from . import selectors, services
from .models import Department


def _head_options(user: Any, town_ids: list[int]) -> list[tuple[int, str]]:
    from gridgov.accounts.models import User

    rows = (User.objects.filter(town_id__in=town_ids, kind=User.Kind.STAFF, is_active=True)
            .order_by("username").only("id", "username", "display_name"))
    return [(u.pk, f"{u} ({u.username})") for u in rows]


def _fields(user: Any, *, towns: list[Any] | None, town_ids: list[int]) -> list[Field]:
    fields = []
    if towns is not None:
        fields.append(Field("town", _("所属镇街"), "select", [(t.pk, t.name) for t in towns], required=True))
    return fields + [
        Field("code", _("部门代码"), required=True, maxlength=20),
        Field("name", _("部门名称"), required=True, maxlength=100),
        Field("head", _("部门负责人"), "select", _head_options(user, town_ids)),
    ]


@login_required
def department_settings(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", Department):
        raise PermissionDenied()
    return render_table(request, Table(
        title=_("部门管理"), rows=list(selectors.department_settings_list(user=request.user)),
        columns=[Column(_("部门代码"), lambda d: d.code), Column(_("部门名称"), lambda d: d.name),
                 Column(_("所属镇街"), lambda d: d.town.name), Column(_("部门负责人"), lambda d: d.head or "—")],
        links=[Link(_("修改"), lambda d: reverse("network:department_edit", args=[d.pk]))],
        new_url=reverse("network:department_new") if selectors.towns_for_change(user=request.user).exists() else "",
        new_label=_("新增部门")))


@login_required
@require_http_methods(["GET", "POST"])
def department_new(request: HttpRequest) -> HttpResponse:
    towns = list(selectors.towns_for_change(user=request.user))
    if not towns:
        raise PermissionDenied()
    fields = _fields(request.user, towns=towns, town_ids=[t.pk for t in towns])

    def save(data: dict[str, Any]) -> Department:
        if choice_id(data["town"]) not in {t.pk for t in towns}:
            raise ValidationFailed({"town": [_("请选择镇街")]})
        return services.department_create(acting_user=request.user, town=choice_id(data["town"]),
                                          code=data["code"], name=data["name"], head=choice_id(data["head"]))

    return form_page(request, title=_("新增部门"), fields=fields,
                     initial={"town": towns[0].pk if len(towns) == 1 else ""}, save=save,
                     success_url=reverse("network:department_settings"),
                     back_url=reverse("network:department_settings"))


@login_required
@require_http_methods(["GET", "POST"])
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    d = selectors.department_for_change(user=request.user, pk=pk)
    fields = _fields(request.user, towns=None, town_ids=[d.town_id])

    def save(data: dict[str, Any]) -> Department:
        return services.department_update(
            acting_user=request.user, department=d, expected_version=data.pop("version"),
            data={"code": data["code"], "name": data["name"], "head": choice_id(data["head"])})

    return form_page(request, title=_("修改部门"), subtitle=f"{d.name} · {d.town.name}", fields=fields,
                     initial={"code": d.code, "name": d.name, "head": d.head_id or ""}, save=save,
                     success_url=reverse("network:department_settings"),
                     back_url=reverse("network:department_settings"), version=d.version)
