"""Case pages: work queues and lists (shared FilterSet), a case with its timeline and next actions, the
report forms (resident on a phone, grid worker patrol, 12345 operator), the follow link, the map, the inbox
and the flow drawings. Every page calls the same selectors and services as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gridgov.core import ratelimit
from gridgov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.core.paging import CappedPage, page_of
from gridgov.core.scope import can
from gridgov.core.tabular import file_response
from gridgov.network.models import Department
from gridgov.network.selectors import public_outlines, town_outlines

from . import engine, permissions, rows, selectors, services
from .filtersets import CaseFilterSet
from .models import Attachment, Case, Channel, Kind

PAGE_SIZE = 50


def _filtering(request: HttpRequest) -> bool:
    """Whether the person narrowed the list (a queue tab or a page number is not a filter): the filter form is
    then shown open on a phone, where it is otherwise folded so the cases come first."""
    return any(v for k, v in request.GET.items() if k not in ("queue", "page", "size"))


def _page(request: HttpRequest, qs: Any) -> CappedPage:
    return page_of(qs, request.GET.get("page"), size=request.GET.get("size"), default=PAGE_SIZE)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    try:
        qs = selectors.case_list(user=request.user, filters=request.GET, fields=rows.COLUMNS)
    except ValidationFailed:
        return _refused_filter(request)
    html = rows.case_rows(request, _page(request, qs), timezone.now())
    if request.headers.get("HX-Request"):  # the rows only: no queue counts, no filter form
        return HttpResponse(html)
    return render(request, "cases/case_list.html", {
        "rows_html": html, "filter": CaseFilterSet(request.GET, user=request.user),
        "queues": selectors.queue_counts(user=request.user), "queue": request.GET.get("queue", ""),
        "can_add": permissions.may(request.user, "add"), "filtering": _filtering(request),
        "can_export": can(request.user, "export", Case)})


@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered, as the ledger (.xlsx, or `format=csv`); a filter it cannot use is named on the
    list page (422), as there."""
    try:
        ex = selectors.case_export(user=request.user, filters=request.GET, fmt=request.GET.get("format", "xlsx"))
    except ValidationFailed as exc:
        if "format" in exc.errors:
            raise
        return _refused_filter(request)
    return file_response(ex.filename, ex.content_type, ex.chunks)


def _refused_filter(request: HttpRequest) -> HttpResponse:
    """A filter the list cannot use (a reported range ending before it starts, a grid out of scope): the list
    page with the form as typed and the reason under the input, 422. The form filters through htmx, which does
    not swap a 422 in: it is sent to load that page whole."""
    if request.headers.get("HX-Request"):
        return HttpResponse(status=422, headers={"HX-Redirect": request.get_full_path()})
    form = CaseFilterSet(request.GET, user=request.user)
    form.is_valid()
    return render(request, "cases/case_list.html", {
        "rows_html": "", "filter": form, "queues": selectors.queue_counts(user=request.user),
        "queue": request.GET.get("queue", ""), "can_add": permissions.may(request.user, "add"), "filtering": True},
        status=422)


def _departments(case: Any) -> Any:
    return Department.objects.filter(town_id=case.town_id).only("id", "name")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return _render_detail(request, case)


def _render_detail(request: HttpRequest, case: Any, errors: dict | None = None, status: int = 200,
                   kept: dict | None = None) -> HttpResponse:
    """`kept`: what was typed into the form of a transition that failed, shown again in that form."""
    from gridgov.accounts.roles import ProCategory

    unmask, reason = request.GET.get("unmask") == "1", request.GET.get("reason", "")
    errors = dict(errors or {})
    try:
        view = selectors.case_view(user=request.user, case=case, unmask=unmask, reason=reason)
    except ValidationFailed as exc:  # asked for the full number without a reason
        view, errors["unmask"] = selectors.case_view(user=request.user, case=case), exc.message
    dupes = []
    if permissions.allows(request.user, "dispatch", case) and case.status == "open" and not case.merged_into_id:
        # Only cases it may be merged into: the same kind (a complaint is not merged into a grid event).
        dupes = services.find_duplicates(category=case.category, lat=case.lat, lon=case.lon, exclude=case.pk,
                                         kind=case.kind)
    suggestion, handlers = "", []
    if any(t.name in ("dispatch", "redispatch") for t in view.actions):
        suggestion = selectors.dispatch_suggestion(case=case)
        handlers = selectors.handler_choices(case=case)
    # An error of an action the page no longer offers (someone acted first) is shown above the actions.
    offered = {t.name for t in view.actions} | {"merge", "photos"}
    kept = kept or {}
    forms = [{"t": t, "note": kept.get("note", "") if t.name == kept.get("name") else "",
              "inputs": [(i, (kept.get("values") or {}).get(i.name, "") if t.name == kept.get("name") else "")
                         for i in t.inputs]} for t in view.actions]
    return render(request, "cases/case_detail.html", {
        "c": case, "v": view, "forms": forms, "now": timezone.now(), "errors": errors, "departments": _departments(case),
        "pro_categories": ProCategory.choices, "dupes": dupes, "suggestion": suggestion, "handlers": handlers,
        "stray_errors": [msg for name, msg in errors.items() if name not in offered],
        "can_photo": request.user.kind == "staff" or case.reporter_id == request.user.pk,
        "rating_words": RATING_WORDS,
    }, status=status)


