"""Pages of the one window: the catalogue (search, an item with what to bring, apply), the queues of the front
desk and the back office, one application with its actions and clock, the public follow page with its rating,
the indicators, the rectifications of 差评. Views parse HTTP and call one selector or service; a refusal a
POST lets escape is shown beside its field by the page middleware ({% postform %})."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core import ratelimit
from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.forms import FormInput
from gridgov.core.masking import mask_id, mask_name, mask_phone
from gridgov.core.paging import page_of
from gridgov.core.pii import log_access, may_unmask
from gridgov.core.scope import can
from gridgov.core.tabular import CONTENT_TYPES, check_format, file_response, write_rows

from . import selectors, services
from .flows import APPLICATION, SUSPEND_LABELS
from .models import Application, Catalogue, Channel, Delivery, ServiceItem

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: Any) -> Any:
    return page_of(qs, request.GET.get("page"), default=PAGE_SIZE, largest=PAGE_SIZE)


def _towns_managed(user: Any) -> list[tuple[int, str]]:
    """The towns whose catalogue `user` manages (an administrator of the town)."""
    from gridgov.network.models import Division, Level

    paths = [g.value for g in user.grants("change", "window.serviceitem") if g.kind == "division"]
    if any(g.kind == "all" for g in user.grants("change", "window.serviceitem")):
        return list(Division.objects.filter(level=Level.TOWN).values_list("pk", "name"))
    towns = [(a.division_id, a.division.name) for a in user.assignments_cached()
             if a.division_id and a.division.level == Level.TOWN and a.division.path in paths]
    return towns


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """服务事项目录: search in Chinese or by pinyin initials."""
    page = _page(request, selectors.item_list(user=request.user, filters=request.GET.dict()))
    return render(request, "window/catalogue.html", {
        "page": page, "catalogues": Catalogue.choices, "q": request.GET.get("q", ""),
        "import_towns": _towns_managed(request.user),
        "can_queue": can(request.user, "accept", Application) or can(request.user, "approve", Application)})


@login_required
def catalogue_export(request: HttpRequest) -> HttpResponse:
    fmt = check_format(request.GET.get("format") or "xlsx")
    if not can(request.user, "view", ServiceItem):
        raise NotFound()
    qs = selectors.item_list(user=request.user, filters=request.GET.dict()).prefetch_related("materials")
    header = list(services.IMPORT_COLUMNS)

    def rows() -> Any:
        for i in qs.iterator(chunk_size=500):
            yield [i.get_catalogue_display(), i.code, i.name, i.get_item_type_display(),
                   i.department.name if i.department else "", i.legal_basis, i.statutory_days, i.promised_days,
                   "是" if i.instant else "否", str(i.fee), "是" if i.online else "否", "是" if i.at_window else "否",
                   "是" if i.at_station else "否", i.get_delegated_from_display() if i.delegated_from else "",
                   i.valid_from.isoformat(), i.valid_to.isoformat() if i.valid_to else "",
                   "；".join(m.name for m in i.materials.all())]

    return file_response(f"catalogue.{fmt}", CONTENT_TYPES[fmt], write_rows(fmt, header, rows(), sheet_title="服务事项"))


@login_required
@require_POST
def catalogue_import(request: HttpRequest) -> HttpResponse:
    read = FormInput(request.POST)
    town_id = read.integer("town", required=True)
    read.check()
    from gridgov.network.models import Division

    town = Division.objects.filter(pk=town_id).first()
    if town is None:
        raise ValidationFailed({"town": [_("请选择镇街")]})
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed({"file": [_("请选择 .xlsx 文件")]})
    n = services.catalogue_import(acting_user=request.user, town=town, file=upload)
    messages.success(request, _("已导入 %(n)d 个事项") % {"n": n})
    return redirect("window:catalogue")


def _answers_of(request: HttpRequest, item: ServiceItem) -> dict[str, bool]:
    return {q.key: request.POST.get(f"q_{q.key}") in ("1", "yes", "on") for q in item.questions.all()}


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An item: its limits, fees and channels; its questions; what to bring (recomputed from the answers); the
    form to apply online (a resident or an enterprise), at the window or at a village station (staff)."""
    item = selectors.item_get(user=request.user, pk=pk)
    questions, materials = selectors.item_materials(item)
    answers = {q.key: request.GET.get(f"q_{q.key}") in ("1", "yes") for q in questions}
    needed = services.needed_materials(item, answers)
    is_public = getattr(request.user, "kind", "") in ("resident", "enterprise")
    staff_channels = []
    if can(request.user, "add", Application) and not is_public:
        staff_channels = [(c.value, c.label) for c in (Channel.WINDOW, Channel.STATION)
                          if (item.at_window if c == Channel.WINDOW else item.at_station)]
    if request.method == "POST":
        channel = Channel.ONLINE if is_public else str(request.POST.get("channel") or "")
        files = {m.pk: request.FILES[f"material_{m.pk}"] for m in materials if f"material_{m.pk}" in request.FILES}
        received = [m.pk for m in materials if request.POST.get(f"received_{m.pk}")]
        applicant = {k: str(request.POST.get(f"applicant_{k}") or "") for k in ("name", "id_number", "phone")}
        app = services.application_submit(
            acting_user=request.user, item=item, channel=channel, answers=_answers_of(request, item), files=files,
            received=received, applicant=applicant, authorisation=request.FILES.get("authorisation"))
        messages.success(request, _("已收件，申请编号 %(n)s") % {"n": app.number})
        return redirect("window:application_detail", pk=app.pk)
    return render(request, "window/item_detail.html", {
        "item": item, "questions": questions, "materials": materials, "needed": {m.pk for m in needed},
        "question_rows": [(q, answers[q.key]) for q in questions],
        "material_rows": [(m, f"material_{m.pk}") for m in materials], "is_public": is_public, "staff_channels": staff_channels,
        "offered": services.offered(item, timezone.localdate()),
        "channel_labels": dict(Channel.choices)})


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    """The queues: 待受理 / 待出件 of the front desk, 审查 and 决定 of the department, or everything in scope."""
    filters = request.GET.dict()
    page = _page(request, selectors.application_list(user=request.user, filters=filters))
    labels = {s.name: s.label for s in APPLICATION.stages}
    for a in page.object_list:
        a.stage_label = labels.get(a.stage, a.stage)
        a.name_shown = mask_name(a.applicant_name)
    queues = [("all", _("全部")), ("desk", _("待受理")), ("review", _("审查决定")), ("issue", _("待出件")),
              ("correcting", _("待补正")), ("done", _("已办结"))]
    return render(request, "window/application_list.html", {
        "page": page, "queues": queues, "queue": filters.get("queue", "all")})


