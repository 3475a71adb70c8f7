"""Scope fixtures of party building's settings: a town's own points rule in 泊里镇 (twice) and in 辛安街道, each
with a name found nowhere else; part of the party app's scope fixtures (docs/scope.md)."""

from __future__ import annotations

from typing import Any

from gridgov.party.models import PointRule


def settings_fixtures(world: Any) -> dict[str, Any]:
    places = {"grid_a": (world.town, "甲"), "grid_b": (world.town, "乙"), "other_town": (world.other_town, "丙")}
    rules = {pos: PointRule.objects.create(town=town, code=f"walk_{pos}", category="other", label=f"走查{mark}积分",
                                           points=1)
             for pos, (town, mark) in places.items()}
    return {"point-rules": rules}
