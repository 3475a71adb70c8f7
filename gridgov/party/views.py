"""Party pages: the same selectors and services as the API; a member's phone view under /party/my/."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.history import history_for
from gridgov.core.paging import CappedPage, page_of
from gridgov.core.scope import get_scoped

from . import selectors, services
from .access import party_can
from .models import (
    Attendance,
    Cadre,
    Course,
    Meeting,
    MeetingKind,
    Member,
    MemberStatus,
    OrgKind,
    PartyOrganisation,
    PointClaim,
)

PAGE_SIZE = 50


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
                services.transfer_request(acting_user=request.user, member=m, to_org=request.POST["to_org"] or 0,
                                          reason=request.POST.get("reason", ""))
            else:
                raise ValidationFailed({"__all__": ["未知操作"]})
            return redirect("party:member_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
    pii = selectors.pii_view(m, user=request.user, unmask=request.GET.get("unmask") == "1",
                             reason=request.GET.get("reason", ""))
    year = timezone.localdate().year
    return render(request, "party/member_detail.html", {
        "m": m, "pii": pii, "errors": errors, "score": selectors.member_year(member=m, year=year),
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
    try:
        starts = dt.datetime.fromisoformat(request.POST.get("starts_at", ""))
        hours = float(request.POST.get("hours") or 2)
    except ValueError:
        return render(request, "party/error.html", {"errors": {"starts_at": ["时间格式错误"]}}, status=422)
    starts = timezone.make_aware(starts) if timezone.is_naive(starts) else starts
    try:
        m = services.meeting_schedule(acting_user=request.user, org=request.POST.get("org") or 0,
                                      kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                                      starts_at=starts, ends_at=starts + dt.timedelta(hours=hours),
                                      place=request.POST.get("place", ""))
    except ValidationFailed as exc:
        return render(request, "party/error.html", {"errors": exc.errors}, status=422)
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
            if action == "mark":
                member = selectors.member_get(user=request.user, pk=request.POST.get("member") or 0)
                services.meeting_mark(acting_user=request.user, meeting=m, member=member,
                                      status=request.POST.get("status", ""))
            elif action == "close":
                services.meeting_close(acting_user=request.user, meeting=m, minutes=request.POST.get("minutes", ""))
            elif action == "vote":
                services.vote_record(acting_user=request.user, meeting=m, subject=request.POST.get("subject", ""),
                                     yes=int(request.POST.get("yes") or 0), no=int(request.POST.get("no") or 0),
                                     abstain=int(request.POST.get("abstain") or 0))
            elif action == "photo" and request.FILES.get("image"):
                services.meeting_add_photo(acting_user=request.user, meeting=m, image=request.FILES["image"],
                                           caption=request.POST.get("caption", ""))
            else:
                raise ValidationFailed({"action": ["未知操作"]})
            return redirect("party:meeting_detail", pk=pk)
        except ValidationFailed as exc:
            errors = exc.errors
        except ValueError:
            errors = {"yes": ["应为整数"]}
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
    if request.method == "GET":
        return render(request, "party/claim_decide.html", {"c": c})
    try:
        services.claim_decide(acting_user=request.user, claim=c, approve=request.POST.get("approve") == "1",
                              note=request.POST.get("note", ""))
    except ValidationFailed as exc:
        return render(request, "party/error.html", {"errors": exc.errors}, status=422)
    return redirect("party:claim_list")


@login_required
def cadre_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.cadre_list(user=request.user, filters=request.GET))
    deployments = selectors.deployment_list(user=request.user, filters=request.GET)[:100]
    return render(request, "party/cadre_list.html", {"page": page, "deployments": deployments})


@login_required
def cadre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_scoped(Cadre.objects.select_related("department", "town"), request.user, "view", pk=pk)
    return render(request, "party/cadre_detail.html", {
        "c": c, "records": c.records.all(), "deployments": c.deployments.prefetch_related("targets")})


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.course_list(user=request.user, filters=request.GET))
    return render(request, "party/course_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    c = get_scoped(Course.objects, request.user, "view", pk=pk)
    errors: dict[str, list[str]] = {}
    done = None
    if request.method == "POST":
        try:
            answers = [int(request.POST.get(f"q{q.pk}", -1)) for q in c.questions.order_by("id")]
            done = services.study_complete(acting_user=request.user, course=c, answers=answers)
        except ValidationFailed as exc:
            errors = exc.errors
    return render(request, "party/course_detail.html", {
        "c": c, "questions": c.questions.order_by("id"), "errors": errors, "done": done},
        status=422 if errors else 200)


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
        "meetings": [(x, att.get(x.pk)) for x in meetings],
        "entries": m.point_entries.order_by("-id")[:30], "study": selectors.my_study(member=m)[:30],
        "claims": m.claims.order_by("-id")[:10], "courses": selectors.course_list(user=request.user)[:10]})


@login_required
@require_http_methods(["GET", "POST"])
def my_claim(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            on = dt.date.fromisoformat(request.POST.get("occurred_on", ""))
        except ValueError:
            errors = {"occurred_on": ["应为日期 YYYY-MM-DD"]}
        else:
            try:
                services.claim_submit(acting_user=request.user, rule_code=request.POST.get("rule_code", ""),
                                      occurred_on=on, description=request.POST.get("description", ""))
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
        try:
            services.member_self_register(acting_user=request.user, org=request.POST.get("org") or 0,
                                          name=request.POST.get("name", ""), phone=request.POST.get("phone", ""))
            return redirect("party:register")
        except ValidationFailed as exc:
            errors = exc.errors
    town = getattr(request.user, "town_id", None)
    branches = PartyOrganisation.objects.filter(kind__in=(OrgKind.BRANCH, OrgKind.GENERAL_BRANCH))
    branches = branches.filter(town_id=town) if town else branches.none()
    return render(request, "party/register.html", {
        "existing": existing, "errors": errors, "branches": branches.only("id", "name").order_by("path")[:500]},
        status=422 if errors else 200)
