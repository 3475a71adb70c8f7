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


# -- working hours and the holiday table (工作时间与节假日) ------------------------------------------------

def _may_configure_a_town(user: Any) -> bool:
    return selectors.towns_for_change(user=user).exists()


@login_required
def working_hours_settings(request: HttpRequest) -> HttpResponse:
    """The working hours each of the administrator's towns counts its deadlines in."""
    if not _may_configure_a_town(request.user):
        raise PermissionDenied()
    return render_table(request, Table(
        title=_("工作时间"), rows=selectors.working_hours_of_towns(user=request.user),
        intro=_("时限按工作时间计算：按工作小时计的时限只在这些时段内走，按工作日计的时限在最后一个工作日下班时到期。"
                "未单独设置的镇街使用系统默认值。"),
        columns=[Column(_("镇街"), lambda r: r["town"].name),
                 Column(_("工作时段"), lambda r: r["hours"].format().replace(",", "，")),
                 Column(_("每日工作时长"), lambda r: _("%(h)s 小时") % {"h": round(r["hours"].minutes_per_day / 60, 2)}),
                 Column(_("时区"), lambda r: r["hours"].tz),
                 Column(_("来源"), lambda r: _("本镇街设置") if r["row"] else _("系统默认"))],
        links=[Link(_("修改"), lambda r: reverse("network:working_hours_edit", args=[r["town"].pk])),
               Link(_("恢复默认"), lambda r: reverse("network:working_hours_reset", args=[r["town"].pk])
                    if r["row"] else "")]))


_HOURS_FIELDS = [
    Field("periods", _("工作时段"), required=True, maxlength=200,
          help=_("各时段以逗号分隔，例如 09:00-12:00,13:30-17:30")),
    Field("timezone", _("时区"), required=True, maxlength=40, help=_("例如 Asia/Shanghai")),
]


@login_required
@require_http_methods(["GET", "POST"])
def working_hours_edit(request: HttpRequest, pk: int) -> HttpResponse:
    got = selectors.working_hours_of_town(user=request.user, pk=pk)
    town, row, hours = got["town"], got["row"], got["hours"]

    def save(data: dict[str, Any]) -> Any:
        return services.working_hours_set(acting_user=request.user, town=town, periods=data["periods"],
                                          timezone=data["timezone"], expected_version=data.pop("version"))

    return form_page(request, title=_("修改工作时间"), subtitle=town.name, fields=_HOURS_FIELDS,
                     initial={"periods": hours.format(), "timezone": hours.tz}, save=save,
                     success_url=reverse("network:working_hours_settings"),
                     back_url=reverse("network:working_hours_settings"), version=row.version if row else 0)


