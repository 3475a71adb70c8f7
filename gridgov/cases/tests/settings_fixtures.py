"""Scope fixtures of the case engine's settings (dispatch rules, the towns' own handling limits): one in 泊里镇
for grid A and grid B each, one in 辛安街道; part of the cases app's scope fixtures (docs/scope.md)."""

from __future__ import annotations

from typing import Any

from gridgov.cases.models import Category, CategoryLimit, DispatchRule


def settings_fixtures(world: Any, category: Category) -> dict[str, Any]:
    places = {"grid_a": (world.town, world.grid_a, world.department, 17),
              "grid_b": (world.town, world.grid_b, None, 27),
              "other_town": (world.other_town, world.other_grid, world.other_department, 37)}
    rules, limits = {}, {}
    for position, (town, grid, dept, amount) in places.items():
        rules[position] = DispatchRule.objects.create(town=town, category=category, area=grid, department=dept,
                                                      pro_category="" if dept else "safety", priority=amount)
        cat = Category.objects.create(tree="component", code=f"99{amount}", name=f"走查时限{amount}")
        limits[position] = CategoryLimit.objects.create(town=town, category=cat, deadline_amount=amount,
                                                        deadline_unit="days")
    return {"dispatch-rules": {**rules, "canary": ()}, "category-limits": limits}
