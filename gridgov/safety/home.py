"""Home page of safety supervision: the four colours and the early warnings as tiles of the totals strip
(after the register's, order 80–83), and the enterprise account's own colour as a card."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.homepage import Block, Home, Tile
from gridgov.core.scope import scope_q

from .models import Hazard, HazardLevel, SafetyProfile

SAFETY_COLOURS, SAFETY_MAJOR, SAFETY_CARD = 80, 84, 35


def blocks(home: Home) -> list[Block]:
    if getattr(home.user, "kind", "") != "enterprise":
        return []
    profiles = list(SafetyProfile.objects.filter(account_id=home.user.pk).select_related("enterprise")[:5])
    return [Block(SAFETY_CARD, "safety/home/my.html", {"profiles": profiles})] if profiles else []


def tiles(home: Home) -> list[Tile]:
    q = scope_q(SafetyProfile, home.user, "view")
    if q is None:
        return []
    counts = SafetyProfile.objects.filter(q).aggregate(
        red=Count("id", filter=Q(colour="red")), orange=Count("id", filter=Q(colour="orange")))
    hq = scope_q(Hazard, home.user, "view") or Q(pk__in=[])
    now = timezone.now()
    major = Hazard.objects.filter(hq, status="open", level=HazardLevel.MAJOR).aggregate(
        n=Count("id"), late=Count("id", filter=Q(deadline__lt=now) | Q(overdue=True)))
    url = reverse("safety:profile_list")
    return [Tile(SAFETY_COLOURS, _("红色风险企业"), counts["red"], url + "?colour=red"),
            Tile(SAFETY_COLOURS + 1, _("橙色风险企业"), counts["orange"], url + "?colour=orange"),
            Tile(SAFETY_MAJOR, _("未销号重大隐患"), major["n"], reverse("safety:hazard_list") + "?level=major&status=open"),
            Tile(SAFETY_MAJOR + 1, _("逾期重大隐患"), major["late"], reverse("safety:warnings"))]
