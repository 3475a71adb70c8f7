"""Scoped access for party rows: the core division/department/own scopes, plus the organisation tree.

A party row is reachable
- through the core scopes (`ScopeSpec`): roles held over a division subtree (the town party office holds
  `party_secretary` over the town; a leader reads) and a member's own rows;
- through the organisation tree: an officer (书记, 副书记, 委员, 党建办) of an organisation acts on its whole
  subtree, one prefix match on `PartyOrganisation.path`;
- as a member, for reading what concerns their branch (its meetings, the town's courses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from gridgov.core.scope import ScopedQuerySet, ScopeSpec, scope_q

# What an officer may do on the rows of their subtree.
OFFICER_ACTIONS = frozenset({"view", "add", "change", "view_pii", "approve", "export"})


@dataclass(frozen=True)
class PartyScope(ScopeSpec):
    # lookup to the PartyOrganisation ("self" for the tree itself), or a tuple of them (either side)
    org: str | tuple[str, ...] | None = None
    # what a member may read: "org" → rows of their branch/group via `org`; "town" → rows of their town
    member_view: str | None = None


@dataclass(frozen=True)
class PartyContext:
    officer_paths: tuple[str, ...]
    member_id: int | None
    member_orgs: tuple[int, ...]
    member_town: int | None


def party_context(user: Any) -> PartyContext:
    """The user's posts and membership, read once per request (cached on the user object)."""
    cached = getattr(user, "_party_ctx", None)
    if cached is not None:
        return cached
    from .models import OrgOfficer

    paths = tuple(OrgOfficer.objects.filter(user_id=user.pk).values_list("org__path", flat=True))
    m = approved_member(user.pk).values("id", "org_id", "group_id", "town_id").first()
    ctx = PartyContext(paths, m["id"] if m else None,
                       tuple(x for x in ((m["org_id"], m["group_id"]) if m else ()) if x), m["town_id"] if m else None)
    user._party_ctx = ctx
    return ctx


def approved_member(user_id: Any) -> QuerySet:
    """The member record of an account: active and approved by the branch (at most one is expected; the
    first by id counts)."""
    from .models import Member

    return Member.objects.filter(user_id=user_id, active=True, registration=Member.Registration.APPROVED
                                 ).order_by("id")


def forget(user: Any) -> None:
    if hasattr(user, "_party_ctx"):
        del user._party_ctx


def _lookup(org: str, suffix: str) -> str:
    return suffix if org == "self" else f"{org}__{suffix}"


def party_q(model: type[models.Model], user: Any, action: str) -> Q | None:
    q = scope_q(model, user, action)
    if q is not None and not q:  # Q() = everything
        return q
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return None
    spec = getattr(model, "scope", None)
    if not isinstance(spec, PartyScope):
        return q
    ctx = party_context(user)
    parts: list[Q] = [q] if q is not None else []
    orgs = (spec.org,) if isinstance(spec.org, str) else (spec.org or ())
    if ctx.officer_paths and action in OFFICER_ACTIONS:
        for org in orgs:
            for path in ctx.officer_paths:
                parts.append(Q(**{_lookup(org, "path__startswith"): path}))
    if action == "view" and ctx.member_id is not None and spec.member_view:
        if spec.member_view == "org" and orgs:
            parts.append(Q(**{_lookup(orgs[0], "id__in"): list(ctx.member_orgs)}))
        elif spec.member_view == "town" and spec.division:
            parts.append(Q(**{f"{spec.division}_id": ctx.member_town}))
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


class PartyQuerySet(ScopedQuerySet):
    def restrict(self, user: Any, action: str = "view") -> PartyQuerySet:
        q = party_q(self.model, user, action)
        if q is None:
            return self.none()
        return self.filter(q) if q else self


PartyManager = models.Manager.from_queryset(PartyQuerySet)


def party_can(user: Any, action: str, model: type[models.Model]) -> bool:
    # A core scope is enough to answer yes (party_q only widens it): no need to read the user's posts.
    return scope_q(model, user, action) is not None or party_q(model, user, action) is not None