def _transitions(app: Application, user: Any) -> list[Any]:
    return [t for t in APPLICATION.available(app, user) if t.name != "resubmit"]


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: its clock, materials, timeline and the actions the reader may take."""
    app = selectors.application_get(user=request.user, pk=pk)
    if request.method == "POST":
        name = str(request.POST.get("transition") or "")
        t = APPLICATION.transition(name)
        read = FormInput(request.POST)
        version = read.integer("version", required=True)
        read.check()
        data = {i.name: request.POST.get(i.name, "") for i in t.inputs}
        if name == "correct":
            data["missing"] = ",".join(request.POST.getlist("missing"))
        files = {m["id"]: request.FILES[f"material_{m['id']}"] for m in app.missing
                 if f"material_{m['id']}" in request.FILES} if name == "resubmit" else {}
        services.application_act(acting_user=request.user, application=app, transition=name,
                                 expected_version=version, note=str(request.POST.get("note") or ""), data=data,
                                 files=files)
        messages.success(request, str(t.done or _("已%(t)s") % {"t": t.label}))
        return redirect("window:application_detail", pk=app.pk)
    unmasked = may_unmask(request.user, Application) and request.GET.get("unmask") == "1"
    if unmasked:
        log_access(request.user, kind="view", model=Application, object_id=app.pk,
                   fields=["applicant_id_number", "applicant_phone"], reason=str(request.GET.get("reason") or ""))
    labels = {s.name: s.label for s in APPLICATION.stages}
    resubmit = APPLICATION.transition("resubmit")
    return render(request, "window/application_detail.html", {
        "app": app, "stage_label": labels.get(app.stage, app.stage), "clock": selectors.time_left(app),
        "events": list(app.events.select_related(None).order_by("time", "id")),
        "uploads": list(app.uploads.select_related("material")),
        "materials": list(app.item.materials.all()),
        "transitions": _transitions(app, request.user),
        "can_resubmit": resubmit.allowed(app, request.user),
        "id_shown": app.applicant_id_number if unmasked else mask_id(app.applicant_id_number),
        "phone_shown": app.applicant_phone if unmasked else mask_phone(app.applicant_phone),
        "may_unmask": may_unmask(request.user, Application), "suspend_reasons": list(SUSPEND_LABELS.items()),
        "deliveries": Delivery.choices, "decision_choices": [("grant", _("准予")), ("refuse", _("不予"))], "follow_url": request.build_absolute_uri(
            reverse("window:follow_token", args=[app.follow_token])) if app.applicant_id == request.user.pk
        or can(request.user, "accept", Application) else ""})


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    """进度查询: by number and the last 4 characters of the ID number or phone (public)."""
    if request.method == "POST":
        ratelimit.hit(request, "follow_lookup")  # number + 4 characters: guessing them is rate-limited
        read = FormInput(request.POST)
        number = read.text("number", required=True, max_length=24)
        last4 = read.text("last4", required=True, max_length=4)
        read.check()
        try:
            app = selectors.application_follow(number=number, last4=last4)
        except NotFound as exc:
            raise ValidationFailed({"last4": [str(exc)]}) from None
        return redirect("window:follow_token", token=app.follow_token)
    return render(request, "window/follow.html", {})


@require_http_methods(["GET", "POST"])
def follow_token(request: HttpRequest, token: str) -> HttpResponse:
    """The follow link: stage, clock and timeline of one application, and its rating (一事一评) once decided."""
    app = selectors.application_by_token(token)
    if request.method == "POST":
        ratelimit.hit(request, "follow_rate", token=token)
        read = FormInput(request.POST)
        score = read.integer("score", required=True, least=1, most=5)
        comment = read.text("comment", max_length=1000)
        read.check()
        assert score is not None
        services.application_rate(acting_user=request.user, application=app, score=score, comment=comment)
        messages.success(request, _("感谢您的评价"))
        return redirect("window:follow_token", token=token)
    labels = {s.name: s.label for s in APPLICATION.stages}
    rated = _has_rating(app)
    return render(request, "window/follow_token.html", {
        "app": app, "stage_label": labels.get(app.stage, app.stage), "clock": selectors.time_left(app),
        "events": [e for e in app.events.order_by("time", "id")], "rated": rated,
        "may_rate": not rated and (app.decided_at is not None or app.stage == "refused"),
        "scores": [(5, _("非常满意")), (4, _("满意")), (3, _("基本满意")), (2, _("不满意")), (1, _("非常不满意"))]})


def _has_rating(app: Application) -> bool:
    from .models import Rating

    return Rating.objects.filter(application=app).exists()


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """按时办结率, 即办率, 网办率, 好评率, 补正率, average working days and time-outs per department, item or clerk."""
    if not can(request.user, "view", Application):
        raise NotFound()
    by = request.GET.get("by") if request.GET.get("by") in selectors.GROUPS else "department"
    rows = selectors.indicators(user=request.user, by=by)
    if request.GET.get("format"):
        fmt = check_format(request.GET["format"])
        header = [str(label) for _k, label in selectors.INDICATOR_COLUMNS]
        data = [[r[k] if r[k] is not None else "" for k, _label in selectors.INDICATOR_COLUMNS] for r in rows]
        return file_response(f"window-indicators-{by}.{fmt}", CONTENT_TYPES[fmt], write_rows(fmt, header, data, sheet_title="指标"))
    return render(request, "window/indicators.html", {
        "rows": rows, "by": by, "columns": selectors.INDICATOR_COLUMNS,
        "groups": [("department", _("按部门")), ("item", _("按事项")), ("clerk", _("按窗口人员"))]})


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.rectification_list(user=request.user))
    return render(request, "window/rectification_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rect = selectors.rectification_get(user=request.user, pk=pk)
    if request.method == "POST":
        read = FormInput(request.POST)
        version = read.integer("version", required=True)
        read.check()
        services.rectification_act(acting_user=request.user, rectification=rect, expected_version=version,
                                   note=str(request.POST.get("note") or ""))
        messages.success(request, _("已完成回访整改"))
        return redirect("window:rectification_detail", pk=rect.pk)
    from .flows import RECTIFICATION

    return render(request, "window/rectification_detail.html", {
        "rect": rect, "may_act": bool(RECTIFICATION.available(rect, request.user)),
        "stage_label": RECTIFICATION.stage(rect.stage).label, "events": list(rect.events.order_by("time", "id"))})
