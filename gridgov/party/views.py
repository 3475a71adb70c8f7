"""Party pages: the same selectors and services as the API; a member's phone view under /party/my/."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core.errors import Conflict, NotFound, ValidationFailed
from gridgov.core.forms import FormInput
from gridgov.core.history import history_for
from gridgov.core.paging import CappedPage, page_of
from gridgov.core.scope import get_scoped
from gridgov.core.validators import (
    ACTIVITY_DATES,
    ARCHIVE_DATES,
    DEPLOYMENT_DATES,
    MEETING_DATES,
    MEETING_HOURS,
)

from . import selectors, services
from .access import party_can
from .models import (
    Attendance,
    Cadre,
    CadreRecord,
    Course,
    Deployment,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    Objection,
    OrgKind,
    PartyOrganisation,
    PointClaim,
    RedFlagRating,
)

PAGE_SIZE = 50
# The reason written into the access log when an officer unmasks a member's phone and ID number: data for
# the auditors, in zh-Hans whatever the page's language (not translated).
UNMASK_REASON = "核对党员信息"


def _page(request: HttpRequest, qs: Any) -> CappedPage:
    return page_of(qs, request.GET.get("page"), default=PAGE_SIZE, largest=PAGE_SIZE)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not party_can(request.user, "view", PartyOrganisation):
        return redirect("party:my")
    year = _year(request)
    board = selectors.compliance_board(user=request.user, year=year)
    colours = {c: sum(1 for b in board if b.colour == c) for c in ("green", "amber", "red")}
    return render(request, "party/home.html", {"year": year, "colours": colours, "n_branches": len(board),
                                               "towns": selectors.town_ranking(user=request.user, year=year)})


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.org_list(user=request.user, filters=request.GET)
    page = _page(request, qs)
    rows = [(o, selectors.org_problems(o)) for o in page.object_list]
    return render(request, "party/org_list.html", {"page": page, "rows": rows, "kinds": OrgKind.choices})


@login_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_scoped(selectors.org_list(user=request.user), request.user, "view", pk=pk)
    children = selectors.org_list(user=request.user, filters={"parent": org.pk})
    return render(request, "party/org_detail.html", {
        "org": org, "problems": selectors.org_problems(org), "children": children,
        "officers": org.officers.select_related("user"), "history": history_for(org, user=request.user)})


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.member_list(user=request.user, filters=request.GET))
    rows = [(m, selectors.masked(m)) for m in page.object_list]
    return render(request, "party/member_list.html", {"page": page, "rows": rows, "statuses": MemberStatus.choices,
                                                      "pending": request.GET.get("registration") == "pending"})


@login_required
@require_http_methods(["GET", "POST"])
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.member_get(user=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if "approve" in request.POST:
                services.member_registration_decide(acting_user=request.user, member=m,
                                                    approve=request.POST["approve"] == "1")
            elif "to_org" in request.POST:
                read = FormInput(request.POST)
                to_org, reason = read.integer("to_org", required=True, least=1), read.text("reason", max_length=200)
                read.check()
                services.transfer_request(acting_user=request.user, member=m, to_org=to_org, reason=reason)
            else:
                raise ValidationFailed({"__all__": [_("未知操作")]})
            return redirect("party:member_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
    pii = selectors.pii_view(m, user=request.user, unmask=request.GET.get("unmask") == "1",
                             reason=request.GET.get("reason", ""))
    year = timezone.localdate().year
    return render(request, "party/member_detail.html", {
        "m": m, "pii": pii, "errors": errors, "score": selectors.member_year(member=m, year=year),
        "unmask_reason": UNMASK_REASON,
        "transfers": selectors.transfer_list(user=request.user, filters={"member": m.pk}),
        "entries": selectors.ledger(user=request.user, filters={"member": m.pk, "year": year})[:50],
        "can_change": Member.objects.restrict(request.user, "change").filter(pk=m.pk).exists(),
        "history": history_for(m, user=request.user)}, status=422 if errors else 200)


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.meeting_list(user=request.user, filters=request.GET))
    orgs = PartyOrganisation.objects.restrict(request.user, "change").filter(
        kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.GROUP)).only("id", "name")[:200]
    return render(request, "party/meeting_list.html", {"page": page, "kinds": MeetingKind.choices, "orgs": orgs})


@login_required
@require_POST
def meeting_create(request: HttpRequest) -> HttpResponse:
    """安排组织生活, sent from the form on the meeting list. A refusal lets its ValidationFailed escape: the page
    middleware shows the list again with every error under its field and everything typed kept."""
    form = FormInput(request.POST)
    org = form.integer("org", required=True)
    kind = form.text("kind", required=True)
    title = form.text("title", required=True, max_length=200)
    starts = form.datetime("starts_at", window=MEETING_DATES)
    hours = form.number("hours", default=2, least=MEETING_HOURS.least, most=MEETING_HOURS.most)
    place = form.text("place", max_length=200)
    form.check()
    assert starts is not None and hours is not None  # check() refused them otherwise
    m = services.meeting_schedule(acting_user=request.user, org=org, kind=kind, title=title, starts_at=starts,
                                  ends_at=starts + dt.timedelta(hours=hours), place=place)
    return redirect("party:meeting_detail", pk=m.pk)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    m = selectors.meeting_get(user=request.user, pk=pk)
    can_change = Meeting.objects.restrict(request.user, "change").filter(pk=m.pk).exists()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            if not can_change:
                raise NotFound()
            action = request.POST.get("action")
            read = FormInput(request.POST)
            if action == "mark":
                member_id, status = read.integer("member", required=True), read.text("status", required=True)
                read.check()
                member = services.expected_members(m).filter(pk=member_id).first()
                if member is None:
                    raise ValidationFailed({"member": [_("该党员不在本次会议的应到名单中")]})
                services.meeting_mark(acting_user=request.user, meeting=m, member=member, status=status)
            elif action == "close":
                services.meeting_close(acting_user=request.user, meeting=m, minutes=request.POST.get("minutes", ""))
            elif action == "vote":
                subject = read.text("subject", required=True, max_length=200)
                yes, no, abstain = (read.integer(k, default=0, least=0, most=10_000) for k in ("yes", "no", "abstain"))
                read.check()
                services.vote_record(acting_user=request.user, meeting=m, subject=subject, yes=yes or 0, no=no or 0,
                                     abstain=abstain or 0)
            elif action == "photo":
                if not request.FILES.get("image"):
                    raise ValidationFailed({"image": [_("请选择照片")]})
                services.meeting_add_photo(acting_user=request.user, meeting=m, image=request.FILES["image"],
                                           caption=read.text("caption", max_length=100))
            else:
                raise ValidationFailed({"action": [_("未知操作")]})
            return redirect("party:meeting_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
    attendance = selectors.meeting_attendance(user=request.user, meeting=m)
    expected = services.expected_members(m).order_by("name") if can_change else Member.objects.none()
    return render(request, "party/meeting_detail.html", {
        "m": m, "attendance": attendance, "expected": expected, "can_change": can_change, "errors": errors,
        "statuses": Attendance.Status.choices, "votes": m.votes.all(), "photos": m.photos.all(),
        "checkin_url": request.build_absolute_uri(reverse("party:checkin", args=[m.checkin_token])),
    }, status=422 if errors else 200)


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR shown at the meeting (SVG): the check-in link, usable only in the meeting's time window."""
    import qrcode
    import qrcode.image.svg

    m = get_scoped(Meeting.objects, request.user, "change", pk=pk)
    url = request.build_absolute_uri(reverse("party:checkin", args=[m.checkin_token]))
    buf = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(buf)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    m = Meeting.objects.restrict(request.user, "view").filter(checkin_token=token).select_related("org").first()
    if m is None:
        raise NotFound()
    done, errors = None, {}
    if request.method == "POST":
        try:
            done = services.meeting_check_in(acting_user=request.user, meeting=m)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/checkin.html", {"m": m, "done": done, "errors": errors},
                  status=422 if errors else 200)


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    org = request.GET.get("org")
    board = selectors.compliance_board(user=request.user, year=year, org=int(org) if (org or "").isdigit() else None)
    return render(request, "party/compliance.html", {"board": board, "year": year,
                                                     "drill": bool(org)})


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    org = request.GET.get("org")
    members = selectors.member_ranking(user=request.user, year=year,
                                       org=int(org) if (org or "").isdigit() else None)[:100]
    rows = [(r, services.grade_of(r.score)) for r in members]
    return render(request, "party/ranking.html", {
        "year": year, "rows": rows, "branches": selectors.branch_ranking(user=request.user, year=year)[:50],
        "towns": selectors.town_ranking(user=request.user, year=year)})


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.claim_list(user=request.user, filters=request.GET))
    return render(request, "party/claim_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def claim_decide(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_scoped(PointClaim.objects.select_related("member"), request.user,
                   "view" if request.method == "GET" else "approve", pk=pk)
    can_decide = PointClaim.objects.restrict(request.user, "approve").filter(pk=c.pk).exists()
    if request.method == "GET":
        return render(request, "party/claim_decide.html", {"c": c, "can_decide": can_decide})
    read = FormInput(request.POST)
    note = read.text("note", max_length=200)
    try:
        read.check()
        services.claim_decide(acting_user=request.user, claim=c, approve=request.POST.get("approve") == "1", note=note)
    except ValidationFailed as exc:
        return render(request, "party/claim_decide.html", {"c": c, "can_decide": can_decide, "errors": exc.errors},
                      status=422)
    return redirect("party:claim_list")


