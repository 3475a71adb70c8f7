"""Reads of party building, each restricted to the user's scope; the pages and the API call the same ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.core.errors import ValidationFailed
from gridgov.core.masking import mask
from gridgov.core.pii import log_access
from gridgov.core.scope import get_scoped
from gridgov.core.validators import MAX_ID

from .access import party_context, party_q
from .models import (
    BRANCH_KINDS,
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
    PointEntry,
    PointYear,
    Publication,
    RedFlagRating,
    StudyRecord,
    Transfer,
)
from .services import BASE_SCORE, branch_rule_problems, grade_of


def _int(value: Any, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed({field_name: [_("应为整数")]}) from None
    if not 1 <= number <= MAX_ID:  # an id (or year) the database cannot hold is refused by name, not sent to it
        raise ValidationFailed({field_name: [_("应为 1 至 %(n)s 的整数") % {"n": MAX_ID}]})
    return number


def _year(value: Any, field_name: str = "year") -> int | None:
    """A year dates can be built from (a period's bounds, `__year` lookups); any other is refused by name."""
    year = _int(value, field_name)
    if year is not None and not dt.MINYEAR <= year < dt.MAXYEAR:
        raise ValidationFailed({field_name: [_("年份应在 %(first)s–%(last)s 之间")
                                             % {"first": dt.MINYEAR, "last": dt.MAXYEAR - 1}]})
    return year


# ---- organisations and members ----------------------------------------------------------------------------


def org_list(*, user: Any, filters: Any = None) -> QuerySet[PartyOrganisation]:
    f = filters or {}
    qs = PartyOrganisation.objects.restrict(user, "view").select_related("town", "division", "parent")
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("town"):
        qs = qs.filter(town_id=_int(f["town"], "town"))
    if f.get("parent"):
        qs = qs.filter(parent_id=_int(f["parent"], "parent"))
    if f.get("two_new") in ("1", "true", True):
        qs = qs.filter(is_two_new=True)
    if f.get("q"):
        qs = qs.filter(name__contains=f["q"])
    return qs.annotate(
        n_members=Count("members", filter=Q(members__active=True, members__registration="approved")),
        n_full=Count("members", filter=Q(members__active=True, members__registration="approved",
                                         members__status=MemberStatus.FULL))).order_by("path")


def org_get(*, user: Any, pk: Any, action: str = "view") -> PartyOrganisation:
    return get_scoped(PartyOrganisation.objects.select_related("town", "division", "parent"), user, action, pk=pk)


def org_problems(org: Any) -> list[str]:
    return branch_rule_problems(org, full=getattr(org, "n_full", 0), total=getattr(org, "n_members", 0))


def member_list(*, user: Any, filters: Any = None) -> QuerySet[Member]:
    f = filters or {}
    qs = Member.objects.restrict(user, "view").select_related("org", "group")
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("registration"):
        qs = qs.filter(registration=f["registration"])
    else:
        qs = qs.filter(registration=Member.Registration.APPROVED)
    if f.get("town"):
        qs = qs.filter(town_id=_int(f["town"], "town"))
    if f.get("q"):
        qs = qs.filter(name__startswith=f["q"])
    return qs.order_by("org_id", "name", "id")


def member_get(*, user: Any, pk: Any, action: str = "view") -> Member:
    return get_scoped(Member.objects.select_related("org", "group", "central_household", "town"), user, action,
                      pk=pk)


def masked(m: Member) -> dict[str, str]:
    return {f: mask(kind, getattr(m, f)) for f, kind in Member.pii_fields.items()}


def pii_view(m: Member, *, user: Any, unmask: bool = False, reason: str = "") -> dict[str, str]:
    """Unmasked only for who may `view_pii` this member; every unmasked view is logged (RULES.md §7)."""
    if unmask and Member.objects.restrict(user, "view_pii").filter(pk=m.pk).exists():
        log_access(user, kind="view", model=Member, object_id=m.pk, fields=list(Member.pii_fields), reason=reason)
        return {f: getattr(m, f) for f in Member.pii_fields}
    return masked(m)


def transfer_list(*, user: Any, filters: Any = None) -> QuerySet[Transfer]:
    f = filters or {}
    qs = Transfer.objects.restrict(user, "view").select_related("member", "from_org", "to_org")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("member"):
        qs = qs.filter(member_id=_int(f["member"], "member"))
    return qs.order_by("-requested_at", "-id")


# ---- meetings ---------------------------------------------------------------------------------------------


def meeting_list(*, user: Any, filters: Any = None) -> QuerySet[Meeting]:
    f = filters or {}
    qs = Meeting.objects.restrict(user, "view").select_related("org")
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("year"):
        qs = qs.filter(starts_at__year=_year(f["year"]))
    return qs.annotate(n_present=Count("attendance", filter=Q(attendance__status__in=("present", "late"))))\
        .order_by("-starts_at", "-id")


def meeting_get(*, user: Any, pk: Any, action: str = "view") -> Meeting:
    return get_scoped(Meeting.objects.select_related("org"), user, action, pk=pk)


def meeting_attendance(*, user: Any, meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.restrict(user, "view").filter(meeting=meeting).select_related("member")\
        .order_by("member__name", "id")


# The frequencies of RULES.md §4: kind → months per period (1 = monthly, 3 = quarterly, 12 = yearly).
FREQUENCY: dict[str, int] = {
    MeetingKind.GENERAL_ASSEMBLY: 3, MeetingKind.COMMITTEE: 1, MeetingKind.GROUP: 1, MeetingKind.LECTURE: 3,
    MeetingKind.THEME_DAY: 1, MeetingKind.LIFE: 12, MeetingKind.APPRAISAL: 12,
}
# Missed slots per branch: 0 green, up to AMBER_MAX amber, more red.
AMBER_MAX = 2


@dataclass
class BranchCompliance:
    org_id: int
    name: str
    town_id: int
    colour: str = "green"
    held: dict[str, int] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (kind label, period label)

    def held_named(self) -> list[tuple[str, int]]:
        """(meeting kind's name, how many were held), in the order of the kinds: what a page shows."""
        return [(str(label), self.held[kind]) for kind, label in MeetingKind.choices if kind in self.held]


def _period_label(year: int, months: int, idx: int) -> str:
    if months == 12:
        return f"{year}"
    if months == 3:
        return f"{year}Q{idx + 1}"
    return f"{year}-{idx + 1:02d}"


def compliance_board(*, user: Any, year: int, today: dt.date | None = None,
                     org: int | None = None) -> list[BranchCompliance]:
    """Per branch: which required meetings were held in each closed period of `year`, coloured
    green/amber/red by the number of missed slots; an unfinished period is not yet missed. Only a held meeting
    (closed with its minutes, `meeting_close`) counts: one left 'scheduled' or cancelled does not."""
    year = _year(year)
    today = today or timezone.localdate()
    branches = PartyOrganisation.objects.restrict(user, "view").filter(kind__in=BRANCH_KINDS)
    if org:
        branches = branches.filter(pk=org)
    rows = list(branches.values_list("id", "name", "town_id", "has_committee").order_by("path"))
    ids = [r[0] for r in rows]
    with_groups = set(PartyOrganisation.objects.filter(parent_id__in=ids, kind=OrgKind.GROUP)
                      .values_list("parent_id", flat=True).distinct()) if ids else set()
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=tz)
    end = min(dt.datetime(year + 1, 1, 1, tzinfo=tz), timezone.now())
    held: dict[int, set[tuple[str, int]]] = {i: set() for i in ids}
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    meetings = (Meeting.objects.filter(Q(org_id__in=ids) | Q(org__parent_id__in=ids, kind=MeetingKind.GROUP),
                                       starts_at__gte=start, starts_at__lt=end)
                .filter(state=Meeting.State.HELD)  # a meeting still 'scheduled' after its date was not held
                .values_list("org_id", "org__parent_id", "kind", "starts_at")) if ids else []
    for org_id, parent_id, kind, starts in meetings:
        branch = parent_id if kind == MeetingKind.GROUP else org_id
        if branch not in held:
            continue
        month = timezone.localtime(starts, tz).month - 1
        held[branch].add((kind, month // FREQUENCY[kind]))
        counts[branch][kind] = counts[branch].get(kind, 0) + 1
    closed_months = 12 if today.year > year else (today.month - 1 if today.year == year else 0)
    labels = dict(MeetingKind.choices)
    out = []
    for org_id, name, town_id, has_committee in rows:
        bc = BranchCompliance(org_id, name, town_id, held=counts[org_id])
        for kind, months in FREQUENCY.items():
            if kind == MeetingKind.COMMITTEE and not has_committee:
                continue
            if kind == MeetingKind.GROUP and org_id not in with_groups:
                continue
            for idx in range(closed_months // months):
                if (kind, idx) not in held[org_id]:
                    bc.missing.append((str(labels[kind]), _period_label(year, months, idx)))
        n = len(bc.missing)
        bc.colour = "green" if n == 0 else ("amber" if n <= AMBER_MAX else "red")
        out.append(bc)
    return out


# ---- points -----------------------------------------------------------------------------------------------


def ledger(*, user: Any, filters: Any = None) -> QuerySet[PointEntry]:
    f = filters or {}
    qs = PointEntry.objects.restrict(user, "view").select_related("member")
    if f.get("member"):
        qs = qs.filter(member_id=_int(f["member"], "member"))
    if f.get("year"):
        qs = qs.filter(year=_int(f["year"], "year"))
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    return qs.order_by("-id")


def member_ranking(*, user: Any, year: int, org: int | None = None, town: int | None = None) -> QuerySet:
    qs = PointYear.objects.restrict(user, "view").filter(year=year).select_related("member", "org")
    if org:
        qs = qs.filter(org_id=org)
    if town:
        qs = qs.filter(town_id=town)
    return qs.order_by("-score", "member_id")


def branch_ranking(*, user: Any, year: int, town: int | None = None) -> list[dict[str, Any]]:
    qs = PointYear.objects.restrict(user, "view").filter(year=year)
    if town:
        qs = qs.filter(town_id=town)
    rows = list(qs.values("org_id", "org__name", "town_id").annotate(avg=Avg("score"), n=Count("id"))
                .order_by("-avg", "org_id"))
    for i, r in enumerate(rows, 1):
        r["rank"], r["avg"] = i, round(float(r["avg"]), 1)
    return rows


def town_ranking(*, user: Any, year: int) -> list[dict[str, Any]]:
    qs = PointYear.objects.restrict(user, "view").filter(year=year)
    rows = list(qs.values("town_id", "town__name").annotate(avg=Avg("score"), n=Count("id")).order_by("-avg"))
    for i, r in enumerate(rows, 1):
        r["rank"], r["avg"] = i, round(float(r["avg"]), 1)
    return rows


def member_year(*, member: Member, year: int) -> dict[str, Any]:
    row = PointYear.objects.filter(member=member, year=year).first()
    score = row.score if row else BASE_SCORE
    return {"year": year, "score": score, "grade": grade_of(score), "vetoed": bool(row and row.vetoed),
            "delta": row.delta if row else 0}


def claim_list(*, user: Any, filters: Any = None) -> QuerySet[PointClaim]:
    f = filters or {}
    qs = PointClaim.objects.restrict(user, "view").select_related("member")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    return qs.order_by("-id")


def publication_list(*, user: Any, filters: Any = None) -> QuerySet[Publication]:
    f = filters or {}
    qs = Publication.objects.restrict(user, "view").select_related("org")
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    if f.get("year"):
        qs = qs.filter(year=_int(f["year"], "year"))
    return qs.annotate(n_objections=Count("objections")).order_by("-starts_on", "-id")


def objection_list(*, user: Any, filters: Any = None) -> QuerySet[Objection]:
    """Objections to published points the user may see (the secretary: their branch; the office: the town)."""
    f = filters or {}
    qs = Objection.objects.restrict(user, "view").select_related("member", "publication__org", "answered_by")
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("publication"):
        qs = qs.filter(publication_id=_int(f["publication"], "publication"))
    if f.get("org"):
        qs = qs.filter(publication__org_id=_int(f["org"], "org"))
    return qs.order_by("-id")


def objection_get(*, user: Any, pk: Any, action: str = "view") -> Objection:
    return get_scoped(Objection.objects.select_related("member", "publication__org", "answered_by"), user,
                      action, pk=pk)


def open_publications(*, member: Member, today: dt.date | None = None) -> QuerySet[Publication]:
    """The member's branch's publications still inside their 7 days (objections may be raised)."""
    today = today or timezone.localdate()
    return Publication.objects.filter(org_id=member.org_id, starts_on__lte=today, ends_on__gte=today)\
        .select_related("org").order_by("-starts_on")


def my_objections(*, member: Member) -> QuerySet[Objection]:
    return Objection.objects.filter(member=member).select_related("publication").order_by("-id")


# ---- cadres and study -------------------------------------------------------------------------------------


def cadre_list(*, user: Any, filters: Any = None) -> QuerySet[Cadre]:
    f = filters or {}
    qs = Cadre.objects.restrict(user, "view").select_related("department", "town")
    if f.get("department"):
        qs = qs.filter(department_id=_int(f["department"], "department"))
    if f.get("town"):
        qs = qs.filter(town_id=_int(f["town"], "town"))
    return qs.order_by("name", "id")


def deployment_list(*, user: Any, filters: Any = None) -> QuerySet[Deployment]:
    f = filters or {}
    qs = Deployment.objects.restrict(user, "view").select_related("cadre", "division").prefetch_related("targets")
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    if f.get("town"):
        qs = qs.filter(town_id=_int(f["town"], "town"))
    return qs.order_by("-starts_on", "-id")


def cadre_get(*, user: Any, pk: Any, action: str = "view") -> Cadre:
    return get_scoped(Cadre.objects.select_related("department", "town"), user, action, pk=pk)


def cadre_records(*, user: Any, cadre: Cadre) -> QuerySet[CadreRecord]:
    return CadreRecord.objects.restrict(user, "view").filter(cadre=cadre).order_by("-on", "-id")


def cadre_record_get(*, user: Any, pk: Any, action: str = "view") -> CadreRecord:
    return get_scoped(CadreRecord.objects.select_related("cadre"), user, action, pk=pk)


def deployment_get(*, user: Any, pk: Any, action: str = "view") -> Deployment:
    return get_scoped(Deployment.objects.select_related("cadre", "division", "enterprise")
                      .prefetch_related("targets"), user, action, pk=pk)


def rating_list(*, user: Any, filters: Any = None) -> QuerySet[RedFlagRating]:
    f = filters or {}
    qs = RedFlagRating.objects.restrict(user, "view").select_related("org")
    if f.get("year"):
        qs = qs.filter(year=_int(f["year"], "year"))
    if f.get("level"):
        qs = qs.filter(level=f["level"])
    if f.get("org"):
        qs = qs.filter(org_id=_int(f["org"], "org"))
    return qs.order_by("-year", "org__path", "id")


def rating_get(*, user: Any, pk: Any, action: str = "view") -> RedFlagRating:
    return get_scoped(RedFlagRating.objects.select_related("org"), user, action, pk=pk)


def course_get(*, user: Any, pk: Any, action: str = "view") -> Course:
    """A course; a draft only for who may change it (members see published courses only)."""
    qs = Course.objects.all()
    if action == "view":
        qs = qs.filter(Q(published=True) | Q(pk__in=Course.objects.restrict(user, "change").values("pk")))
    return get_scoped(qs, user, action, pk=pk)


def course_list(*, user: Any, filters: Any = None) -> QuerySet[Course]:
    """Published courses; who may change courses also sees their drafts (`drafts=1`)."""
    f = filters or {}
    qs = Course.objects.restrict(user, "view")
    if f.get("drafts") in ("1", "true", True):
        qs = qs.filter(Q(published=True) | Q(pk__in=Course.objects.restrict(user, "change").values("pk")))
    else:
        qs = qs.filter(published=True)
    if f.get("kind"):
        qs = qs.filter(kind=f["kind"])
    return qs.annotate(n_questions=Count("questions")).order_by("-id")


# ---- a member's own phone view ----------------------------------------------------------------------------


def my_member(user: Any) -> Member | None:
    ctx = party_context(user)
    return Member.objects.select_related("org").filter(pk=ctx.member_id).first() if ctx.member_id else None


def my_meetings(*, user: Any, member: Member) -> QuerySet[Meeting]:
    orgs = [x for x in (member.org_id, member.group_id) if x]
    return (Meeting.objects.filter(org_id__in=orgs).exclude(state=Meeting.State.CANCELLED)
            .select_related("org").order_by("-starts_at")[:30])


def my_attendance(*, member: Member, meeting_ids: list[int]) -> dict[int, str]:
    return dict(Attendance.objects.filter(member=member, meeting_id__in=meeting_ids)
                .values_list("meeting_id", "status"))


def my_study(*, member: Member) -> QuerySet[StudyRecord]:
    return StudyRecord.objects.filter(member=member).select_related("course").order_by("-completed_at")


def visible(user: Any, model: Any, action: str = "view") -> bool:
    return party_q(model, user, action) is not None


# -- The administrator's settings (issue 15, item 4) ---------------------------------------------------------


def point_rule_list(*, user: Any) -> QuerySet[Any]:
    """The towns' own points rules the user may see (an administrator: their town's)."""
    from .models import PointRule

    return PointRule.objects.restrict(user, "view").filter(town__isnull=False).select_related("town").order_by(
        "town__path", "code")


def point_rule_defaults() -> QuerySet[Any]:
    """The default rules (RULES.md §4), the same for every town: public configuration."""
    from .models import PointRule

    return PointRule.objects.filter(town=None).order_by("id")


def point_rule_get(*, user: Any, pk: Any, action: str = "view") -> Any:
    from gridgov.core.scope import get_scoped

    from .models import PointRule

    return get_scoped(PointRule.objects.filter(town__isnull=False).select_related("town"), user, action, pk=pk)
