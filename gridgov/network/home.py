"""The network's figures in the home page's totals strip: base grids, and for the town's leaders the villages
(communities) and region grids."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gridgov.accounts.homepage import GRIDS, REGIONS, VILLAGES, Home, Tile

from .selectors import home_counts


def tiles(home: Home) -> list[Tile]:
    counts = home_counts(user=home.user, town_levels=home.leads_town)
    divisions = reverse("network:division_list")
    shown = [(GRIDS, "grids", _("基础网格"), reverse("network:map")),
             (VILLAGES, "villages", _("村（社区）"), divisions),
             (REGIONS, "regions", _("片区网格"), divisions + "?level=4")]
    return [Tile(order, label, counts[key], link) for order, key, label, link in shown if key in counts]
