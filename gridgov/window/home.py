"""Home page of the one window: the queues waiting for the front desk or the department (with 申办服务事项 for
residents and enterprises), and for those who oversee an area this month's applications and the on-time rate."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.homepage import Block, Home, Tile
from gridgov.core.scope import scope_q

from .models import Application

QUEUES = 15  # between the case queues (10) and the case summary (20)
MONTH_TILE, ON_TIME_TILE = 80, 90


def blocks(home: Home) -> list[Block]:
    if not home.assignments:
        return [Block(QUEUES, "window/home/apply.html", {})]
    desk, dept = scope_q(Application, home.user, "accept"), scope_q(Application, home.user, "approve")
    if desk is None and dept is None:
        return []
    none = Q(pk__in=[])
    counts = Application.objects.filter(status="open").aggregate(
        desk=Count("id", filter=(desk or none) & Q(stage="received")),
        issue=Count("id", filter=(desk or none) & Q(stage="issuing")),
        review=Count("id", filter=(dept or none) & Q(stage__in=("reviewing", "deciding", "suspended"))),
        overdue=Count("id", filter=((desk or none) | (dept or none)) & Q(overdue=True)))
    queues = []
    if desk is not None:
        queues += [("desk", _("待受理"), counts["desk"]), ("issue", _("待出件"), counts["issue"])]
    if dept is not None:
        queues.append(("review", _("审查决定"), counts["review"]))
    return [Block(QUEUES, "window/home/queues.html", {"queues": queues, "overdue": counts["overdue"]})]


def tiles(home: Home) -> list[Tile]:
    q = scope_q(Application, home.user, "view")
    if q is None:
        return []
    start = timezone.localdate().replace(day=1)
    c = Application.objects.filter(q).aggregate(
        month=Count("id", filter=Q(received_at__date__gte=start)),
        decided=Count("id", filter=Q(decided_at__date__gte=start)),
        on_time=Count("id", filter=Q(decided_at__date__gte=start, on_time=True)))
    url = reverse("window:indicators")
    rate = f"{100 * c['on_time'] / c['decided']:.1f}%" if c["decided"] else "—"
    return [Tile(MONTH_TILE, _("本月办件"), c["month"], reverse("window:application_list")),
            Tile(ON_TIME_TILE, _("本月按时办结率"), rate, url)]
