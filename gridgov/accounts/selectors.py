"""Reads for the home page: the blocks and tiles each app feeds it through its `home.py` (see `homepage`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridgov.core.hooks import cached_app_modules
from gridgov.core.scope import get_scoped

from .homepage import Block, Home, Tile


def home_summary(*, user: Any) -> dict[str, Any]:
    """Everything the home page shows for this user: the apps' `blocks` and, for who oversees an area, the
    `tiles` of the totals strip, each in order."""
    home = Home(user=user, assignments=user.assignments_cached())
    blocks: list[Block] = []
    tiles: list[Tile] = []
    for _label, module in cached_app_modules("home"):
        if hasattr(module, "blocks"):
            blocks.extend(module.blocks(home))
        if home.overview and hasattr(module, "tiles"):
            tiles.extend(module.tiles(home))
    # sorted() is stable: equal orders keep the apps' INSTALLED_APPS order.
    return {"assignments": home.assignments, "blocks": sorted(blocks, key=lambda b: b.order),
            "tiles": sorted(tiles, key=lambda t: t.order)}


# -- The administrator's staff pages (issue 15, item 4) ------------------------------------------------------


def staff_list(*, user: Any, q: str = "", role: str = "") -> QuerySet[Any]:
    """Staff accounts the user may see (an administrator: those of their town), with their roles."""
    from django.db.models import Prefetch, Q

    from .models import RoleAssignment, User

    qs = (User.objects.restrict(user, "view").filter(kind=User.Kind.STAFF).select_related("town")
          .prefetch_related(Prefetch("role_assignments",
                                     RoleAssignment.objects.select_related("division", "department")))
          .order_by("username"))
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        qs = qs.filter(role_assignments__role=role).distinct()
    return qs


def staff_get(*, user: Any, pk: Any, action: str = "view") -> Any:
    from .models import User

    return get_scoped(User.objects.select_related("town"), user, action, pk=pk)


def assignment_get(*, user: Any, pk: Any, action: str = "view") -> Any:
    from .models import RoleAssignment

    return get_scoped(RoleAssignment.objects.select_related("user", "division", "department"), user, action, pk=pk)


def assignment_list(*, user: Any, holder: Any) -> QuerySet[Any]:
    from .models import RoleAssignment

    return (RoleAssignment.objects.restrict(user, "view").filter(user=holder)
            .select_related("division", "department").order_by("role", "id"))



def sign_in_locks(*, user: Any) -> QuerySet[Any]:
    """The locks in force that `user` may lift: accounts of their towns (an administrator), every lock for
    the system administrator (addresses too)."""
    from django.utils import timezone

    from .models import LoginAttempt

    return (LoginAttempt.objects.restrict(user, "change").filter(locked_until__gt=timezone.now())
            .select_related("user").order_by("-locked_until", "pk"))
