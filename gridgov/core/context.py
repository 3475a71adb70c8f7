"""Per-request context (request id) and the template navigation context processor."""

from __future__ import annotations

import contextvars
import uuid
from types import ModuleType
from typing import Any

from django.utils.functional import SimpleLazyObject

from .hooks import cached_app_modules

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("gridgov_request_id", default="")


def current_request_id() -> str:
    rid = request_id_var.get()
    if not rid:
        rid = "cli-" + uuid.uuid4().hex[:12]
        request_id_var.set(rid)
    return rid


def nav_modules() -> tuple[ModuleType, ...]:
    """The `nav` modules of gridgov's apps, in app order; looked for once per process."""
    return tuple(m for _label, m in cached_app_modules("nav"))


def navigation(request: Any) -> dict[str, Any]:
    """Menu entries for the signed-in user: each gridgov app may have `nav.py` with `items(user)` returning
    [{"label", "url"}], shown only where the user may see something. Worked out when a template shows the
    menu, not for every template rendered with the request."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    # An entry may carry "order" (default 0) to stand after the others (系统设置 last).
    return {"nav": SimpleLazyObject(lambda: sorted((item for m in nav_modules() for item in m.items(user)),
                                                   key=lambda item: item.get("order", 0)))}
