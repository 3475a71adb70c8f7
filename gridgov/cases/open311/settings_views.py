"""Settings pages of the Open311 edge (系统设置 → Open311 接入): the town's clients (the systems that post reports
with an API key), created, switched off and given a new key by its administrator. A key is shown once, on the
page that made it; only its hash is stored."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.scope import can, get_scoped
from gridgov.core.settingspages import Column, Field, Link, Table, choice_id, form_page, render_table

from . import services
from .models import Client


def _towns(user: Any) -> list[Any]:
    from gridgov.network.selectors import towns_for_change

    return list(towns_for_change(user=user))


def _key_page(request: HttpRequest, client: Client, key: str) -> HttpResponse:
    return render(request, "open311/client_key.html", {"client": client, "key": key,
                                                        "back_url": reverse("open311_settings:client_list")})


@login_required
def client_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", Client):
        raise PermissionDenied()
    rows = list(Client.objects.restrict(request.user, "change").select_related("town").order_by("name"))
    return render_table(request, Table(
        title=_("Open311 接入"), rows=rows,
        intro=_("可通过 Open311 GeoReport v2 接口（/open311/v2/）向本镇街提交诉求的外部系统。"
                "密钥只在生成时显示一次，系统只保存其摘要；停用或更换密钥后旧密钥立即失效。"),
        columns=[Column(_("名称"), lambda c: c.name), Column(_("联系人"), lambda c: c.contact or "—"),
                 Column(_("限定镇街"), lambda c: c.town.name if c.town else _("不限")),
                 Column(_("密钥前缀"), lambda c: f"{c.key_prefix}…"),
                 Column(_("状态"), lambda c: _("启用") if c.active else _("停用")),
                 Column(_("最近使用"), lambda c: c.last_used_at.strftime("%Y-%m-%d %H:%M") if c.last_used_at else "—")],
        links=[Link(_("修改"), lambda c: reverse("open311_settings:client_edit", args=[c.pk])),
               Link(_("更换密钥"), lambda c: reverse("open311_settings:client_rotate", args=[c.pk]))],
        new_url=reverse("open311_settings:client_new") if _towns(request.user) else "",
        new_label=_("新增客户端"), empty=_("尚无 Open311 客户端")))


@login_required
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    towns = _towns(request.user)
    if not towns:
        raise PermissionDenied()
    fields = [Field("town", _("限定镇街"), "select", [(t.pk, t.name) for t in towns], required=True),
              Field("name", _("名称"), required=True, maxlength=100, help=_("例如 12345 政务服务便民热线平台")),
              Field("contact", _("联系人"), maxlength=100)]
    made: list[tuple[Client, str]] = []

    def save(data: dict[str, Any]) -> Client:
        town = next((t for t in towns if t.pk == choice_id(data["town"])), None)
        if town is None:
            raise ValidationFailed({"town": [_("请选择镇街")]})
        made.append(services.open311_client_create(acting_user=request.user, town=town, name=data["name"],
                                                   contact=data["contact"]))
        return made[-1][0]

    response = form_page(request, title=_("新增 Open311 客户端"), fields=fields,
                         initial={"town": towns[0].pk if len(towns) == 1 else ""}, save=save,
                         success_url=reverse("open311_settings:client_list"),
                         back_url=reverse("open311_settings:client_list"))
    return _key_page(request, *made[0]) if made else response


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_scoped(Client.objects.select_related("town"), request.user, "change", pk=pk)
    fields = [Field("name", _("名称"), required=True, maxlength=100), Field("contact", _("联系人"), maxlength=100),
              Field("active", _("启用"), "bool", required=True, help=_("停用后该客户端的密钥立即失效"))]

    def save(data: dict[str, Any]) -> Client:
        return services.open311_client_update(acting_user=request.user, client=client,
                                              expected_version=data.pop("version"), data=data)

    return form_page(request, title=_("修改 Open311 客户端"), subtitle=client.name, fields=fields,
                     initial={"name": client.name, "contact": client.contact, "active": client.active}, save=save,
                     success_url=reverse("open311_settings:client_list"),
                     back_url=reverse("open311_settings:client_list"), version=client.version)


@login_required
@require_http_methods(["GET", "POST"])
def client_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_scoped(Client.objects.select_related("town"), request.user, "change", pk=pk)
    if request.method == "POST":
        return _key_page(request, client, services.open311_client_rotate(acting_user=request.user, client=client))
    return render(request, "settings/confirm_delete.html", {
        "title": _("更换密钥"), "what": _("%(c)s 的旧密钥将立即失效，新密钥只显示一次。") % {"c": client.name},
        "back_url": reverse("open311_settings:client_list"), "button": _("更换密钥")})
