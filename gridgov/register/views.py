"""Register pages: lists with the shared FilterSets, details with history, create and edit forms."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridgov.core.errors import Conflict, ValidationFailed
from gridgov.core.history import history_for
from gridgov.core.pii import may_unmask
from gridgov.core.scope import can
from gridgov.core.tabular import FileTooLarge, file_response
from gridgov.network.models import Division, Level

from . import selectors, services
from .columns import ENTERPRISES, HOUSEHOLDS, RESIDENTS, import_summary, kind_of
from .filtersets import EnterpriseFilterSet, HouseholdFilterSet, ResidentFilterSet
from .models import Enterprise, Household, Resident, Tag

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any) -> Any:
    size = min(max(int(request.GET.get("size", PAGE_SIZE) or PAGE_SIZE), 1), 200) if str(
        request.GET.get("size", "")).isdigit() or not request.GET.get("size") else PAGE_SIZE
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _grids(user: Any) -> Any:
    return Division.objects.restrict(user, "add").filter(level=Level.BASE_GRID).only("id", "name", "code")


@login_required
def resident_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.resident_list(user=request.user, filters=request.GET)
    page = _page(request, qs)
    rows = [(r, selectors.masked(r)) for r in page.object_list]
    ctx = {"page": page, "rows": rows, "filter": ResidentFilterSet(request.GET, user=request.user), "tags": dict(Tag.choices),
           "can_add": can(request.user, "add", Resident), "spec": RESIDENTS,
           **_transfer_flags(request.user, Resident)}
    template = "register/_resident_rows.html" if request.headers.get("HX-Request") else "register/resident_list.html"
    return render(request, template, ctx)


@login_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.resident_get(user=request.user, pk=pk)
    unmask = request.GET.get("unmask") == "1"
    pii = selectors.pii_view(r, user=request.user, unmask=unmask, reason=request.GET.get("reason", ""))
    return render(request, "register/resident_detail.html", {
        "r": r, "pii": pii, "tags": dict(Tag.choices), "history": history_for(r, user=request.user),
        "can_unmask": may_unmask(request.user, Resident), "can_change": can(request.user, "change", Resident),
        "members": selectors.household_members(user=request.user, household=r.household) if r.household else []})


def _resident_form_data(request: HttpRequest) -> dict[str, Any]:
    data = {k: request.POST.get(k, "") for k in ("name", "id_number", "phone", "relation", "address", "grid",
                                                  "household")}
    data["tags"] = request.POST.getlist("tags")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _resident_form_data(request)
        try:
            r = services.resident_create(acting_user=request.user, data=data)
            return redirect("register:resident_detail", pk=r.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "register/resident_form.html", {
        "data": data, "errors": errors, "grids": _grids(request.user), "tags": Tag.choices,
        "relations": Resident.Relation.choices}, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.resident_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"name": r.name, "id_number": r.id_number, "phone": r.phone, "relation": r.relation,
                            "address": r.address, "grid": r.grid_id, "household": r.household_id or "",
                            "tags": r.tags}
    status = 200
    if request.method == "POST":
        data = _resident_form_data(request)
        try:
            services.resident_update(acting_user=request.user, resident=r, data=data,
                                     expected_version=int(request.POST.get("version") or 0))
            return redirect("register:resident_detail", pk=r.pk)
        except ValidationFailed as exc:
            errors, status = exc.errors, 422
        except Conflict as exc:
            errors, status = {"__all__": [exc.message]}, 409
    return render(request, "register/resident_form.html", {
        "r": r, "data": data, "errors": errors, "grids": _grids(request.user), "tags": Tag.choices,
        "relations": Resident.Relation.choices}, status=status)


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.household_list(user=request.user, filters=request.GET)
    return render(request, "register/household_list.html", {
        "page": _page(request, qs), "filter": HouseholdFilterSet(request.GET, user=request.user),
        "can_add": can(request.user, "add", Household), "spec": HOUSEHOLDS,
        **_transfer_flags(request.user, Household)})


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    h = selectors.household_get(user=request.user, pk=pk)
    members = [(m, selectors.masked(m)) for m in selectors.household_members(user=request.user, household=h)]
    return render(request, "register/household_detail.html", {
        "h": h, "members": members, "history": history_for(h, user=request.user)})


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.enterprise_list(user=request.user, filters=request.GET)
    page = _page(request, qs)
    return render(request, "register/enterprise_list.html", {
        "page": page, "rows": [(e, selectors.masked(e)) for e in page.object_list],
        "filter": EnterpriseFilterSet(request.GET, user=request.user), "can_add": can(request.user, "add", Enterprise),
        "spec": ENTERPRISES, **_transfer_flags(request.user, Enterprise)})


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    e = selectors.enterprise_get(user=request.user, pk=pk)
    pii = selectors.pii_view(e, user=request.user, unmask=request.GET.get("unmask") == "1",
                             reason=request.GET.get("reason", ""))
    return render(request, "register/enterprise_detail.html", {
        "e": e, "pii": pii, "history": history_for(e, user=request.user),
        "can_unmask": may_unmask(request.user, Enterprise)})


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
