"""Many cases at once for list and query-count tests (direct inserts; the engine is tested elsewhere)."""

from __future__ import annotations

import secrets
from typing import Any

from gridgov.cases.models import Case, Category


def make_cases(world: Any, n: int, *, stage: str = "reported", kind: str = "grid_event") -> list[Case]:
    cat = Category.objects.filter(code="0102").first() or Category.objects.filter(code__regex=r"^\d{4}$").first()
    lat, lon = world.point_a
    rows = [Case(kind=kind, category=cat, title=f"批量事件{i}", lat=lat + i * 1e-5, lon=lon, grid=world.grid_a,
                 town=world.town, stage=stage, number=f"SJT{i:08d}{secrets.token_hex(2)}",
                 follow_token=secrets.token_urlsafe(16)[:22], department=world.department, channel="patrol")
            for i in range(n)]
    return Case.objects.bulk_create(rows)
