"""Reads for the home page: what each role looks after, in a fixed number of queries whatever the size."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from gridgov.core.scope import can
from gridgov.network.models import Division, Level

from .roles import Role


def _count_of(model: Any, field: str = "grid") -> Any:
    sub = (model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
           .annotate(c=Count("pk")).values("c"))
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def grids_with_counts(qs: QuerySet[Division]) -> QuerySet[Division]:
    """Base grids with their numbers of residents, households and enterprises (one query)."""
    from gridgov.register.models import Enterprise, Household, Resident

    return (qs.filter(level=Level.BASE_GRID).select_related("parent")
            .annotate(n_residents=_count_of(Resident), n_households=_count_of(Household),
                      n_enterprises=_count_of(Enterprise)).order_by("path"))


def home_summary(*, user: Any) -> dict[str, Any]:
    """Everything the home page shows for this user: `sections` names the blocks that apply to their roles."""
    from gridgov.register.models import Enterprise, Household, Resident

    assignments = user.assignments_cached()
    roles = {a.role for a in assignments}
    out: dict[str, Any] = {"assignments": assignments, "sections": set()}
    if not assignments:
        out["sections"].add("welcome")
        return out
    # Only what the user may see at all: a department clerk gets no resident tile showing a misleading 0.
    counted = {"grids": Division.objects.restrict(user, "view").filter(level=Level.BASE_GRID),
               "residents": Resident.objects.restrict(user, "view"),
               "households": Household.objects.restrict(user, "view"),
               "enterprises": Enterprise.objects.restrict(user, "view")}
    out["counts"] = {k: qs.count() for k, qs in counted.items() if can(user, "view", qs.model)}
    # The case work first: on a phone the menu's 事件办理 and 我要上报 sit off-screen in its scrolling strip.
    from gridgov.cases import permissions as case_permissions
    from gridgov.cases.selectors import queue_counts

    out["case_queues"] = queue_counts(user=user)
    out["can_report"] = case_permissions.may(user, "add")
    if out["case_queues"] or out["can_report"]:
        out["sections"].add("cases")
    if Role.GRID_WORKER in roles:
        out["sections"].add("my_grids")
        ids = [a.division_id for a in assignments if a.role == Role.GRID_WORKER and a.division_id]
        out["my_grids"] = list(grids_with_counts(Division.objects.restrict(user, "view").filter(pk__in=ids)))
    if Role.GRID_LEADER in roles:
        out["sections"].add("led_grids")
        paths = [a.division.path for a in assignments if a.role == Role.GRID_LEADER and a.division_id]
        qs = Division.objects.restrict(user, "view")
        from django.db.models import Q

        cond = Q()
        for p in paths:
            cond |= Q(path__startswith=p)
        out["led_grids"] = list(grids_with_counts(qs.filter(cond))) if paths else []
    if Role.LEADER in roles or Role.ADMIN in roles:
        from gridgov.cases.selectors import town_summary

        out["case_summary"] = town_summary(user=user)
        if out["case_summary"] is not None:
            out["sections"].add("case_summary")
        out["sections"].add("town")
        visible = Division.objects.restrict(user, "view")
        out["town"] = {
            "villages": visible.filter(level=Level.VILLAGE).count(),
            "regions": visible.filter(level=Level.REGION_GRID).count(),
            "key_enterprises": Enterprise.objects.restrict(user, "view").filter(is_key=True).count(),
            "by_type": list(visible.filter(level=Level.BASE_GRID).values("grid_type")
                            .annotate(n=Count("pk")).order_by("grid_type")),
        }
    if Role.DEPT_STAFF in roles or Role.PRO_WORKER in roles:
        dept_ids = [a.department_id for a in assignments if a.department_id]
        if dept_ids:
            out["sections"].add("department")
            qs = (Enterprise.objects.restrict(user, "view").filter(department_id__in=dept_ids)
                  .select_related("grid").order_by("-is_key", "name"))
            out["department"] = {"count": qs.count(), "key": qs.filter(is_key=True).count(),
                                 "enterprises": list(qs[:10])}
    return out
