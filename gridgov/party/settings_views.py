"""Settings pages of party building (系统设置 → 积分规则): the default points rules (RULES.md §4) and the town's
own rules that override a code in the town, through party.services (scoped to the town, audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import PermissionDenied
from gridgov.core.settingspages import Column, Field, Link, Table, choice_id, form_page, render_table
from gridgov.network.selectors import towns_for_change

from . import selectors, services
from .access import party_can
from .models import PointCategory, PointRule


def _cap(r: PointRule) -> str:
    return str(r.annual_cap) if r.annual_cap is not None else _("不限")


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def _columns() -> list[Column]:
    return [Column(_("规则代码"), lambda r: r.code), Column(_("名称"), lambda r: r.label),
            Column(_("类别"), lambda r: r.get_category_display()), Column(_("分值"), lambda r: r.points),
            Column(_("年度上限"), _cap), Column(_("党员可申报"), lambda r: _yes(r.claimable)),
            Column(_("启用"), lambda r: _yes(r.active))]


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    if not party_can(request.user, "change", PointRule):
        raise PermissionDenied()
    towns = list(towns_for_change(user=request.user))
    own = list(selectors.point_rule_list(user=request.user))
    first = towns[0].pk if towns else ""
    return render_table(request, Table(
        title=_("积分规则"), rows=own, columns=[Column(_("镇街"), lambda r: r.town.name), *_columns()],
        intro=_("本镇街的规则覆盖同代码的默认规则；得分 = 基础分 100 + 加分 − 扣分，每年计算，最低 0 分。"),
        links=[Link(_("修改"), lambda r: reverse("party:point_rule_edit", args=[r.pk])),
               Link(_("恢复默认"), lambda r: reverse("party:point_rule_delete", args=[r.pk]))],
        new_url=reverse("party:point_rule_new") if towns else "", new_label=_("新增本镇街规则"),
        empty=_("本镇街没有自己的规则：全部按默认规则。")),
        template="party/point_rules.html",
        extra={"defaults": list(selectors.point_rule_defaults()), "default_columns": _columns(), "town": first})


def _fields(towns: list[Any] | None) -> list[Field]:
    head = []
    if towns is not None:
        head = [Field("town", _("镇街"), "select", [(t.pk, t.name) for t in towns], required=True),
                Field("code", _("规则代码"), required=True, maxlength=30,
                      help=_("与默认规则同代码即覆盖它（如 meeting_attend）；新代码为本镇街新增的规则"))]
    return head + [
        Field("label", _("名称"), required=True, maxlength=100),
        Field("category", _("类别"), "select", PointCategory.choices, required=True),
        Field("points", _("分值"), "number", required=True, help=_("扣分填负数")),
        Field("annual_cap", _("年度上限"), "number", help=_("空为不限")),
        Field("claimable", _("党员可申报"), "bool", required=True),
        Field("active", _("启用"), "bool", required=True),
    ]


def _initial(r: PointRule | None) -> dict[str, Any]:
    if r is None:
        return {"points": 1, "claimable": False, "active": True}
    return {"code": r.code, "label": r.label, "category": r.category, "points": r.points,
            "annual_cap": r.annual_cap if r.annual_cap is not None else "", "claimable": r.claimable,
            "active": r.active}


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    towns = list(towns_for_change(user=request.user))
    if not towns or not party_can(request.user, "add", PointRule):
        raise PermissionDenied()
    template = selectors.point_rule_defaults().filter(code=request.GET.get("code", "")[:30]).first()

    def save(data: dict[str, Any]) -> PointRule:
        return services.point_rule_create(acting_user=request.user, town=choice_id(data["town"]) or "",
                                          code=data["code"], data=data)

    return form_page(request, title=_("新增本镇街积分规则"), fields=_fields(towns),
                     initial={**_initial(template), "town": towns[0].pk if len(towns) == 1 else ""}, save=save,
                     success_url=reverse("party:point_rules"), back_url=reverse("party:point_rules"))


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.point_rule_get(user=request.user, pk=pk, action="change")

    def save(data: dict[str, Any]) -> PointRule:
        version = data.pop("version")
        return services.point_rule_update(acting_user=request.user, rule=rule, data=data, expected_version=version)

    return form_page(request, title=_("修改积分规则"), subtitle=f"{rule.code} · {rule.town.name}",
                     fields=_fields(None), initial=_initial(rule), save=save, version=rule.version,
                     success_url=reverse("party:point_rules"), back_url=reverse("party:point_rules"))


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.point_rule_get(user=request.user, pk=pk, action="delete")
    if request.method == "POST":
        services.point_rule_delete(acting_user=request.user, rule=rule)
        messages.success(request, _("已恢复默认规则"))
        return redirect("party:point_rules")
    return render(request, "settings/confirm_delete.html", {
        "title": _("恢复默认规则"), "what": f"{rule.code} · {rule}", "back_url": reverse("party:point_rules"),
        "button": _("恢复默认")})
