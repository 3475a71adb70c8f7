"""The demo hook of gridgov.demo (gridgov/core/demo.py): it lays the foundation — 黄岛区 with 泊里镇 and 辛安街道,
their grids, departments, staff and register — and returns the `DemoContext` every app's `seed(ctx)` receives."""

from __future__ import annotations

from collections.abc import Callable

from .context import DemoContext


def foundation(*, seed: int | None = None, out: Callable[[str], None] = print) -> DemoContext:
    from .runner import foundation as lay

    return lay(seed=seed, out=out)