@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.cadre_list(user=request.user, filters=request.GET))
    deployments = selectors.deployment_list(user=request.user, filters=request.GET)[:100]
    return render(request, "party/cadre_list.html", {"page": page, "deployments": deployments,
                                                      "can_create": bool(_towns_to_add(request.user, Cadre))})


def _towns_to_add(user: Any, model: type) -> list[tuple[int, str]]:
    """Towns where the user may add `model` rows (their grants over the town: the party office, the
    administrator)."""
    from gridgov.core.scope import resource_of
    from gridgov.network.models import Division, Level

    grants = user.grants("add", resource_of(model))
    if not grants:
        return []
    return [(t.pk, t.name) for t in Division.objects.filter(level=Level.TOWN).only("id", "name", "path")
            .order_by("path")
            if any(g.kind == "all" or (g.kind == "division" and t.path.startswith(g.value)) for g in grants)]


def _cadre_places(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The towns of `_towns_to_add` for cadres, and their departments labelled with the town."""
    from gridgov.network.models import Department

    towns = _towns_to_add(user, Cadre)
    names = dict(towns)
    departments = (Department.objects.filter(town_id__in=names).order_by("town_id", "code")
                   .values_list("id", "name", "town_id"))
    return towns, [(pk, f"{names[town]} · {name}") for pk, name, town in departments]


@login_required
@require_http_methods(["GET", "POST"])
def cadre_create(request: HttpRequest) -> HttpResponse:
    """The town party office opens a cadre's 表现情况档案 (name, post, town, department)."""
    towns, departments = _cadre_places(request.user)
    if not towns:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"town": towns[0][0], "name": "", "title": "", "department": ""}
    if request.method == "POST":
        data = {k: request.POST.get(k, "").strip() for k in ("town", "name", "title", "department")}
        try:
            from gridgov.network.models import Department, Division

            town = Division.objects.filter(pk=_int_field(request.POST, "town"), pk__in=[t[0] for t in towns]).first()
            if town is None:
                raise ValidationFailed({"town": [_("请选择镇街")]})
            department = None
            if data["department"]:
                department = Department.objects.filter(pk=_int_field(request.POST, "department"),
                                                       pk__in=[pk for pk, _label in departments]).first()
                if department is None:
                    raise ValidationFailed({"department": [_("请选择部门")]})
            cadre = services.cadre_create(acting_user=request.user, name=data["name"], title=data["title"],
                                          town=town, department=department)
            messages.success(request, _("已建立干部档案"))
            return redirect("party:cadre_detail", pk=cadre.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/cadre_form.html", {
        "data": data, "errors": errors, "towns": towns, "departments": [("", "—"), *departments],
        "other_errors": {k: v for k, v in errors.items() if k not in {"town", "name", "title", "department"}},
    }, status=_form_status(errors))


