"""Scope fixtures of accounts for the scope walk (docs/scope.md): a staff account in 泊里镇 (twice) and one in
辛安街道, each holding one role (审批人员: the grid map names grid workers and leaders to whoever sees the grid), named
nowhere else (the canaries); a sign-in lock of an account of each town."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gridgov.accounts.models import LoginAttempt, RoleAssignment, User
from gridgov.accounts.roles import Role


def _locked(user: Any) -> LoginAttempt:
    return LoginAttempt.objects.create(username=user.username, address="203.0.113.9", user=user, locks=1,
                                       locked_until=timezone.now() + dt.timedelta(minutes=15))


def scope_fixtures(world: Any) -> dict[str, Any]:
    places = {"grid_a": (world.town, world.grid_a, "甲"), "grid_b": (world.town, world.grid_b, "乙"),
              "other_town": (world.other_town, world.other_grid, "丙")}
    staff, roles = {}, {}
    for position, (town, grid, mark) in places.items():
        u = User.objects.create(username=f"walk_staff_{position}", display_name=f"走查{mark}职员", town=town)
        staff[position] = u
        roles[position] = RoleAssignment.objects.create(user=u, role=Role.APPROVER, division=grid)
    locks = {position: _locked(u) for position, u in staff.items()}
    return {"staff": staff, "roles": roles, "sign-in-locks": {**locks, "canary": ("other_town",)}}
