"""The party's work in 我的待办 (gridgov.core.flow.inbox): point claims to confirm, members' registrations to
approve, objections to published points to answer, each for whoever may decide it (the branch secretary, the
town's party office), one SELECT each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.inbox import Source, annotate_source, register_source, url_of

from .access import party_q
from .models import Member, Objection, PointClaim


@dataclass(frozen=True)
class Pending:
    """One kind of party decision waiting in someone's inbox: the rows of `model` matching `waiting`."""

    source: str
    model: Any
    waiting: Q
    kind: Any
    stage: Any
    title: Any
    url: str

    def rows(self, user: Any) -> QuerySet | None:
        """What `user` may decide of it, or None when they may decide none (no SELECT at all)."""
        q = party_q(self.model, user, "approve")
        if q is None:
            return None
        qs = self.model.objects.filter(q & self.waiting) if q else self.model.objects.filter(self.waiting)
        return annotate_source(qs, source=self.source, kind=self.kind, stage=self.stage, title=self.title,
                               url=url_of(self.url))


PENDING = (
    Pending("party.pointclaim", PointClaim, Q(state=PointClaim.State.PENDING), _("积分申报"), _("待书记审核"),
            Concat(F("member__name"), Value("："), F("description")), "/party/points/claims/{pk}/decide/"),
    Pending("party.member", Member, Q(registration=Member.Registration.PENDING), _("党员注册"), _("待支部审核"),
            F("name"), "/party/members/{pk}/"),
    Pending("party.objection", Objection, Q(state=Objection.State.PENDING), _("公示异议"), _("待答复"),
            Concat(F("member__name"), Value("："), F("text")), "/party/points/objections/{pk}/"),
)


def install() -> None:
    """Called from PartyConfig.ready()."""
    for pending in PENDING:
        register_source(Source(pending.source, pending.rows))
