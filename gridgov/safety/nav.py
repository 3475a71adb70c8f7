"""Menu entries of safety supervision: the back office for staff who may see profiles; the enterprise's own
page for an enterprise account."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.core.scope import scope_q

from .models import SafetyProfile


def items(user: Any) -> list[dict[str, str]]:
    if getattr(user, "kind", "") == "enterprise":
        return [{"label": _("安全自查"), "url": reverse("safety:my")}]
    q = scope_q(SafetyProfile, user, "view")
    if q is None:
        return []
    return [{"label": _("安全监管"), "url": reverse("safety:home")}]
