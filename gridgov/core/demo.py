"""`gridgov demo`: the demo is laid by one app and extended by the others, each through its `<app>/demo.py`
(found over INSTALLED_APPS like `nav.py`, `core/hooks.py`); core imports none of them.

A demo module may define

    def foundation(*, seed: int | None, out) -> ctx   # lays the towns, grids, staff, register; returns the context
    def seed(ctx) -> None                            # adds the app's demo data on top
    AFTER = ("cases",)                               # labels of apps whose seed must have run before this one

Exactly one installed app lays the foundation (gridgov.demo); every seed runs after it, in INSTALLED_APPS order
unless `AFTER` asks for another (a seed that names an app not installed, or a cycle, stops the run before it
writes anything). Each seed runs in its own transaction: an exception rolls that seed back and stops the run.
The context is the foundation's (gridgov/demo/context.py `DemoContext` documents what a seed receives); core
reads only its `logins` ((persona, user name, where) rows) and `password` to print them at the end.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from . import audit
from .hooks import app_modules

HOOK = "demo"


@dataclass(frozen=True)
class DemoHook:
    """One app's demo module: its label, the module, and the labels its seed runs after."""

    label: str
    module: ModuleType

    @property
    def after(self) -> tuple[str, ...]:
        return tuple(getattr(self.module, "AFTER", ()))


def ordered(hooks: Sequence[DemoHook], installed: Sequence[str] = ()) -> list[DemoHook]:
    """The hooks in run order: each after every hook its `AFTER` names, otherwise in the given order (a stable
    topological sort). `installed`: labels of the installed apps; a named app that is installed but has no seed
    constrains nothing, one that is not installed (nor among the hooks) is an error, and so is a cycle."""
    known = {h.label for h in hooks}
    for h in hooks:
        missing = [a for a in h.after if a not in known and a not in installed]
        if missing:
            raise ImproperlyConfigured(f"the demo seed of {h.label!r} runs after {missing}, which is not installed")
    done: list[DemoHook] = []
    waiting = list(hooks)
    while waiting:
        ready = next((h for h in waiting if all(a not in known or a in {d.label for d in done} for a in h.after)),
                     None)
        if ready is None:
            raise ImproperlyConfigured("the demo seeds wait for each other: "
                                       + ", ".join(f"{h.label} after {list(h.after)}" for h in waiting))
        done.append(ready)
        waiting.remove(ready)
    return done


def demo_hooks() -> tuple[DemoHook, list[DemoHook]]:
    """(the foundation's hook, the app seeds in run order). Looked for on each run, not cached."""
    from django.apps import apps

    found = [DemoHook(label, module) for label, module in app_modules(HOOK)]
    layers = [h for h in found if callable(getattr(h.module, "foundation", None))]
    if len(layers) != 1:
        raise ImproperlyConfigured(f"exactly one installed app must lay the demo's foundation; found "
                                   f"{[h.label for h in layers]} (gridgov.demo does)")
    seeds = [h for h in found if callable(getattr(h.module, "seed", None))]
    return layers[0], ordered(seeds, [c.label for c in apps.get_app_configs()])


def _audit_count() -> int:
    """Records written so far: the chain's length plus those waiting for their seal."""
    from .models import AuditHead

    sealed = AuditHead.objects.filter(pk=1).values_list("count", flat=True).first() or 0
    return sealed + audit.unsealed_count()


def run_demo(*, seed: int | None = None, out: Callable[[str], None] = print, with_apps: bool = True) -> Any:
    """Build whatever part of the demo is missing; a second run changes nothing and says so. Returns the
    foundation's context."""
    started = time.monotonic()
    audit_before = _audit_count()
    layer, seeds = demo_hooks()
    ctx = layer.module.foundation(seed=seed, out=out)
    if with_apps:
        for hook in seeds:
            t0 = time.monotonic()
            before = _audit_count()
            # No audit collection around the seed: services it calls record their own acting user.
            with transaction.atomic():
                hook.module.seed(ctx)
            added = _audit_count() - before
            out(f"{hook.label}: {'unchanged' if not added else f'{added} record(s)'} — "
                f"{time.monotonic() - t0:.1f} s")

    added = _audit_count() - audit_before
    if added:
        out(f"演示数据已生成 / demo data built: {added} audited rows in {time.monotonic() - started:.1f} s "
            "(synthetic data: names, IDs and places are made up)")
    else:
        out("演示数据已存在，本次未作任何改动 / demo data already present: nothing changed")
    out("")
    out(f"演示账号（密码均为 / password for all: {ctx.password}）")
    width = max((_columns(p) for p, _u, _w in ctx.logins), default=0)
    for persona, username, where in ctx.logins:
        out(f"  {_pad(persona, width)}  {username:<20} {where}".rstrip())
    return ctx


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal where CJK characters take two columns."""
    return text + " " * max(0, width - _columns(text))


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
