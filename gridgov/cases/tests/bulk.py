"""Many cases at once for indicator, sweep and Open311 tests: rows written straight to the table (the
engine's own tests cover how a case gets into each state; these tests need the states)."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gridgov.cases import rollup
from gridgov.cases.models import Case, Category
from gridgov.testing import World

SH = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def category(code: str = "0901", name: str = "暴露垃圾（测试）", amount: int = 4, unit: str = "hours") -> Category:
    parent, _ = Category.objects.get_or_create(tree="event", code=code[:2], defaults={"name": "测试大类"})
    cat, _ = Category.objects.get_or_create(tree="event", code=code, defaults={
        "name": name, "parent": parent, "deadline_amount": amount, "deadline_unit": unit})
    return cat


def make_cases(world: World, n: int, *, grid: Any = None, cat: Category | None = None, **fields: Any) -> list[Case]:
    """`n` cases in `grid` (default grid A) with `fields` set (stage, deadline, flags, ...)."""
    grid = grid or world.grid_a
    cat = cat or category()
    lat, lon = {world.grid_a.pk: world.point_a, world.grid_b.pk: world.point_b}.get(grid.pk, world.point_other)
    defaults: dict[str, Any] = {"stage": "handling", "status": "open", "kind": "grid_event"}
    defaults.update(fields)
    rows = [Case(category=cat, title=cat.name, lat=lat, lon=lon, grid=grid, town_id=grid.town_id,
                 follow_token=secrets.token_urlsafe(12), number=f"T{next(_seq):010d}", **defaults)
            for _ in range(n)]
    created = Case.objects.bulk_create(rows, batch_size=500)
    rollup.mark_cases(created)  # as every write outside the engine must (gridgov.cases.rollup)
    return created


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """These tests do not test passwords: hash the personas' quickly (import it into a test module)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
