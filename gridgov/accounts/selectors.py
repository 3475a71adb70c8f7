"""Reads for the home page: the blocks and tiles each app feeds it through its `home.py` (see `homepage`)."""

from __future__ import annotations

from typing import Any

from gridgov.core.hooks import cached_app_modules

from .homepage import Block, Home, Tile


def home_summary(*, user: Any) -> dict[str, Any]:
    """Everything the home page shows for this user: the apps' `blocks` and, for who oversees an area, the
    `tiles` of the totals strip, each in order."""
    home = Home(user=user, assignments=user.assignments_cached())
    blocks: list[Block] = []
    tiles: list[Tile] = []
    for _label, module in cached_app_modules("home"):
        if hasattr(module, "blocks"):
            blocks.extend(module.blocks(home))
        if home.overview and hasattr(module, "tiles"):
            tiles.extend(module.tiles(home))
    # sorted() is stable: equal orders keep the apps' INSTALLED_APPS order.
    return {"assignments": home.assignments, "blocks": sorted(blocks, key=lambda b: b.order),
            "tiles": sorted(tiles, key=lambda t: t.order)}
