"""Inspection tasks in 我的待办 (gridgov.core.flow.inbox): the inspections assigned to a person and not yet
submitted, by their due date, one SELECT. Hazards reach the inbox through their flow's stages."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.inbox import Source, annotate_source, register_source, url_of

from .models import Inspection


def rows(user: Any) -> QuerySet | None:
    if not getattr(user, "is_authenticated", False):
        return None
    qs = Inspection.objects.filter(Q(inspector_id=user.pk) & Q(state__in=[Inspection.State.ASSIGNED,
                                                                       Inspection.State.ONGOING]))
    return annotate_source(qs, source="safety.inspection", kind=_("安全检查"), stage=_("待检查"),
                           title=Concat(F("profile__enterprise__name"), Value("："), F("template__name")),
                           url=url_of("/safety/inspections/{pk}/"),
                           deadline="due_on")


def install() -> None:
    register_source(Source("safety.inspection", rows))
