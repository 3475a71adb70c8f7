"""Settings pages of the case engine (系统设置): the town's dispatch rules (派遣规则) and its own handling limits
of the categories (处置时限), through cases.services, scoped to the administrator's town and audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.accounts.roles import ProCategory
from gridgov.core.errors import PermissionDenied
from gridgov.core.scope import can
from gridgov.core.settingspages import Column, Field, Link, Table, choice_id, form_page, render_table
from gridgov.network.selectors import towns_for_change

from . import selectors, services
from .models import Category, CategoryLimit, DispatchRule, TimeUnit


def _towns(request: HttpRequest) -> list[Any]:
    towns = list(towns_for_change(user=request.user))
    if not towns:
        raise PermissionDenied()
    return towns


def _category_options() -> list[tuple[int, str]]:
    return [(c.pk, f"{c.get_tree_display()} · {c.code} {c.name}") for c in Category.objects.order_by("tree", "code")]


def _rule_fields(request: HttpRequest, towns: list[Any], with_town: bool) -> list[Field]:
    from gridgov.network.models import Department, Division

    areas = (Division.objects.restrict(request.user, "change").filter(town__in=towns).exclude(pk__in=[t.pk for t in towns])
             .order_by("path").only("id", "name", "level")[:3000])
    depts = Department.objects.restrict(request.user, "change").filter(town__in=towns).order_by("code")
    fields = [Field("town", _("镇街"), "select", [(t.pk, t.name) for t in towns], required=True)] if with_town else []
    return fields + [
        Field("category", _("类别（空为全部）"), "select", _category_options(),
              help=_("小类优先于大类，大类优先于全部")),
        Field("area", _("区域（空为全镇）"), "select", [(d.pk, f"{d.get_level_display()} · {d.name}") for d in areas],
              help=_("区域规则优先于全镇规则")),
        Field("department", _("责任部门"), "select", [(d.pk, d.name) for d in depts]),
        Field("pro_category", _("专业类别"), "select", ProCategory.choices),
        Field("priority", _("优先级"), "number", required=True, help=_("同样具体的规则中数字小者优先（0–1000）")),
    ]


def _rule_data(data: dict[str, Any]) -> dict[str, Any]:
    return {"category": data["category"], "area": data["area"], "department": data["department"],
            "pro_category": data["pro_category"], "priority": data["priority"]}


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "change", DispatchRule):
        raise PermissionDenied()
    return render_table(request, Table(
        title=_("派遣规则"), rows=list(selectors.dispatch_rule_list(user=request.user)),
        intro=_("事件按最具体的规则派遣：小类先于大类先于全部；区域规则先于全镇规则；再按优先级。没有规则时按类别的默认部门。"),
        columns=[Column(_("类别"), lambda r: r.category or _("全部类别")), Column(_("区域"), lambda r: r.area or _("全镇")),
                 Column(_("责任部门"), lambda r: r.department or "—"),
                 Column(_("专业类别"), lambda r: r.get_pro_category_display() or "—"),
                 Column(_("优先级"), lambda r: r.priority), Column(_("镇街"), lambda r: r.town.name)],
        links=[Link(_("修改"), lambda r: reverse("cases:rule_edit", args=[r.pk])),
               Link(_("删除"), lambda r: reverse("cases:rule_delete", args=[r.pk]))],
        new_url=reverse("cases:rule_new") if towns_for_change(user=request.user).exists() else "",
        new_label=_("新增规则")))


@login_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    towns = _towns(request)

    def save(data: dict[str, Any]) -> DispatchRule:
        return services.dispatch_rule_create(acting_user=request.user, town=choice_id(data["town"]) or "",
                                             data=_rule_data(data))

    return form_page(request, title=_("新增派遣规则"), fields=_rule_fields(request, towns, True),
                     initial={"town": towns[0].pk if len(towns) == 1 else "", "priority": 100}, save=save,
                     success_url=reverse("cases:rule_list"), back_url=reverse("cases:rule_list"))


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.dispatch_rule_get(user=request.user, pk=pk, action="change")

    def save(data: dict[str, Any]) -> DispatchRule:
        return services.dispatch_rule_update(acting_user=request.user, rule=rule, data=_rule_data(data))

    return form_page(request, title=_("修改派遣规则"), subtitle=rule.town.name,
                     fields=_rule_fields(request, [rule.town], False),
                     initial={"category": rule.category_id or "", "area": rule.area_id or "",
                              "department": rule.department_id or "", "pro_category": rule.pro_category,
                              "priority": rule.priority},
                     save=save, success_url=reverse("cases:rule_list"), back_url=reverse("cases:rule_list"))


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = selectors.dispatch_rule_get(user=request.user, pk=pk, action="delete")
    if request.method == "POST":
        services.dispatch_rule_delete(acting_user=request.user, rule=rule)
        messages.success(request, _("已删除"))
        return redirect("cases:rule_list")
    return render(request, "settings/confirm_delete.html", {
        "title": _("删除派遣规则"), "what": str(rule), "back_url": reverse("cases:rule_list")})


def _limit_text(amount: int, unit: str) -> str:
    return f"{amount} {TimeUnit(unit).label}"


@login_required
def limit_list(request: HttpRequest) -> HttpResponse:
    towns = _towns(request)
    town = next((t for t in towns if str(t.pk) == request.GET.get("town")), towns[0])
    rows = selectors.category_limit_rows(user=request.user, town=town)

    def own(r: dict[str, Any]) -> str:
        lim = r["limit"]
        return _limit_text(lim.deadline_amount, lim.deadline_unit) if lim else "—"

    def edit(r: dict[str, Any]) -> str:
        lim = r["limit"]
        if lim:
            return reverse("cases:limit_edit", args=[lim.pk])
        return reverse("cases:limit_new") + f"?category={r['category'].pk}&town={town.pk}"

    return render_table(request, Table(
        title=_("类别与处置时限") + f" · {town.name}", rows=rows,
        intro=_("处置时限从派遣起算（工作时或工作日）。本镇街可为任一类别设定自己的时限，不影响其他镇街；未设定的按默认时限。"),
        columns=[Column(_("类别树"), lambda r: r["category"].get_tree_display()),
                 Column(_("编码"), lambda r: r["category"].code), Column(_("名称"), lambda r: r["category"].name),
                 Column(_("默认时限"), lambda r: _limit_text(r["category"].deadline_amount,
                                                         r["category"].deadline_unit)),
                 Column(_("本镇街时限"), own)],
        links=[Link(_("设定"), edit),
               Link(_("恢复默认"), lambda r: reverse("cases:limit_delete", args=[r["limit"].pk]) if r["limit"] else "")]),
        template="cases/limit_list.html", extra={"towns": towns, "town": town})


def _limit_fields(towns: list[Any] | None) -> list[Field]:
    fields = []
    if towns is not None:
        fields += [Field("town", _("镇街"), "select", [(t.pk, t.name) for t in towns], required=True),
                   Field("category", _("类别"), "select", _category_options(), required=True)]
    return fields + [Field("deadline_amount", _("处置时限"), "number", required=True),
                     Field("deadline_unit", _("时限单位"), "select", TimeUnit.choices, required=True)]


@login_required
@require_http_methods(["GET", "POST"])
def limit_new(request: HttpRequest) -> HttpResponse:
    towns = _towns(request)
    cat = Category.objects.filter(pk=choice_id(request.GET.get("category"))).first()
    town = choice_id(request.GET.get("town")) or towns[0].pk

    def save(data: dict[str, Any]) -> CategoryLimit:
        return services.category_limit_set(acting_user=request.user, town=choice_id(data["town"]) or "",
                                           category=choice_id(data["category"]) or "",
                                           deadline_amount=data["deadline_amount"],
                                           deadline_unit=data["deadline_unit"])

    return form_page(request, title=_("设定本镇街处置时限"), fields=_limit_fields(towns),
                     initial={"town": town, "category": cat.pk if cat else "",
                              "deadline_amount": cat.deadline_amount if cat else "",
                              "deadline_unit": cat.deadline_unit if cat else ""},
                     save=save, success_url=reverse("cases:limit_list"), back_url=reverse("cases:limit_list"))


@login_required
@require_http_methods(["GET", "POST"])
def limit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lim = selectors.category_limit_get(user=request.user, pk=pk, action="change")

    def save(data: dict[str, Any]) -> CategoryLimit:
        return services.category_limit_set(acting_user=request.user, town=lim.town_id, category=lim.category_id,
                                           deadline_amount=data["deadline_amount"],
                                           deadline_unit=data["deadline_unit"])

    return form_page(request, title=_("修改本镇街处置时限"), subtitle=f"{lim.category} · {lim.town.name}",
                     fields=_limit_fields(None),
                     initial={"deadline_amount": lim.deadline_amount, "deadline_unit": lim.deadline_unit},
                     save=save, success_url=reverse("cases:limit_list"), back_url=reverse("cases:limit_list"))


@login_required
@require_http_methods(["GET", "POST"])
def limit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    lim = selectors.category_limit_get(user=request.user, pk=pk, action="delete")
    if request.method == "POST":
        services.category_limit_delete(acting_user=request.user, limit=lim)
        messages.success(request, _("已恢复默认时限"))
        return redirect("cases:limit_list")
    return render(request, "settings/confirm_delete.html", {
        "title": _("恢复默认时限"), "what": str(lim), "back_url": reverse("cases:limit_list"),
        "button": _("恢复默认")})
