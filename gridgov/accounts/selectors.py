"""Reads for the home page: the user's roles and the counts of what they look after."""

from __future__ import annotations

from typing import Any

from gridgov.network.models import Division, Level


def home_summary(*, user: Any) -> dict[str, Any]:
    from gridgov.register.models import Enterprise, Household, Resident

    assignments = user.assignments_cached()
    return {
        "assignments": assignments,
        "counts": {
            "grids": Division.objects.restrict(user, "view").filter(level=Level.BASE_GRID).count(),
            "residents": Resident.objects.restrict(user, "view").count(),
            "households": Household.objects.restrict(user, "view").count(),
            "enterprises": Enterprise.objects.restrict(user, "view").count(),
        },
    }
