"""Menu entry of core: 我的待办, with how much waits (every flow's work, gridgov.core.flow.inbox)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .flow.inbox import inbox_count

CAP = 99


def items(user: Any) -> list[dict[str, str]]:
    n = inbox_count(user=user, cap=CAP)
    shown = f"{CAP}+" if n > CAP else str(n)
    return [{"label": _("我的待办 (%(n)s)") % {"n": shown}, "url": reverse("core:inbox")}]
