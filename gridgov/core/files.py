"""Files stored during a write: deleted again when the write fails, so an error leaves neither rows nor files."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any, TypeVar

F_ = TypeVar("F_", bound=Callable[..., Any])

_stored: contextvars.ContextVar[list[tuple[Any, str]] | None] = contextvars.ContextVar("gridgov_stored_files",
                                                                                 default=None)


def files_rolled_back(fn: F_) -> F_:
    """Outside a service's transaction: if the call fails (also at commit), delete the files it stored,
    so an error leaves nothing behind, neither rows nor files."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = _stored.set([]) if _stored.get() is None else None
        try:
            return fn(*args, **kwargs)
        except BaseException:
            for storage, name in _stored.get() or []:
                try:
                    storage.delete(name)
                except OSError:
                    pass
            raise
        finally:
            if token is not None:
                _stored.reset(token)

    return wrapper  # type: ignore[return-value]



def remember_stored(storage: Any, name: str) -> None:
    """Note a file just stored, so that `files_rolled_back` deletes it if the write fails."""
    stored = _stored.get()
    if stored is not None:
        stored.append((storage, name))
