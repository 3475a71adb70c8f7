"""The window's work in 我的待办 that is not a stage of the flow: an extension (延期) asked for, waiting for a town
leader's approval (one SELECT). The stages themselves come in by their declaration (`Stage.waits_for`)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gridgov.core.flow.inbox import Source, annotate_source, register_source, url_of
from gridgov.core.scope import scope_q

from .models import Application


def extension_requests(user: Any) -> QuerySet | None:
    q = scope_q(Application, user, "extend")
    if q is None:
        return None
    qs = Application.objects.filter(q & Q(status="open", extension_requested=True, extended=False))
    return annotate_source(qs, source="window.extension", kind=_("延期审批"), stage=_("待批准延期"), title=F("title"),
                           number=F("number"), url=url_of(Application.FLOW_URL), deadline="deadline")


def install() -> None:
    """Called from WindowConfig.ready()."""
    register_source(Source("window.extension", extension_requests))