# ---- form parsing: a bad value is a ValidationFailed naming its field ---------------------------------------


def _int_field(data: Any, name: str, *, default: int | None = None) -> int:
    raw = (data.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed({name: [_("应为整数")]}) from None


def _version(data: Any) -> int:
    """The version the form was loaded with; an unreadable one can only conflict."""
    raw = (data.get("version") or "").strip()
    return int(raw) if raw.isdigit() else 0


def _targets(data: Any, read: FormInput | None = None) -> list[tuple[str, int]]:
    """Target lines of a deployment form: `名称 目标值` per line (e.g. `信访隐患化解 5`). A line not so written is
    noted on `read` (or refused at once without one)."""
    out = []
    for line in (data.get("targets") or "").splitlines():
        line = line.strip()
        if not line:
            continue
        name, _sep, goal = line.rpartition(" ")
        if not name or not goal.strip().isdigit():
            message = _("每行一个目标：名称 空格 目标值，如「信访隐患化解 5」")
            if read is None:
                raise ValidationFailed({"targets": [message]})
            read.refuse("targets", message)
            return out
        out.append((name.strip(), int(goal)))
    return out


def _form_status(errors: dict[str, list[str]], conflict: bool = False) -> int:
    return 409 if conflict else (422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The 干部表现情况档案 of one cadre: records, evaluations, awards, 三述 reports; deployments."""
    c = selectors.cadre_get(user=request.user, pk=pk)
    can_change = Cadre.objects.restrict(request.user, "change").filter(pk=c.pk).exists()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    form = ""
    if request.method == "POST":
        form = request.POST.get("action", "")
        data = request.POST
        try:
            if not can_change:
                raise NotFound()
            read = FormInput(request.POST)
            if form == "record":
                kind, title = read.text("kind", required=True), read.text("title", required=True, max_length=200)
                on = read.date("on", window=ARCHIVE_DATES)
                read.check()
                services.cadre_record_add(acting_user=request.user, cadre=c, kind=kind, on=on, title=title,
                                          content=request.POST.get("content", ""),
                                          grade=read.text("grade", max_length=20))
                messages.success(request, _("已记入档案"))
            elif form == "deploy":
                kind, starts_on = read.text("kind", required=True), read.date("starts_on", window=DEPLOYMENT_DATES)
                read.integer("enterprise", least=1)
                targets = _targets(request.POST, read)
                read.check()
                d = services.deployment_create(
                    acting_user=request.user, cadre=c, kind=kind, starts_on=starts_on,
                    division=request.POST.get("division") or None, enterprise=request.POST.get("enterprise") or None,
                    targets=targets)
                messages.success(request, _("已派驻"))
                return redirect("party:deployment_detail", pk=d.pk)
            else:
                raise ValidationFailed({"action": [_("未知操作")]})
            return redirect("party:cadre_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/cadre_detail.html", {
        "c": c, "records": selectors.cadre_records(user=request.user, cadre=c),
        "deployments": c.deployments.select_related("division", "enterprise").prefetch_related("targets"),
        "can_change": can_change, "errors": errors,
        # Each form shows its own input and errors back (both have a `kind`).
        "record": {"data": data if form == "record" else {}, "errors": errors if form == "record" else {}},
        "deploy": {"data": data if form == "deploy" else {}, "errors": errors if form == "deploy" else {}},
        "record_kinds": CadreRecord.Kind.choices, "deployment_kinds": Deployment.Kind.choices,
        "places": _places(c) if can_change else []}, status=_form_status(errors))


def _places(cadre: Cadre) -> list[tuple[int, str]]:
    """Grids and villages of the cadre's town (where a cadre may be deployed)."""
    from gridgov.network.models import Division, Level

    return [(d.pk, d.name) for d in Division.objects.filter(town_id=cadre.town_id, level__in=(
        Level.VILLAGE, Level.BASE_GRID)).only("id", "name").order_by("path")[:500]]


@login_required
@require_http_methods(["GET", "POST"])
def cadre_record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.cadre_record_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"kind": r.kind, "on": r.on.isoformat(), "title": r.title, "content": r.content,
                            "grade": r.grade}
    version, conflict = r.version, False
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in data}
        version = _version(request.POST)
        read = FormInput(request.POST)
        changes = {"kind": read.text("kind", required=True), "on": read.date("on", window=ARCHIVE_DATES),
                   "title": read.text("title", required=True, max_length=200), "content": data["content"],
                   "grade": read.text("grade", max_length=20)}
        try:
            read.check()
            services.cadre_record_update(acting_user=request.user, record=r, data=changes, expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("party:cadre_detail", pk=r.cadre_id)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    return render(request, "party/cadre_record_form.html", {
        "r": r, "data": data, "errors": errors, "version": version, "kinds": CadreRecord.Kind.choices,
        "other_errors": {k: v for k, v in errors.items() if k not in data}}, status=_form_status(errors, conflict))


@login_required
@require_http_methods(["GET", "POST"])
def deployment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A deployment with its targets: the progress of each target is updated here."""
    d = selectors.deployment_get(user=request.user, pk=pk)
    can_change = Deployment.objects.restrict(request.user, "change").filter(pk=d.pk).exists()
    errors: dict[str, list[str]] = {}
    conflict = False
    if request.method == "POST":
        try:
            if not can_change:
                raise NotFound()
            action = request.POST.get("action")
            if action == "progress":
                target = next((t for t in d.targets.all() if str(t.pk) == request.POST.get("target")), None)
                if target is None:
                    raise ValidationFailed({"target": [_("目标不存在")]})
                read = FormInput(request.POST)
                done = read.integer("done", required=True, least=0, most=1_000_000)
                read.check()
                services.target_progress(acting_user=request.user, target=target, done=done,
                                         expected_version=_version(request.POST))
            elif action == "target":
                read = FormInput(request.POST)
                name = read.text("name", required=True, max_length=100)
                goal = read.integer("goal", required=True, least=1, most=1_000_000)
                read.check()
                services.target_add(acting_user=request.user, deployment=d, name=name, goal=goal)
            elif action == "dates":
                read = FormInput(request.POST)
                dates = {"starts_on": read.date("starts_on", window=DEPLOYMENT_DATES),
                         "ends_on": read.date("ends_on", window=DEPLOYMENT_DATES, required=False)}
                read.check()
                services.deployment_update(acting_user=request.user, deployment=d, data=dates,
                                           expected_version=_version(request.POST))
            else:
                raise ValidationFailed({"action": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect("party:deployment_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    return render(request, "party/deployment_detail.html", {
        "d": d, "targets": d.targets.all(), "can_change": can_change, "errors": errors},
        status=_form_status(errors, conflict))


@login_required
@require_http_methods(["GET", "POST"])
def rating_list(request: HttpRequest) -> HttpResponse:
    """红旗党组织 ratings; who may approve for an organisation rates it here (re-rating a year changes it)."""
    errors: dict[str, list[str]] = {}
    conflict = False
    if request.method == "POST":
        read = FormInput(request.POST)
        org, year = read.integer("org", required=True), read.integer("year", required=True)
        level, note = read.text("level", required=True), read.text("note", max_length=200)
        try:
            read.check()
            services.rating_set(acting_user=request.user, org=org, year=year, level=level, note=note)
            messages.success(request, _("已评定"))
            return redirect("party:rating_list")
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    page = _page(request, selectors.rating_list(user=request.user, filters=request.GET))
    orgs = PartyOrganisation.objects.restrict(request.user, "approve").filter(
        kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE)).only("id", "name").order_by(
        "path")[:500]
    ids = [r.pk for r in page.object_list]
    return render(request, "party/rating_list.html", {
        "page": page, "orgs": orgs, "org_choices": [(o.pk, o.name) for o in orgs],
        "levels": RedFlagRating.Level.choices, "errors": errors,
        "data": request.POST if request.method == "POST" else {"year": timezone.localdate().year - 1},
        "changeable": set(RedFlagRating.objects.restrict(request.user, "change").filter(
            pk__in=ids, org__in=PartyOrganisation.objects.restrict(request.user, "approve"))
                          .values_list("pk", flat=True))}, status=_form_status(errors, conflict))


@login_required
@require_http_methods(["GET", "POST"])
def rating_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.rating_get(user=request.user, pk=pk, action="change")
    if not PartyOrganisation.objects.restrict(request.user, "approve").filter(pk=r.org_id).exists():
        raise NotFound()  # rating is for who may approve for the organisation (rating_set): no form it cannot save
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"level": r.level, "note": r.note}
    version, conflict = r.version, False
    if request.method == "POST":
        data = {"level": request.POST.get("level", ""), "note": request.POST.get("note", "").strip()}
        version = _version(request.POST)
        try:
            services.rating_set(acting_user=request.user, org=r.org_id, year=r.year, level=data["level"],
                                note=data["note"], expected_version=version)
            messages.success(request, _("已保存"))
            return redirect("party:rating_list")
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    return render(request, "party/rating_form.html", {
        "r": r, "data": data, "errors": errors, "version": version, "levels": RedFlagRating.Level.choices,
        "other_errors": {k: v for k, v in errors.items() if k not in data}}, status=_form_status(errors, conflict))


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    filters = {**request.GET.dict(), "drafts": "1"}
    page = _page(request, selectors.course_list(user=request.user, filters=filters))
    return render(request, "party/course_list.html", {"page": page, "can_add": bool(_towns_to_add(request.user, Course))})


QUIZ_HELP = gettext_lazy("每题一段，段与段之间空一行：第一行写题目，以下每行一个选项，正确选项前加 *。")


def quiz_from_text(text: str) -> list[dict[str, Any]]:
    """The quiz as typed in the course form (see QUIZ_HELP) → the questions the services take."""
    out = []
    import re

    for n, block in enumerate((b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()), 1):
        lines = [x.strip() for x in block.strip().splitlines() if x.strip()]
        options = [x.lstrip("*＊").strip() for x in lines[1:]]
        right = [i for i, x in enumerate(lines[1:]) if x.startswith(("*", "＊"))]
        if len(right) != 1:
            raise ValidationFailed({"questions": [_("第 %(n)d 题：请在唯一的正确选项前加 *") % {"n": n}]})
        out.append({"text": lines[0], "options": options, "answer": right[0]})
    return out


def quiz_as_text(course: Course) -> str:
    return "\n\n".join("\n".join([q.text] + [("*" if i == q.answer else "") + o for i, o in enumerate(q.options)])
                       for q in course.questions.order_by("id"))


def _course_data(request: HttpRequest) -> dict[str, Any]:
    return {"title": request.POST.get("title", "").strip(), "kind": request.POST.get("kind", ""),
            "body": request.POST.get("body", ""), "video_url": request.POST.get("video_url", "").strip(),
            "published": request.POST.get("published") == "1", "questions": request.POST.get("questions", ""),
            "town": request.POST.get("town", "")}


COURSE_FORM_FIELDS = {"title", "kind", "body", "video_url", "document", "questions", "town", "published"}


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request: HttpRequest) -> HttpResponse:
    towns = _towns_to_add(request.user, Course)
    if not towns:
        raise NotFound()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"kind": Course.Kind.TEXT, "published": True, "town": towns[0][0]}
    if request.method == "POST":
        data = _course_data(request)
        try:
            from gridgov.network.models import Division

            town = Division.objects.filter(pk=_int_field(request.POST, "town"), pk__in=[t[0] for t in towns]).first()
            if town is None:
                raise ValidationFailed({"town": [_("请选择镇街")]})
            c = services.course_create(acting_user=request.user, town=town, title=data["title"], kind=data["kind"],
                                       body=data["body"], video_url=data["video_url"],
                                       document=request.FILES.get("document"), published=data["published"],
                                       questions=quiz_from_text(data["questions"]))
            messages.success(request, _("已发布课程") if c.published else _("已保存课程草稿"))
            return redirect("party:course_detail", pk=c.pk)
        except ValidationFailed as exc:
            errors = exc.errors
    return _course_form(request, {"data": data, "errors": errors, "towns": towns}, _form_status(errors))


def _course_form(request: HttpRequest, ctx: dict[str, Any], status: int) -> HttpResponse:
    ctx.update(kinds=Course.Kind.choices, quiz_help=QUIZ_HELP,
               other_errors={k: v for k, v in ctx["errors"].items() if k not in COURSE_FORM_FIELDS})
    return render(request, "party/course_form.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.course_get(user=request.user, pk=pk, action="change")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"title": c.title, "kind": c.kind, "body": c.body, "video_url": c.video_url,
                            "published": c.published, "questions": quiz_as_text(c)}
    version, conflict = c.version, False
    if request.method == "POST":
        data = _course_data(request)
        version = _version(request.POST)
        try:
            changes = {k: data[k] for k in ("title", "kind", "body", "video_url", "published")}
            if request.FILES.get("document"):
                changes["document"] = request.FILES["document"]
            services.course_update(acting_user=request.user, course=c, data=changes, expected_version=version,
                                   questions=quiz_from_text(data["questions"]))
            messages.success(request, _("已保存"))
            return redirect("party:course_detail", pk=c.pk)
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    return _course_form(request, {"c": c, "data": data, "errors": errors, "version": version},
                        _form_status(errors, conflict))


@login_required
@require_http_methods(["GET", "POST"])
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.course_get(user=request.user, pk=pk)
    errors: dict[str, list[str]] = {}
    done = None
    if request.method == "POST":
        try:
            answers = [int(request.POST.get(f"q{q.pk}", -1)) for q in c.questions.order_by("id")]
            done = services.study_complete(acting_user=request.user, course=c, answers=answers)
        except ValueError:
            errors = {"answers": [_("选项无效")]}
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/course_detail.html", {
        "c": c, "questions": c.questions.order_by("id"), "errors": errors, "done": done,
        "can_change": Course.objects.restrict(request.user, "change").filter(pk=c.pk).exists()},
        status=422 if errors else 200)


# ---- objections to published points ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def objection_list(request: HttpRequest) -> HttpResponse:
    """The secretary's view of the branch's publications and the objections raised during them; a
    publication of the year's points (7 days) is opened here too."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        read = FormInput(request.POST)
        org, year = read.integer("org", required=True), read.integer("year", required=True)
        try:
            read.check()
            services.publication_open(acting_user=request.user, org=org, year=year)
            messages.success(request, _("已公示，公示期 7 天"))
            return redirect("party:objection_list")
        except ValidationFailed as exc:
            errors = exc.errors
    page = _page(request, selectors.objection_list(user=request.user, filters=request.GET))
    orgs = PartyOrganisation.objects.restrict(request.user, "approve").filter(
        kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)).only("id", "name").order_by("path")[:500]
    return render(request, "party/objection_list.html", {
        "page": page, "states": Objection.State.choices, "orgs": orgs, "errors": errors,
        "year": timezone.localdate().year,
        "publications": selectors.publication_list(user=request.user)[:20]}, status=_form_status(errors))


