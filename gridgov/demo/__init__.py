"""The demo towns (gridgov demo): 泊里镇 and 辛安街道 of 黄岛区, built deterministically with the counts of the
article (DESIGN.md "Demo data"), then extended by each app's `<app>.demo.seed(ctx)`.

An app without models, installed last: `gridgov demo` (gridgov/core/demo.py) finds its foundation hook in
`demo.py` as it finds every app's seed, and imports nothing of it. See `context.DemoContext` for what an app's
seed receives, `data` for the tables the towns are built from, and docs/demo.md for the whole story.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DemoContext", "DemoTown", "run_demo"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `gridgov.demo.geometry` and friends import before Django is set up.
    if name in ("DemoContext", "DemoTown"):
        from . import context

        return getattr(context, name)
    if name == "run_demo":  # the whole `gridgov demo`, foundation and seeds
        from gridgov.core.demo import run_demo

        return run_demo
    raise AttributeError(name)
