"""Unmasked personal data: who may see it, and the access log written whenever they do."""

from __future__ import annotations

from typing import Any

from django.db import models

from .context import current_request_id
from .scope import scope_q


def may_unmask(user: Any, model: type[models.Model]) -> bool:
    return scope_q(model, user, "view_pii") is not None


def log_access(user: Any, *, kind: str, model: type[models.Model], object_id: Any = "", fields: list[str],
               count: int = 1, reason: str = "") -> None:
    from .models import AccessLog

    AccessLog.objects.create(user=user, kind=kind, model=model._meta.label_lower, object_id=str(object_id or ""),
                             fields=",".join(fields)[:200], count=count, reason=reason[:200],
                             request_id=current_request_id())
