"""Scoped access: every queryset is narrowed by `restrict(user, action)`.

A model says how its rows map to the division tree, to a department or to an owning user with a
`ScopeSpec`. A user says what they may do with `user.grants(action, resource)`, a list of `Grant`s
(all rows / a division subtree by path / a department / own rows). The two meet here, and only here.
After every write, services read the row back through `restrict()` inside the transaction
(`ensure_visible`), so nobody can move a record out of their own scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q

from .errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Grant:
    kind: str  # "all" | "division" | "department" | "own"
    value: Any = None  # division path, department id or user id


@dataclass(frozen=True)
class ScopeSpec:
    """How a model's rows map to scopes. Each is a lookup path from the model, or None if not applicable."""

    division: str | None = None  # path to a Division FK ("self" for the tree itself); rows follow its subtree
    department: str | None = None  # path to a Department FK
    owner: str | None = None  # path to a User FK


def _target_model(model: type[models.Model], path: str) -> type[models.Model]:
    """The model a lookup path such as "case__grid" ends on."""
    current = model
    for part in path.split("__"):
        current = current._meta.get_field(part).related_model
    return current


def _subtree_q(model: type[models.Model], path: str, prefix: str) -> Q:
    """Rows whose division lies in the subtree at `prefix`, as `fk IN (SELECT id … WHERE path LIKE 'prefix%')`:
    the planner can then walk the row's own index (newest first for a list page) instead of joining and sorting
    every row of the subtree."""
    if path == "self":
        return Q(path__startswith=prefix)
    tree = _target_model(model, path)
    return Q(**{f"{path}__in": tree._default_manager.filter(path__startswith=prefix).values("pk")})


def resource_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def scope_q(model: type[models.Model], user: Any, action: str) -> Q | None:
    """Q narrowing `model` to what `user` may `action`; None means nothing at all."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    spec: ScopeSpec = getattr(model, "scope", ScopeSpec())
    q: Q | None = None
    for grant in user.grants(action, resource_of(model)):
        if grant.kind == "all":
            return Q()
        part: Q | None = None
        if grant.kind == "division" and spec.division:
            part = _subtree_q(model, spec.division, grant.value)
        elif grant.kind == "department" and spec.department:
            part = Q(**{"pk" if spec.department == "self" else spec.department: grant.value})
        elif grant.kind == "own" and spec.owner:
            part = Q(**{spec.owner: grant.value})
        if part is not None:
            q = part if q is None else q | part
    return q


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> ScopedQuerySet:
        q = scope_q(self.model, user, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def can(user: Any, action: str, model: type[models.Model]) -> bool:
    """Whether the user may `action` on at least some rows of `model` (for menus and buttons)."""
    return scope_q(model, user, action) is not None


def get_scoped(queryset: models.QuerySet, user: Any, action: str = "view", **lookup: Any) -> Any:
    """One row, visible to the user for `action`; NotFound otherwise (also for guessed ids)."""
    try:
        return queryset.restrict(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def ensure_visible(obj: models.Model, user: Any, action: str = "change") -> None:
    """After a write, inside its transaction: the user must still be able to reach the row."""
    model = type(obj)
    if not model._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied()
