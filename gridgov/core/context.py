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
    """Menu entries for the signed-in user: each gridgov app may have `nav.py` with `items(user)` returning
    [{"label", "url"}], shown only where the user may see something."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    items: list[dict[str, str]] = []
    for config in apps.get_app_configs():
        if config.name.startswith("gridgov.") and find_spec(f"{config.name}.nav"):
            items.extend(import_module(f"{config.name}.nav").items(user))
    return {"nav": items}
