"""How an app plugs into a page or a command that a lower floor owns, without that floor importing it.

The owner names a module (`nav`, `home`, `demo`); every installed gridgov app that has `gridgov/<app>/<name>.py`
(or a package of that name) takes part, in INSTALLED_APPS order. The owner imports nothing of the apps: a new app
adds its module and touches no one else's code. `core/tests/test_layers.py` keeps the floors apart.
"""

from __future__ import annotations

import functools
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType


def app_modules(name: str) -> tuple[tuple[str, ModuleType], ...]:
    """(app label, `<app>.<name>` module) of every installed gridgov app that has one, in INSTALLED_APPS order.
    Looked for on every call: use `cached_app_modules` on a request's path."""
    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        module = f"{config.name}.{name}"
        if find_spec(module) is not None:
            found.append((config.label, import_module(module)))
    return tuple(found)


@functools.cache
def cached_app_modules(name: str) -> tuple[tuple[str, ModuleType], ...]:
    """`app_modules(name)` looked for once per process (find_spec of a module that does not exist searches the
    file system every time)."""
    return app_modules(name)
