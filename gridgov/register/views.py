"""Register pages: lists with the shared FilterSets (htmx partial refresh), details with a history tab and
unmask-with-reason, create and edit forms. Views only parse HTTP: reads go through selectors, writes through
services, exactly as the API does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import Conflict, ValidationFailed
from gridgov.core.history import history_for
from gridgov.core.paging import CappedPage, page_of
from gridgov.core.pii import may_unmask
from gridgov.core.scope import can
from gridgov.core.tabular import FileTooLarge, file_response
from gridgov.network.models import Division, Level
from gridgov.network.selectors import department_choices

from . import rows, selectors, services
from .columns import ENTERPRISES, HOUSEHOLDS, RESIDENTS, import_summary, kind_of
from .filtersets import EnterpriseFilterSet, HouseholdFilterSet, ResidentFilterSet
from .models import Enterprise, Household, Resident, Tag

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any) -> CappedPage:
    return page_of(qs, request.GET.get("page"), size=request.GET.get("size"), default=PAGE_SIZE)


def _grid_choices(user: Any, model: type, action: str = "add") -> list[tuple[int, str]]:
    """Base grids where the user may `action` rows of `model` (the pick list of a form)."""
    from django.db.models import Q

    from gridgov.core.scope import resource_of

    cond: Q | None = None
    for grant in user.grants(action, resource_of(model)):
        if grant.kind == "all":
            cond = Q()
            break
        if grant.kind == "division":
            cond = Q(path__startswith=grant.value) if cond is None else cond | Q(path__startswith=grant.value)
    if cond is None:
        return []
    qs = (Division.objects.restrict(user, "view").filter(cond, level=Level.BASE_GRID)
          .only("id", "name", "code").order_by("path"))
    return [(g.pk, f"{g.name}（{g.code}）") for g in qs]


def _filter_form(filterset_class: type, request: HttpRequest) -> Any:
    """The filter form of a list; its grid choices are only the grids this user can see."""
    fs = filterset_class(request.GET or None, user=request.user)
    fs.form.fields["grid"].queryset = (Division.objects.restrict(request.user, "view")
                                       .filter(level__in=[Level.VILLAGE, Level.REGION_GRID, Level.BASE_GRID])
                                       .only("id", "name", "path", "level"))
    return fs.form


def _list_response(request: HttpRequest, full: str, rows_html: str, ctx: Callable[[], dict[str, Any]]) -> HttpResponse:
    """htmx asks for the rows only (nothing else of the page is built then); a history restore or a plain request
    gets the whole page around them."""
    wants_rows = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    response = HttpResponse(rows_html) if wants_rows else render(request, full, {**ctx(), "rows_html": rows_html})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _split_errors(errors: dict[str, list[str]], fields: set[str]) -> dict[str, list[str]]:
    """Errors that belong to no field on the form (shown above it)."""
    return {k: v for k, v in errors.items() if k not in fields}


def _pii(request: HttpRequest, obj: Any) -> tuple[dict[str, str], str]:
    """Masked personal fields, or unmasked when asked for with a reason (written to the access log)."""
    unmask = request.GET.get("unmask") == "1"
    reason = request.GET.get("reason", "").strip()
    if unmask and not reason:
        return selectors.pii_view(obj, user=request.user), _("请填写查看事由")
    return selectors.pii_view(obj, user=request.user, unmask=unmask, reason=reason), ""


# Residents ----------------------------------------------------------------------------------------------

RESIDENT_FORM_FIELDS = {"name", "id_number", "phone", "relation", "address", "grid", "household", "tags"}


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.resident_list(user=request.user, filters=request.GET, fields=rows.RESIDENT_COLUMNS)
    page = _page(request, qs)
    html = rows.resident_rows(request, page, [(r, selectors.masked(r)) for r in page.object_list])
    return _list_response(request, "register/resident_list.html", html, lambda: {
        "form": _filter_form(ResidentFilterSet, request), "can_add": can(request.user, "add", Resident),
        "spec": RESIDENTS, **_transfer_flags(request.user, Resident)})


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.resident_get(user=request.user, pk=pk)
    pii, unmask_error = _pii(request, r)
    tab = "history" if request.GET.get("tab") == "history" else "info"
    return render(request, "register/resident_detail.html", {
        "r": r, "pii": pii, "unmask_error": unmask_error, "tab": tab,
        "history": history_for(r, user=request.user) if tab == "history" else [],
        "can_unmask": may_unmask(request.user, Resident),
        "can_change": Resident.objects.restrict(request.user, "change").filter(pk=r.pk).exists()})


def _resident_form_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {k: request.POST.get(k, "").strip() for k in (
        "name", "id_number", "phone", "relation", "address", "grid", "household")}
    data["tags"] = request.POST.getlist("tags")
    return data


def _resident_form(request: HttpRequest, ctx: dict[str, Any], status: int) -> HttpResponse:
    ctx.update(grids=_grid_choices(request.user, Resident, "add" if "r" not in ctx else "change"),
               tags=Tag.choices, relations=Resident.Relation.choices,
               other_errors=_split_errors(ctx["errors"], RESIDENT_FORM_FIELDS))
    return render(request, "register/resident_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"grid": request.GET.get("grid", ""), "household": request.GET.get("household", ""),
                            "tags": []}
    if request.method == "POST":
        data = _resident_form_data(request)
        try:
            r = services.resident_create(acting_user=request.user, data=data)
            messages.success(request, _("已登记居民 %(name)s") % {"name": r.name})
            return redirect("register:resident_detail", pk=r.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return _resident_form(request, {"data": data, "errors": errors}, 422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.resident_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"name": r.name, "id_number": r.id_number, "phone": r.phone, "relation": r.relation,
                            "address": r.address, "grid": r.grid_id, "household": r.household_id or "",
                            "tags": r.tags}
    version, status = r.version, 200
    if request.method == "POST":
        data = _resident_form_data(request)
        version = int(request.POST.get("version") or 0)
        try:
            services.resident_update(acting_user=request.user, resident=r, data=data, expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("register:resident_detail", pk=r.pk)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
    return _resident_form(request, {"r": r, "data": data, "errors": errors, "version": version}, status)


# Households ---------------------------------------------------------------------------------------------

HOUSEHOLD_FORM_FIELDS = {"number", "address", "grid"}


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.household_list(user=request.user, filters=request.GET, fields=rows.HOUSEHOLD_COLUMNS)
    html = rows.household_rows(request, _page(request, qs))
    return _list_response(request, "register/household_list.html", html, lambda: {
        "form": _filter_form(HouseholdFilterSet, request), "can_add": can(request.user, "add", Household),
        "spec": HOUSEHOLDS, **_transfer_flags(request.user, Household)})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, pk=pk)
    members = [(m, selectors.masked(m)) for m in selectors.household_members(user=request.user, household=h)]
    tab = "history" if request.GET.get("tab") == "history" else "info"
    return render(request, "register/household_detail.html", {
        "h": h, "members": members, "tab": tab,
        "history": history_for(h, user=request.user) if tab == "history" else [],
        "can_change": Household.objects.restrict(request.user, "change").filter(pk=h.pk).exists(),
        "can_add_resident": can(request.user, "add", Resident)})


def _household_form(request: HttpRequest, ctx: dict[str, Any], status: int) -> HttpResponse:
    ctx.update(grids=_grid_choices(request.user, Household, "add" if "h" not in ctx else "change"),
               other_errors=_split_errors(ctx["errors"], HOUSEHOLD_FORM_FIELDS))
    return render(request, "register/household_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"grid": request.GET.get("grid", "")}
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in ("number", "address", "grid")}
        try:
            h = services.household_create(acting_user=request.user, data=data)
            messages.success(request, _("已登记户 %(n)s") % {"n": h.number})
            return redirect("register:household_detail", pk=h.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return _household_form(request, {"data": data, "errors": errors}, 422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"number": h.number, "address": h.address, "grid": h.grid_id}
    version, status = h.version, 200
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in ("number", "address", "grid")}
        version = int(request.POST.get("version") or 0)
        try:
            services.household_update(acting_user=request.user, household=h, data=data, expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("register:household_detail", pk=h.pk)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
    return _household_form(request, {"h": h, "data": data, "errors": errors, "version": version}, status)


# Enterprises --------------------------------------------------------------------------------------------

ENTERPRISE_FORM_FIELDS = {"name", "credit_code", "industry", "scale", "legal_representative", "legal_rep_phone",
                          "address", "lat", "lon", "crs", "department", "is_key"}


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.enterprise_list(user=request.user, filters=request.GET, fields=rows.ENTERPRISE_COLUMNS)
    html = rows.enterprise_rows(request, _page(request, qs))
    return _list_response(request, "register/enterprise_list.html", html, lambda: {
        "form": _filter_form(EnterpriseFilterSet, request), "can_add": can(request.user, "add", Enterprise),
        "spec": ENTERPRISES, **_transfer_flags(request.user, Enterprise)})


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    e = selectors.enterprise_get(user=request.user, pk=pk)
    pii, unmask_error = _pii(request, e)
    tab = "history" if request.GET.get("tab") == "history" else "info"
    return render(request, "register/enterprise_detail.html", {
        "e": e, "pii": pii, "unmask_error": unmask_error, "tab": tab,
        "history": history_for(e, user=request.user) if tab == "history" else [],
        "can_unmask": may_unmask(request.user, Enterprise),
        "can_change": Enterprise.objects.restrict(request.user, "change").filter(pk=e.pk).exists()})


def _enterprise_form_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {k: request.POST.get(k, "").strip() for k in ENTERPRISE_FORM_FIELDS - {"is_key"}}
    data["is_key"] = bool(request.POST.get("is_key"))
    data["crs"] = data["crs"] or "wgs84"
    return data


def _enterprise_form(request: HttpRequest, ctx: dict[str, Any], status: int) -> HttpResponse:
    from gridgov.network.selectors import grid_map, town_outlines

    ctx.update(scales=Enterprise.Scale.choices, departments=[(d.pk, d.name) for d in department_choices(
        user=request.user)], crs_choices=[("wgs84", _("WGS-84（GPS、天地图）")),
                                          ("gcj02", _("GCJ-02（高德、腾讯地图）"))],
               grids=grid_map(user=request.user), outlines=town_outlines(user=request.user),
               other_errors=_split_errors(ctx["errors"], ENTERPRISE_FORM_FIELDS))
    if "location" in ctx["errors"]:  # a point outside the jurisdiction: show it next to the coordinates
        ctx["errors"] = dict(ctx["errors"], lat=ctx["errors"]["location"])
        ctx["other_errors"].pop("location", None)
    return render(request, "register/enterprise_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"crs": "wgs84", "scale": "small"}
    if request.method == "POST":
        data = _enterprise_form_data(request)
        try:
            e = services.enterprise_create(acting_user=request.user, data=data)
            messages.success(request, _("已登记企业 %(n)s") % {"n": e.name})
            return redirect("register:enterprise_detail", pk=e.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return _enterprise_form(request, {"data": data, "errors": errors}, 422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    e = selectors.enterprise_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {f: getattr(e, f) for f in ENTERPRISE_FORM_FIELDS - {"crs", "department"}}
    data.update(crs="wgs84", department=e.department_id or "")
    version, status = e.version, 200
    if request.method == "POST":
        data = _enterprise_form_data(request)
        version = int(request.POST.get("version") or 0)
        changes = dict(data)
        # Relocate only when the coordinates were changed: a department clerk may edit the profile without
        # seeing the grid tree.
        try:
            same = (data["crs"] == "wgs84" and float(data["lat"]) == e.lat and float(data["lon"]) == e.lon)
        except ValueError:
            same = False
        if same:
            for k in ("lat", "lon", "crs"):
                changes.pop(k)
        try:
            services.enterprise_update(acting_user=request.user, enterprise=e, data=changes,
                                       expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("register:enterprise_detail", pk=e.pk)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
    return _enterprise_form(request, {"e": e, "data": data, "errors": errors, "version": version}, status)


# ------------------------------------------------------------------------------ import and export pages

def _transfer_flags(user: Any, model: type) -> dict[str, bool]:
    """What the list page offers: import (where the user may add), export, export in clear."""
    return {"can_import": can(user, "add", model), "can_export": can(user, "export", model),
            "can_unmask_export": can(user, "export", model) and may_unmask(user, model)}


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload form; on success (or a rejected file) the result page with the per-row report."""
    spec = kind_of(kind)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        limit = settings.GRIDGOV_IMPORT_MAX_BYTES
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        try:
            if length > limit + 65536:  # the multipart envelope adds a little to the file itself
                raise FileTooLarge(length, limit)
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed({"file": [_("请选择要导入的 .xlsx 或 .csv 文件")]})
            result = services.register_import(acting_user=request.user, kind=kind, file=upload,
                                               partial=request.POST.get("partial") == "1")
            return redirect("register:import_result", pk=result.run.pk)  # type: ignore[union-attr]
        except (ValidationFailed, FileTooLarge) as exc:
            errors, status = exc.errors or {"file": [exc.message]}, exc.status
    return render(request, "register/import_form.html", {
        "spec": spec, "errors": errors, "columns": spec.columns,
        "max_mb": settings.GRIDGOV_IMPORT_MAX_BYTES / 1024 / 1024}, status=status)


@login_required
def import_result(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.import_run_get(user=request.user, pk=pk)
    return render(request, "register/import_result.html", {
        "run": run, "summary": import_summary(run, max_rows=500), "spec": kind_of(run.kind)})


@login_required
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    ex = selectors.import_report(user=request.user, pk=pk, fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    ex = selectors.import_template(kind=kind, fmt=request.GET.get("format", "xlsx"))
    return file_response(ex.filename, ex.content_type, ex.chunks)


@login_required
def register_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The list page's rows (its filters are in the query string) as a file; masked unless asked for with
    a reason by a user allowed to see them."""
    filters = request.GET.copy()
    for key in ("format", "unmask", "reason", "page", "size"):
        filters.pop(key, None)
    ex = selectors.export_list(user=request.user, kind=kind, filters=filters,
                               fmt=request.GET.get("format", "xlsx"), unmask=request.GET.get("unmask") == "1",
                               reason=request.GET.get("reason", ""))
    return file_response(ex.filename, ex.content_type, ex.chunks)