# 好差评's five levels (RULES.md §3): the complainant's follow link and the desk recording a rating given by
# phone read the same words.
RATING_WORDS = (("5", gettext_lazy("非常满意")), ("4", gettext_lazy("满意")), ("3", gettext_lazy("基本满意")),
                ("2", gettext_lazy("不满意")), ("1", gettext_lazy("非常不满意")))


@login_required
def case_fire(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """POST fires the transition; GET shows the case with that action's form."""
    case = selectors.case_get(user=request.user, pk=pk)
    t = engine.flow_for(case.kind).transition(name)
    if request.method != "POST":
        return _render_detail(request, case)
    data = {i.name: request.POST.get(i.name, "") for i in t.inputs if request.POST.get(i.name, "") != ""}
    # A refused form comes back with what the person typed (photos must be chosen again: browsers forbid it).
    kept = {"name": name, "note": request.POST.get("note", ""), "values": data}
    queue = engine.flow_for(case.kind).stage(case.stage).queue  # the queue the person acted from
    version = request.POST.get("version", "")
    try:
        case = engine.fire(case=case, transition=name, acting_user=request.user,
                           expected_version=int(version) if version.isdigit() else None,
                           note=request.POST.get("note", ""), data=data, photos=request.FILES.getlist("photos"))
    except ValidationFailed as exc:
        labels = {i.name: i.label for i in t.inputs} | {"note": _("说明"), "photos": _("照片")}
        return _render_detail(request, selectors.case_get(user=request.user, pk=pk),
                              {name: "；".join(exc.lines(labels))}, 422, kept)
    except Conflict as exc:
        # The page comes back with the case as it now stands: say so, rather than "refresh and retry".
        label = exc.extra.get("current_stage_label")
        message = (_("案卷已被他人处理（当前环节：%(s)s），本页已更新为最新状态，请确认后再操作") % {"s": label}
                   if label else exc.message)
        return _render_detail(request, selectors.case_get(user=request.user, pk=pk), {name: message}, 409, kept)
    if not permissions.allows(request.user, "view", case):
        # 退回 takes the case out of the department's hands: say it was done instead of showing a 404.
        messages.success(request, _("已%(t)s：%(n)s，该案卷已不在您的办理范围内") % {"t": t.label, "n": case.number})
        return redirect(f"{reverse('cases:case_list')}?queue={queue}" if queue else reverse("cases:case_list"))
    # Said above the page: some steps (申请延期, 批准延期, 缓办) leave the stage as it was.
    messages.success(request, _("%(d)s：%(n)s") % {"d": t.done, "n": case.number} if t.done
                     else _("已%(t)s：%(n)s") % {"t": t.label, "n": case.number})
    return redirect("cases:case_detail", pk=pk)


@login_required
def case_merge(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _render_detail(request, case)
    into_id = request.POST.get("into", "")
    into = selectors.case_get(user=request.user, pk=into_id if into_id.isdigit() else 0, action="dispatch")
    try:
        services.case_merge(case=case, into=into, acting_user=request.user, note=request.POST.get("note", ""),
                            expected_version=int(request.POST.get("version") or 0) or None)
    except ValidationFailed as exc:
        return _render_detail(request, case, {"merge": exc.lines({"into": _("并入案卷"), "note": _("说明")})[0]},
                              exc.status)
    except Conflict as exc:
        return _render_detail(request, case, {"merge": exc.message}, exc.status)
    messages.success(request, _("已将 %(n)s 并入本案卷") % {"n": case.number})
    return redirect("cases:case_detail", pk=into.pk)


@login_required
def case_photos(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _render_detail(request, case)
    try:
        services.case_add_photos(case=case, acting_user=request.user, photos=request.FILES.getlist("photos"),
                                 note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        return _render_detail(request, case, {"photos": exc.message}, 422)
    messages.success(request, _("已上传照片"))
    return redirect("cases:case_detail", pk=pk)


def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo, only to someone who may see its case (or holds the case's follow token)."""
    a = Attachment.objects.select_related("case", "case__grid").filter(pk=pk).first()
    if a is None:
        raise NotFound()
    token = request.GET.get("t", "")
    if not ((token and token == a.case.follow_token) or permissions.allows(request.user, "view", a.case)):
        raise NotFound()
    response = FileResponse(a.file.open("rb"), content_type=a.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _report_defaults(user: Any) -> dict[str, Any]:
    """What a new report form starts with: a 12345 complaint taken by phone for the front desk (综合受理窗口),
    who takes calls and patrols no grid; a grid event found on patrol for everyone else."""
    from gridgov.accounts.roles import Role

    roles = {a.role for a in user.assignments_cached()}
    if Role.FRONT_DESK in roles and not roles & {Role.GRID_WORKER, Role.GRID_LEADER, Role.PRO_WORKER}:
        return {"kind": Kind.COMPLAINT, "channel": Channel.HOTLINE}
    return {"kind": Kind.GRID_EVENT, "channel": Channel.PATROL}


def _report_context(request: HttpRequest, data: dict, errors: dict, staff: bool) -> dict[str, Any]:
    # The form sends the category's id: the two trees reuse codes.
    return {"data": data, "errors": errors, "categories": selectors.categories(), "staff": staff,
            "channels": [c for c in Channel.choices if c[0] not in ("public", "open311")],
            "kinds": Kind.choices, "dupes": [], "center": _center(), "outlines": public_outlines(),
            "labels": report_labels()}


def _center() -> list[float]:
    from gridgov.network.models import Division, Level

    d = Division.objects.filter(level=Level.TOWN).exclude(center_lat=None).values("center_lat", "center_lon").first()
    return [d["center_lat"], d["center_lon"]] if d else [35.9, 120.0]


def report_labels() -> dict[str, str]:
    """The report form's fields as its reader knows them, to name each refused one above the form."""
    return {"kind": _("类型"), "channel": _("来源渠道"), "category": _("问题类别"), "title": _("标题"),
            "description": _("描述"), "address": _("地址"), "reporter_name": _("姓名"), "reporter_phone": _("手机号"),
            "location": _("位置"), "lat": _("纬度"), "lon": _("经度"), "crs": _("坐标系"), "photos": _("照片"),
            "follow": _("关注的案卷"), "anonymous": _("匿名")}


REPORT_FIELDS = ("kind", "category", "lat", "lon", "crs", "title", "description", "address", "reporter_name",
                 "reporter_phone", "channel", "follow")


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """上报: residents on a phone (no account needed; optionally anonymous), grid workers on patrol and
    12345 operators (staff choose the channel and kind). Duplicates are shown before a new case opens."""
    user = request.user if request.user.is_authenticated else None
    staff = bool(user and user.kind == "staff")
    data: dict[str, Any] = _report_defaults(user) if staff else {"kind": "complaint"}
    errors: dict[str, Any] = {}
    status = 200
    dupes: list[dict] = []
    if request.method == "POST":
        if not staff:  # the public way in: rate-limited by address (core/ratelimit.py)
            ratelimit.hit(request, "report")
        data = {k: request.POST.get(k, "").strip() for k in REPORT_FIELDS if request.POST.get(k, "").strip()}
        data["anonymous"] = request.POST.get("anonymous") == "on"
        data["force_new"] = request.POST.get("force_new") == "1"
        if not staff:
            data.pop("channel", None)
        try:
            intake = services.case_report(acting_user=user, data=data, photos=request.FILES.getlist("photos"),
                                          idempotency_key=request.POST.get("idem", ""))
            if staff:
                return _after_staff_report(request, intake)
            if not intake.followed:
                messages.success(request, _("已提交：%(n)s") % {"n": intake.case.number})
            return redirect("cases:follow", token=intake.follow_token)
        except services.DuplicateFound as exc:
            dupes, status = exc.extra.get("duplicates", []), 409
        except ValidationFailed as exc:  # every reason under its field, and all of them named above the form
            errors, status = exc.errors, 422
    ctx = _report_context(request, data, errors, staff)
    ctx["dupes"] = dupes
    # A refused or held-back report cannot keep the photos chosen (browsers forbid refilling a file input): say
    # so, or 仍然上报新事件 sends the case without the evidence the worker took.
    ctx["photos_dropped"] = len(request.FILES.getlist("photos")) if request.method == "POST" else 0
    import uuid

    ctx["idem"] = uuid.uuid4().hex
    return render(request, "cases/report.html", ctx, status=status)


def _after_staff_report(request: HttpRequest, intake: services.Intake) -> HttpResponse:
    """Staff land on the case they reported or followed. A caller followed on their behalf (12345) has a
    link of their own: the operator is shown it to read out."""
    case = intake.case
    if intake.followed and intake.follow_token != case.follow_token:
        url = request.build_absolute_uri(reverse("cases:follow", args=[intake.follow_token]))
        messages.success(request, _("已为来电群众关注 %(n)s，请告知其查询链接：%(url)s") % {"n": case.number, "url": url})
    elif intake.followed:
        messages.success(request, _("已关注 %(n)s，不再重复立案") % {"n": case.number})
    elif case.channel == "hotline":  # the operator still has the caller on the line
        messages.success(request, _("已登记：%(n)s，请将案卷编号和查询链接告知来电群众") % {"n": case.number})
    else:
        messages.success(request, _("已上报：%(n)s") % {"n": case.number})
    try:
        selectors.case_get(user=request.user, pk=case.pk)
    except NotFound:  # followed a case outside the user's own scope: it is not theirs to open
        return redirect("cases:case_list")
    return redirect("cases:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """The follow link: progress for everyone who holds it; the reply, the photos and the 1–5 rating of a
    complaint only on the reporter's own link (not a follower's, nor a merged case's)."""
    followed = selectors.case_by_token(token=token)
    case, error, status = followed.case, "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "photos":  # the reporter's photos while the report awaits 立案
                if not followed.own:
                    raise NotFound()
                ratelimit.hit(request, "follow_photos", token=token)
                services.case_add_photos_by_token(token=token, acting_user=None,
                                                  photos=request.FILES.getlist("photos"),
                                                  note=request.POST.get("note", ""))
                return redirect("cases:follow", token=token)
            if not followed.own:
                raise PermissionDenied(_("只有诉求人本人可以评价"))
            ratelimit.hit(request, "follow_rate", token=token)
            services.fire_by_token(token=token, transition="rate",
                                   data={"rating": request.POST.get("rating", "")}, note=request.POST.get("note", ""))
            return redirect("cases:follow", token=token)
        except ValidationFailed as exc:  # named as the form names it (满意度), not by the API's field
            error, status = "；".join(exc.lines({"rating": _("满意度"), "note": _("意见")})), 422
        except (Conflict, NotFound, PermissionDenied) as exc:
            error = exc.message
    events = selectors.follow_events(case=case, photos=followed.own)
    return render(request, "cases/follow.html", {
        "c": case, "events": events, "error": error, "own": followed.own, "token": token,
        "next_step": selectors.follow_next_step(case=case, own=followed.own),
        "kept": {"rating": request.POST.get("rating", ""), "note": request.POST.get("note", "")} if error else {},
        "rating_words": RATING_WORDS,
        "link": _site_link(request, reverse("cases:follow", kwargs={"token": token})),
        "can_add_photos": followed.own and case.stage == engine.flow_for(case.kind).initial}, status=status)


def _site_link(request: HttpRequest, path: str) -> str:
    """`path` as a full link: on GRIDGOV_SITE_URL when set (as texts and e-mails link), else on this host."""
    from django.conf import settings

    site = getattr(settings, "GRIDGOV_SITE_URL", "").rstrip("/")
    return f"{site}{path}" if site else request.build_absolute_uri(path)


@login_required
def case_map(request: HttpRequest) -> HttpResponse:
    form = CaseFilterSet(request.GET, user=request.user)
    try:
        points, status = selectors.case_map(user=request.user, filters=request.GET), 200
    except ValidationFailed:  # the form shows the reason under the input, as the list does
        form.is_valid()
        points, status = [], 422
    return render(request, "cases/map.html", {"points": points, "count": len(points), "filter": form,
                                              "outlines": town_outlines(user=request.user),
                                              "filtering": _filtering(request)}, status=status)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.notification_read(acting_user=request.user)
        return redirect("cases:inbox")
    rows = selectors.inbox(user=request.user, limit=100)
    return render(request, "cases/inbox.html", {"rows": rows})


@login_required
def flow_detail(request: HttpRequest, kind: str) -> HttpResponse:
    flow = engine.flow_for(kind)
    # Stages and permissions by the names staff know them (待立案, 指挥中心), not the flow's codes.
    rows = [{"t": t, "sources": "、".join(str(flow.stage(s).label) for s in t.sources),
             "target": str(flow.stage(t.target).label) if t.target else "", "who": engine.role_of(t)}
            for t in flow.transitions]
    return render(request, "cases/flow.html", {"flow": flow, "rows": rows, "mermaid": flow.graph(),
                                               "dot": flow.graph("dot")})
