"""Dispatch suggestion (派遣建议): category → department and/or professional category by the town's rules;
location → grid (already on the case). The dispatcher may override every part."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gridgov.network.models import Department

from .models import DispatchRule


@dataclass(frozen=True)
class Suggestion:
    department: Department | None
    pro_category: str
    rule_id: int | None
    reason: str


def suggest(*, category: Any, grid: Any) -> Suggestion:
    """The most specific rule of the grid's town: 小类 before 大类 before any; an area rule before a
    town-wide one; then `priority`. Falls back to the category's default department name and pro category."""
    town_id = grid.town_id
    cat_ids = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = list(DispatchRule.objects.filter(town_id=town_id).filter(
        category_id__in=cat_ids).select_related("department", "area")) + list(
        DispatchRule.objects.filter(town_id=town_id, category__isnull=True).select_related("department", "area"))
    best: tuple[tuple[int, int, int], DispatchRule] | None = None
    for r in rules:
        if r.area_id and not grid.path.startswith(r.area.path):
            continue
        spec = (0 if r.category_id == category.pk else 1 if r.category_id else 2,
                -(len(r.area.path) if r.area_id else 0), r.priority)
        if best is None or spec < best[0]:
            best = (spec, r)
    if best is not None:
        r = best[1]
        return Suggestion(r.department, r.pro_category or category.pro_category, r.pk, "rule")
    dept = None
    if category.department_name:
        dept = Department.objects.filter(town_id=town_id, name=category.department_name).first()
    if dept is None and category.parent_id and category.parent.department_name:
        dept = Department.objects.filter(town_id=town_id, name=category.parent.department_name).first()
    return Suggestion(dept, category.pro_category, None, "category")
