"""Per-request context (request id) and the template navigation context processor."""

from __future__ import annotations

import contextvars
import uuid
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_request_id", default="")


def current_request_id() -> str:
    rid = request_id_var.get()
    if not rid:
        rid = "cli-" + uuid.uuid4().hex[:12]
        request_id_var.set(rid)
    return rid


def navigation(request: Any) -> dict[str, Any]:
    """Menu entries for the signed-in user, each shown only when the user may see something there."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    from django.conf import settings
    from django.utils.module_loading import import_string

    items = []
    for path in getattr(settings, "GRIDGOV_NAV", []):
        items.extend(import_string(path)(user))
    return {"nav": items}