@login_required
@require_http_methods(["GET", "POST"])
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    o = selectors.objection_get(user=request.user, pk=pk)
    can_answer = Objection.objects.restrict(request.user, "approve").filter(pk=o.pk).exists()
    errors: dict[str, list[str]] = {}
    data = {"response": o.response}
    version, conflict = o.version, False
    if request.method == "POST":
        if not can_answer:
            raise NotFound()
        data = {"response": request.POST.get("response", "")}
        version = _version(request.POST)
        try:
            services.objection_answer(acting_user=request.user, objection=o,
                                      accept=request.POST.get("accept") == "1", response=data["response"],
                                      expected_version=version)
            messages.success(request, _("已答复"))
            return redirect("party:objection_list")
        except ValidationFailed as exc:
            errors = exc.errors
        except Conflict as exc:
            errors, conflict = {"__all__": [exc.message]}, True
    score = selectors.member_year(member=o.member, year=o.publication.year)
    return render(request, "party/objection_answer.html", {
        "o": o, "score": score, "can_answer": can_answer, "errors": errors, "data": data, "version": version,
        "entries": selectors.ledger(user=request.user, filters={"member": o.member_id,
                                                                "year": o.publication.year})[:50],
        "other_errors": {k: v for k, v in errors.items() if k != "response"}}, status=_form_status(errors, conflict))


