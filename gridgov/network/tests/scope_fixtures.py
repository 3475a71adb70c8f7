"""Scope fixtures of the network for the scope walk (docs/scope.md): divisions and departments.

Grid and department names appear as context on records that others may see (a department clerk sees the
grid of an enterprise it supervises), so only the other town's names are canaries."""

from __future__ import annotations

from typing import Any

from gridgov.network.models import Department


def scope_fixtures(world: Any) -> dict[str, Any]:
    dept_b = Department.objects.create(town=world.town, code="D02", name="综合执法办公室")
    divisions = {"grid_a": world.grid_a, "grid_b": world.grid_b, "other_town": world.other_grid,
                 "canary": ("other_town",)}
    departments = {"grid_a": world.department, "grid_b": dept_b, "other_town": world.other_department,
                   "canary": ("other_town",)}
    towns = {"grid_a": world.town, "grid_b": world.town, "other_town": world.other_town, "canary": ("other_town",)}
    return {
        "divisions": divisions,
        "grids/map": divisions,
        "working-hours": towns,
        "holidays": 2026,
        "departments": departments,
        # Query filters that take a record id.
        "grid": divisions,
        "parent": divisions,
        "town": towns,
        "department": departments,
    }