@login_required
@require_http_methods(["GET", "POST"])
def working_hours_reset(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import redirect, render

    town = selectors.working_hours_of_town(user=request.user, pk=pk)["town"]
    if request.method == "POST":
        services.working_hours_reset(acting_user=request.user, town=town)
        from django.contrib import messages

        messages.success(request, _("已恢复默认工作时间：%(t)s") % {"t": town.name})
        return redirect("network:working_hours_settings")
    return render(request, "settings/confirm_delete.html", {
        "title": _("恢复默认工作时间"), "what": _("%(t)s 将使用系统默认的工作时间。") % {"t": town.name},
        "back_url": reverse("network:working_hours_settings"), "button": _("恢复默认")})


def _year_of(request: HttpRequest) -> int:
    import datetime as dt

    value = request.GET.get("year", "")
    if not value:
        return dt.date.today().year
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise ValidationFailed({"year": [_("年份应在 2000–2100 之间")]})
    return int(value)


@login_required
def holiday_settings(request: HttpRequest) -> HttpResponse:
    """The year's holiday table (节假日与调休): the State Council's arrangement, the same for every town. A town's
    administrator reads it; who administers the installation loads the official table (`holidays_upload`)."""
    from gridgov.core import calendar
    from gridgov.core.models import WorkdayOverride

    if not _may_configure_a_town(request.user) and not can(request.user, "change", WorkdayOverride):
        raise PermissionDenied()
    year = _year_of(request)
    rows = list(WorkdayOverride.objects.filter(date__year=year).order_by("date"))
    provisional = calendar.is_provisional(year)
    may_load = can(request.user, "change", WorkdayOverride)
    state = (_("%(y)s 年为暂定：尚无国务院公布的安排，节假日按规则推算，涉及该年的时限均标为暂定。") if provisional
             else _("%(y)s 年为正式安排。")) % {"y": year}
    who = (_("可上传该年的正式安排（CSV：日期,是否工作日,说明），上传后替换该年的全部记录。") if may_load else
           _("节假日安排全国统一，由系统管理员加载（gridgov holidays load），各镇街共用。"))
    return render_table(request, Table(
        title=_("节假日与调休 · %(y)s") % {"y": year}, rows=rows, intro=f"{state}{who}",
        columns=[Column(_("日期"), lambda d: d.date.isoformat()),
                 Column(_("安排"), lambda d: _("调休上班") if d.is_working_day else _("放假")),
                 Column(_("说明"), lambda d: d.note)],
        new_url=reverse("network:holidays_upload") + f"?year={year}" if may_load else "",
        new_label=_("上传正式安排"),
        empty=_("本年没有与常规（周一至周五上班）不同的登记日期；暂定年份按规则推算。")),
        template="network/holiday_list.html", extra={"year": year, "provisional": provisional, "may_load": may_load})


@login_required
@require_http_methods(["POST"])
def holidays_mark_official(request: HttpRequest) -> HttpResponse:
    """标为正式: the year's table as it stands (the package's estimate with the loaded days) is the official one."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from gridgov.core.models import WorkdayOverride
    from gridgov.core.services import calendar_year_mark_official

    if not can(request.user, "change", WorkdayOverride):
        raise PermissionDenied()
    value = request.POST.get("year", "")
    calendar_year_mark_official(year=int(value) if value.isdigit() else -1, acting_user=request.user)
    messages.success(request, _("已标为正式安排：%(y)s 年") % {"y": value})
    return redirect(reverse("network:holiday_settings") + f"?year={value}")


@login_required
@require_http_methods(["GET", "POST"])
def holidays_upload(request: HttpRequest) -> HttpResponse:
    from gridgov.core.models import WorkdayOverride
    from gridgov.core.services import holiday_rows, workday_table_load

    if not can(request.user, "change", WorkdayOverride):
        raise PermissionDenied()
    fields = [Field("file", _("正式安排（CSV）"), "file", required=True,
                    help=_("每行：日期,是否工作日（1 上班 / 0 放假）,说明；列出该年全部法定假日和调休上班日"))]

    def save(data: dict[str, Any]) -> dict[str, Any]:
        upload = data["file"]
        if upload is None:
            raise ValidationFailed({"file": [_("请选择文件")]})
        if upload.size > 200_000:
            raise ValidationFailed({"file": [_("文件过大（最多 200 KB）")]})
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed({"file": [_("请使用 UTF-8 编码的 CSV 文件")]}) from None
        return workday_table_load(rows=holiday_rows(text.splitlines()), acting_user=request.user)

    return form_page(request, title=_("上传节假日正式安排"), fields=fields, initial={}, save=save,
                     success_url=lambda result: reverse("network:holiday_settings") + f"?year={result['years'][0]}",
                     back_url=reverse("network:holiday_settings"), saved_message=_("已加载正式安排"))


# -- grid boundaries: import and export (网格边界导入导出) --------------------------------------------------

_CRS_OPTIONS = [("wgs84", _("WGS-84（GPS、天地图）")), ("gcj02", _("GCJ-02（高德、腾讯等国内地图）"))]


@login_required
@require_http_methods(["GET", "POST"])
def boundaries_import(request: HttpRequest) -> HttpResponse:
    """Upload a GeoJSON or zipped Shapefile of the tree's polygons; every feature's errors are listed under the
    form and nothing is saved while any is wrong, unless 只导入无错误的要素 is chosen."""
    from django.contrib import messages

    from . import boundaries

    if not _may_configure_a_town(request.user):
        raise PermissionDenied()
    fields = [Field("file", _("边界文件"), "file", required=True,
                    help=_("GeoJSON FeatureCollection，或 Shapefile（.shp/.shx/.dbf/.cpg 压缩为 .zip）；"
                           "属性 code（统计代码）、name（名称），新区划另需 parent_code（上级代码）")),
              Field("crs", _("坐标系"), "select", _CRS_OPTIONS, required=True),
              Field("save_valid", _("有错误时"), "select",
                    [("0", _("全部不导入")), ("1", _("只导入无错误的要素"))], required=True)]
    found: list[Any] = []

    def save(data: dict[str, Any]) -> Any:
        errors: dict[str, list[str]] = {}
        if data["crs"] not in ("wgs84", "gcj02"):
            errors["crs"] = [_("请选择坐标系")]
        if data["file"] is None:
            errors["file"] = [_("请选择文件")]
        if errors:
            raise ValidationFailed(errors)
        features = boundaries.read_file(data["file"].name, data["file"].read())
        report = boundaries.boundaries_import(acting_user=request.user, features=features, crs=data["crs"],
                                              save_valid=data["save_valid"] == "1")
        found.append(report)
        if not report.saved:
            raise ValidationFailed({"file": [_("%(n)s 个要素有错误，未导入任何内容（见下表）") % {"n": len(report.errors)}]})
        skipped = "、".join(f.label for f in report.errors[:10])
        messages.info(request, _("新增 %(c)s 个、更新 %(u)s 个区划边界") % {"c": report.created, "u": report.updated}
                      + (_("；跳过有错误的要素：%(s)s") % {"s": skipped} if skipped else ""))
        return report

    return form_page(request, title=_("网格边界导入"), fields=fields, initial={"crs": "wgs84", "save_valid": "0"},
                     save=save, success_url=reverse("network:division_list"),
                     back_url=reverse("network:division_list"), saved_message=_("已导入网格边界"),
                     extra={"template_after": "network/boundary_report.html", "found": found,
                            "export_url": reverse("network:boundaries_export")})


@login_required
def boundaries_export(request: HttpRequest) -> HttpResponse:
    """The divisions the user may see as a GeoJSON FeatureCollection (`?crs=gcj02` for GCJ-02, `?town=<id>`)."""
    import json

    from django.http import HttpResponse as Plain

    from . import boundaries

    crs = request.GET.get("crs", "wgs84")
    if crs not in ("wgs84", "gcj02"):
        raise ValidationFailed({"crs": [_("坐标系应为 wgs84 或 gcj02")]})
    town = None
    if request.GET.get("town"):
        town = selectors.division_get(user=request.user, pk=request.GET["town"])
    body = json.dumps(boundaries.export(user=request.user, town=town, crs=crs), ensure_ascii=False)
    response = Plain(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="divisions-{crs}.geojson"'
    return response