@login_required
def my(request: HttpRequest) -> HttpResponse:
    """A member's own phone view: my meetings, my points, my study."""
    m = selectors.my_member(request.user)
    if m is None:
        return redirect("party:register")
    year = timezone.localdate().year
    meetings = list(selectors.my_meetings(user=request.user, member=m))
    att = selectors.my_attendance(member=m, meeting_ids=[x.pk for x in meetings])
    return render(request, "party/my.html", {
        "m": m, "score": selectors.member_year(member=m, year=year),
        "meetings": [(x, Attendance.Status(att[x.pk]).label if x.pk in att else None) for x in meetings],
        "entries": m.point_entries.order_by("-id")[:30], "study": selectors.my_study(member=m)[:30],
        "claims": m.claims.order_by("-id")[:10], "courses": selectors.course_list(user=request.user)[:10],
        "publications": selectors.open_publications(member=m),
        "objections": selectors.my_objections(member=m)[:10]})


@login_required
@require_http_methods(["GET", "POST"])
def my_objection(request: HttpRequest) -> HttpResponse:
    """A member raises an objection to their branch's published points from the phone view."""
    from .models import Publication

    if request.method == "GET":
        return redirect("party:my")
    m = selectors.my_member(request.user)
    if m is None:
        return redirect("party:register")
    raw = (request.POST.get("publication") or "").strip()
    pub = Publication.objects.restrict(request.user, "view").filter(pk=int(raw)).first() if raw.isdigit() else None
    if pub is None:
        raise ValidationFailed({"publication": [_("公示不存在")]})
    # A refusal escapes to the page middleware: the phone page again, the reason under the objection's text.
    services.objection_add(acting_user=request.user, publication=pub, text=FormInput(request.POST).text("text"))
    messages.success(request, _("异议已提交，等待支部答复"))
    return redirect("party:my")


