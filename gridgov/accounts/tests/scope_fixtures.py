"""Scope fixtures of accounts for the scope walk (docs/scope.md): a staff account in 泊里镇 (twice) and one in
辛安街道, each holding one role (审批人员: the grid map names grid workers and leaders to whoever sees the grid), named
nowhere else (the canaries)."""

from __future__ import annotations

from typing import Any

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role


def scope_fixtures(world: Any) -> dict[str, Any]:
    places = {"grid_a": (world.town, world.grid_a, "甲"), "grid_b": (world.town, world.grid_b, "乙"),
              "other_town": (world.other_town, world.other_grid, "丙")}
    staff, roles = {}, {}
    for position, (town, grid, mark) in places.items():
        u = User.objects.create(username=f"walk_staff_{position}", display_name=f"走查{mark}职员", town=town)
        staff[position] = u
        roles[position] = RoleAssignment.objects.create(user=u, role=Role.APPROVER, division=grid)
    return {"staff": staff, "roles": roles}
