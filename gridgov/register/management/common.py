"""Helpers shared by the `import` and `export` commands."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.base import CommandError

from gridgov.accounts.models import User


def write_chunks(path: str, chunks: Iterable[bytes]) -> None:
    with open(path, "wb") as fh:
        for chunk in chunks:
            fh.write(chunk)


def user_named(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {username!r}")
    return user
