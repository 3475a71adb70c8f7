"""Small configuration tables kept per process: read on every report or check-in, changed a few times a year.

A `ProcessTable` loads its rows once and keeps them for `TTL` seconds. A save or delete of a watched model in
this process clears it at once (post_save / post_delete); another process's change is seen within the TTL.
Subclasses say what to load; callers get copies of the cached instances, so they cannot alter the cache.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.db import models


class ProcessTable:
    TTL = 30.0
    instances: ClassVar[list[ProcessTable]] = []  # every table, for tests to clear between rolled-back tests

    def __init__(self) -> None:
        self._loaded_at = -1e9
        self._data: Any = None
        ProcessTable.instances.append(self)

    def load(self) -> Any:
        """The table's contents, read from the database."""
        raise NotImplementedError

    def clear(self, **_kwargs: Any) -> None:
        self._loaded_at = -1e9

    def data(self) -> Any:
        now = time.monotonic()
        if now - self._loaded_at > self.TTL:
            self._data, self._loaded_at = self.load(), now
        return self._data

    def watch(self, model: type[models.Model]) -> None:
        """Clear the table when a row of `model` is saved or deleted in this process (call from `ready()`)."""
        from django.db.models.signals import post_delete, post_save

        uid = f"gridgov-table-{id(self)}-{model._meta.label}"
        post_save.connect(self.clear, sender=model, dispatch_uid=uid)
        post_delete.connect(self.clear, sender=model, dispatch_uid=uid + "-del")
