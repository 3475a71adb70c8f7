"""The demo towns (gridgov demo): 泊里镇 and 辛安街道 of 黄岛区, built deterministically with the counts of the
article (DESIGN.md "Demo data"), then extended by each app's `<app>.demo.seed(ctx)`.

A package, not a Django app: the console command is gridgov/core/management/commands/demo.py. See
`context.DemoContext` for what an app's seed receives, `data` for the tables the towns are built from.
"""

from .context import DemoContext, DemoTown
from .runner import run_demo

__all__ = ["DemoContext", "DemoTown", "run_demo"]