@login_required
@require_http_methods(["GET", "POST"])
def my_claim(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        read = FormInput(request.POST)
        on = read.date("occurred_on", window=ACTIVITY_DATES)
        description = read.text("description", required=True, max_length=300)
        try:
            read.check()
            services.claim_submit(acting_user=request.user, rule_code=request.POST.get("rule_code", ""),
                                  occurred_on=on, description=description)
            return redirect("party:my")
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/my_claim.html", {"errors": errors}, status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Online self-registration (支部接到网上、党员连在线上); the branch approves it."""
    errors: dict[str, list[str]] = {}
    existing = Member.objects.filter(user=request.user).select_related("org").first()
    if request.method == "POST" and existing is None:
        read = FormInput(request.POST)
        org = read.integer("org", required=True, least=1)
        name, phone = read.text("name", required=True, max_length=50), read.text("phone", required=True)
        try:
            read.check()
            services.member_self_register(acting_user=request.user, org=org, name=name, phone=phone)
            return redirect("party:register")
        except ValidationFailed as exc:
            errors = exc.errors
    town = getattr(request.user, "town_id", None)
    branches = PartyOrganisation.objects.filter(kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
    branches = branches.filter(town_id=town) if town else branches.none()
    return render(request, "party/register.html", {
        "existing": existing, "errors": errors, "branches": branches.only("id", "name").order_by("path")[:500]},
        status=422 if errors else 200)
