"""The party's work in 我的待办 (gridgov.core.flow.inbox): point claims to confirm, members' registrations to
approve, objections to published points to answer, each for whoever may decide it (the branch secretary, the
town's party office), one SELECT each."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.inbox import Source, annotate_source, register_source, url_of

from .access import party_q
from .models import Member, Objection, PointClaim


def _approvable(model: Any, user: Any) -> QuerySet | None:
    """The rows of `model` the user may decide, or None when they may decide none (no SELECT at all)."""
    q = party_q(model, user, "approve")
    if q is None:
        return None
    return model.objects.filter(q) if q else model.objects.all()


def _claims(user: Any) -> QuerySet | None:
    qs = _approvable(PointClaim, user)
    if qs is None:
        return None
    qs = qs.filter(state=PointClaim.State.PENDING)
    return annotate_source(qs, source="party.pointclaim", kind=_("积分申报"), stage=_("待书记审核"),
                           title=Concat(F("member__name"), Value("："), F("description")),
                           url=url_of("/party/points/claims/{pk}/decide/"))


def _registrations(user: Any) -> QuerySet | None:
    qs = _approvable(Member, user)
    if qs is None:
        return None
    qs = qs.filter(registration=Member.Registration.PENDING)
    return annotate_source(qs, source="party.member", kind=_("党员注册"), stage=_("待支部审核"),
                           title=F("name"), url=url_of("/party/members/{pk}/"))


def _objections(user: Any) -> QuerySet | None:
    qs = _approvable(Objection, user)
    if qs is None:
        return None
    qs = qs.filter(state=Objection.State.PENDING)
    return annotate_source(qs, source="party.objection", kind=_("公示异议"), stage=_("待答复"),
                           title=Concat(F("member__name"), Value("："), F("text")),
                           url=url_of("/party/points/objections/{pk}/"))


def install() -> None:
    """Called from PartyConfig.ready()."""
    for name, rows in (("party.claims", _claims), ("party.registrations", _registrations),
                       ("party.objections", _objections)):
        register_source(Source(name, rows))
