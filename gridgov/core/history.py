"""The history tab of a detail page: the change records of one object, newest first."""

from __future__ import annotations

from typing import Any

from django.db import models


def history_for(obj: models.Model, *, user: Any, limit: int = 50) -> list[Any]:
    """Change records of `obj`. The caller has already fetched `obj` through restrict(), so the user may see
    it; personal fields inside before/after are masked unless the user may unmask them."""
    from .masking import mask
    from .models import ChangeRecord
    from .pii import may_unmask

    records = list(ChangeRecord.objects.filter(model=obj._meta.label_lower, object_id=str(obj.pk))
                   .order_by("-id")[:limit])
    pii = getattr(type(obj), "pii_fields", {})
    hide = pii and not may_unmask(user, type(obj))
    for rec in records:
        changes = []
        before, after = rec.before or {}, rec.after or {}
        for key in sorted(set(before) | set(after)):
            if key in ("version", "updated_at", "created_at"):
                continue
            b, a = before.get(key), after.get(key)
            if b != a:
                if hide and key in pii:
                    b, a = mask(pii[key], b) if b else b, mask(pii[key], a) if a else a
                changes.append((key, b, a))
        rec.changes = changes
    return records
