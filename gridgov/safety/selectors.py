"""Every read of safety supervision, restricted to the reader's scope; the figures of the statistics page,
the early-warning lists and the home page, each one grouped query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from gridgov.core.errors import ValidationFailed

from .filtersets import HazardFilterSet, InspectionFilterSet, ProfileFilterSet
from .models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Colour,
    Hazard,
    HazardLevel,
    Industry,
    Inspection,
    InspectionAnswer,
    InspectionPlan,
    MajorHazardRule,
    RatingChange,
    SafetyProfile,
)


def _filtered(filterset_class: type, queryset: QuerySet, filters: Any, user: Any) -> QuerySet:
    fs = filterset_class(filters or {}, queryset=queryset, user=user)
    if not fs.is_valid():
        raise ValidationFailed({k: [str(m) for m in v] for k, v in fs.errors.items()})
    return fs.qs


def profile_list(*, user: Any, filters: Any = None, action: str = "view") -> QuerySet[SafetyProfile]:
    qs = (SafetyProfile.objects.restrict(user, action)
          .select_related("enterprise", "enterprise__grid", "pro_worker", "staff")
          .defer("enterprise__grid__polygon").order_by("-id"))
    return _filtered(ProfileFilterSet, qs, filters, user)


def profile_get(*, user: Any, pk: int) -> SafetyProfile:
    from gridgov.core.scope import get_scoped

    return get_scoped(SafetyProfile.objects.select_related("enterprise", "enterprise__grid", "pro_worker", "staff",
                                                           "account").defer("enterprise__grid__polygon"),
                      user, "view", pk=pk)


def rating_history(*, user: Any, profile: SafetyProfile, limit: int = 20) -> list[RatingChange]:
    return list(RatingChange.objects.restrict(user, "view").filter(profile=profile)[:limit])


def hazard_list(*, user: Any, filters: Any = None) -> QuerySet[Hazard]:
    qs = (Hazard.objects.restrict(user, "view").select_related("profile__enterprise")
          .only("id", "number", "title", "level", "stage", "status", "deadline", "overdue", "found_at", "profile_id",
                "profile__enterprise__name", "major_reason", "supervised_at", "reported_at", "version")
          .order_by("-id"))
    return _filtered(HazardFilterSet, qs, filters, user)


def hazard_get(*, user: Any, pk: int) -> Hazard:
    from gridgov.core.scope import get_scoped

    return get_scoped(Hazard.objects.select_related("profile__enterprise", "major_rule", "item", "found_by",
                                                    "accepted_by"), user, "view", pk=pk)


def inspection_list(*, user: Any, filters: Any = None) -> QuerySet[Inspection]:
    qs = (Inspection.objects.restrict(user, "view")
          .select_related("profile__enterprise", "template", "inspector").order_by("-id"))
    return _filtered(InspectionFilterSet, qs, filters, user)


def inspection_get(*, user: Any, pk: int) -> Inspection:
    from gridgov.core.scope import get_scoped

    return get_scoped(Inspection.objects.select_related("profile__enterprise", "template", "inspector"),
                      user, "view", pk=pk)


def inspection_form(*, inspection: Inspection) -> list[tuple[ChecklistSection, list[tuple[ChecklistItem, Any, str]]]]:
    """The form of an inspection: its template version's sections and items with the answers saved so far
    (three queries, whatever the number of items)."""
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=inspection)}
    sections = list(ChecklistSection.objects.filter(template_id=inspection.template_id).prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.select_related("major_rule").order_by("order"))))
    return [(s, [(i, answers.get(i.pk), f"item-{i.pk}") for i in s.items.all()]) for s in sections]


def template_list(*, user: Any, filters: Any = None) -> QuerySet[ChecklistTemplate]:
    qs = ChecklistTemplate.objects.restrict(user, "view").annotate(n_items=Count("items")).order_by("code", "-number")
    state = (filters or {}).get("state")
    if state in ChecklistTemplate.State.values:
        qs = qs.filter(state=state)
    return qs


def template_get(*, user: Any, pk: int) -> ChecklistTemplate:
    from gridgov.core.scope import get_scoped

    return get_scoped(ChecklistTemplate.objects.all(), user, "view", pk=pk)


def template_sections(template: ChecklistTemplate) -> list[ChecklistSection]:
    return list(ChecklistSection.objects.filter(template=template).prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.select_related("major_rule").order_by("order"))))


def major_rules(*, user: Any) -> QuerySet[MajorHazardRule]:
    return MajorHazardRule.objects.restrict(user, "view").order_by("town_id", "code")


def plan_list(*, user: Any) -> QuerySet[InspectionPlan]:
    return (InspectionPlan.objects.restrict(user, "view").select_related("template", "created_by")
            .annotate(n_tasks=Count("inspections"),
                      n_done=Count("inspections", filter=Q(inspections__state=Inspection.State.SUBMITTED)))
            .order_by("-id"))


def plan_get(*, user: Any, pk: int) -> InspectionPlan:
    from gridgov.core.scope import get_scoped

    return get_scoped(InspectionPlan.objects.select_related("template"), user, "view", pk=pk)


def plan_tasks(*, user: Any, plan: InspectionPlan) -> QuerySet[Inspection]:
    return (Inspection.objects.restrict(user, "view").filter(plan=plan)
            .select_related("profile__enterprise", "inspector").order_by("profile__enterprise__name"))


# ---------------------------------------------------------------- who is told


def hazard_people(hazard: Hazard, groups: Any) -> set[int]:
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    groups = set(groups)
    p = SafetyProfile._base_manager.filter(pk=hazard.profile_id).values("account_id", "pro_worker_id",
                                                                         "staff_id").first() or {}
    out: set[int] = set()
    if "enterprise" in groups and p.get("account_id"):
        out.add(p["account_id"])
    if "keepers" in groups:
        out |= {v for k, v in p.items() if k != "account_id" and v}
    if "regulator" in groups:
        out |= set(RoleAssignment.objects.filter(role__in=[Role.LEADER, Role.ADMIN], division_id=hazard.town_id)
                   .values_list("user_id", flat=True))
    return out


def overdue_people(rows: list[dict[str, Any]]) -> dict[int, set[int]]:
    """The sweep's batch (督办): each overdue hazard to its enterprise's 包保 staff, a major one to the town's
    leaders as well (escalation); and the enterprises of the batch re-rated (an overdue hazard weighs more)."""
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    from . import rating

    pids = {r["profile_id"] for r in rows}
    keepers = {p: {a, b} - {None} for p, a, b in SafetyProfile._base_manager.filter(pk__in=pids)
               .values_list("id", "pro_worker_id", "staff_id")}
    towns = {r["town_id"] for r in rows if r["level"] == HazardLevel.MAJOR}
    leaders: dict[int, set[int]] = {}
    for town_id, uid in RoleAssignment.objects.filter(role=Role.LEADER, division_id__in=towns).values_list(
            "division_id", "user_id"):
        leaders.setdefault(town_id, set()).add(uid)
    if pids:
        rating.recompute(profile_ids=sorted(pids), trigger="督办")
    return {r["id"]: keepers.get(r["profile_id"], set()) | (leaders.get(r["town_id"], set())
                                                           if r["level"] == HazardLevel.MAJOR else set())
            for r in rows}


# ---------------------------------------------------------------- figures


def period_of(year: int, quarter: int | None) -> tuple[dt.datetime, dt.datetime]:
    if quarter:
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    else:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz), dt.datetime.combine(end, dt.time(), tzinfo=tz))


def statistics(*, user: Any, year: int, quarter: int | None, by: str) -> list[dict[str, Any]]:
    """Hazards found in the period: found, rectified (销号), open, overdue, by level × (industry | grid | level):
    one grouped query. `by`: "industry" | "grid" | "level"."""
    start, end = period_of(year, quarter)
    now = timezone.now()
    key = {"industry": "profile__industry", "grid": "profile__enterprise__grid__name", "level": "level"}[by]
    rows = (Hazard.objects.restrict(user, "view").filter(found_at__gte=start, found_at__lt=end)
            .values(group=F(key), lvl=F("level")).order_by("group", "lvl")
            .annotate(found=Count("id"), rectified=Count("id", filter=Q(status="closed")),
                      open=Count("id", filter=Q(status="open")),
                      overdue=Count("id", filter=Q(status="open") & (Q(deadline__lt=now) | Q(overdue=True)))))
    labels = dict(Industry.choices) if by == "industry" else dict(HazardLevel.choices) if by == "level" else {}
    levels = dict(HazardLevel.choices)
    return [{"group": str(labels.get(r["group"], r["group"] or "—")), "level": str(levels.get(r["lvl"], r["lvl"])),
             **{k: r[k] for k in ("found", "rectified", "open", "overdue")}} for r in rows]


def colour_counts(*, user: Any) -> dict[str, int]:
    rows = SafetyProfile.objects.restrict(user, "view").values("colour").order_by().annotate(n=Count("id"))
    counts = {c: 0 for c in Colour.values}
    counts.update({r["colour"]: r["n"] for r in rows})
    return counts


def warnings(*, user: Any, limit: int = 50) -> dict[str, list[Any]]:
    """Early warnings: rising risk (colour worse in the last 30 days), overdue major hazards, enterprises not
    inspected on schedule (past their class's interval). A few queries whatever the sizes."""
    from .rules import interval_days, rules_for

    now = timezone.now()
    visible = SafetyProfile.objects.restrict(user, "view")
    rising = list(RatingChange.objects.restrict(user, "view").filter(time__gte=now - dt.timedelta(days=30))
                  .filter(Q(colour="red", colour_before__in=["orange", "yellow", "blue"])
                          | Q(colour="orange", colour_before__in=["yellow", "blue"])
                          | Q(colour="yellow", colour_before="blue"))
                  .select_related("profile__enterprise").order_by("-time")[:limit])
    overdue_major = list(Hazard.objects.restrict(user, "view").filter(status="open", level=HazardLevel.MAJOR)
                         .filter(Q(deadline__lt=now) | Q(overdue=True))
                         .select_related("profile__enterprise").order_by("deadline")[:limit])
    rows = list(visible.values_list("id", "town_id", "supervision_class", "last_inspected_at",
                                    "enterprise__name").order_by("last_inspected_at", "id"))
    rules = rules_for(r[1] for r in rows)
    late = []
    for pid, town_id, klass, last, name in rows:
        due = (last + dt.timedelta(days=interval_days(rules[town_id], klass))) if last else None
        if due is None or due < now:
            late.append({"id": pid, "name": name, "class": klass, "last": last, "due": due})
            if len(late) >= limit:
                break
    return {"rising": rising, "overdue_major": overdue_major, "not_inspected": late}


def my_profiles(*, user: Any) -> QuerySet[SafetyProfile]:
    """The profiles an enterprise account speaks for."""
    return SafetyProfile.objects.filter(account_id=getattr(user, "pk", None)).select_related("enterprise")


def open_hazards(*, user: Any, profile: SafetyProfile) -> QuerySet[Hazard]:
    return Hazard.objects.restrict(user, "view").filter(profile=profile, status="open").order_by("deadline", "id")
