"""Scope fixtures of the case engine for the scope walk (docs/scope.md): a case in grid A (dispatched to
the town's 应急管理办公室), one in grid B and one in 辛安街道, each with a photo and a title found nowhere else."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from gridgov.cases.models import Attachment, Case, Category
from gridgov.cases.tests.settings_fixtures import settings_fixtures

# A 1×1 PNG: the smallest photo the sniffing accepts.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

PUBLIC_ROUTES = {
    "cases:report", "cases:follow", "cases:photo",
    "POST /api/v1/cases/public/cases", "GET /api/v1/cases/cases/categories",
    "GET /api/v1/cases/cases/duplicates", "GET /api/v1/cases/cases/follow/{token}",
    "POST /api/v1/cases/cases/follow/{token}/rate", "POST /api/v1/cases/cases/follow/{token}/photos",
}
BODIES = {
    "POST /api/v1/cases/cases/{pk}/transitions/{name}": {"version": 1, "note": "走查", "data": {}},
    "POST /api/v1/cases/cases/{pk}/merge": {"into": 1},
}


def scope_fixtures(world: Any) -> dict[str, Any]:
    parent, _ = Category.objects.get_or_create(tree="event", code="99", defaults={"name": "走查大类"})
    cat, _ = Category.objects.get_or_create(tree="event", code="9901",
                                            defaults={"name": "走查小类", "parent": parent})
    places = {"grid_a": (world.grid_a, world.point_a, world.department, "甲"),
              "grid_b": (world.grid_b, world.point_b, None, "乙"),
              "other_town": (world.other_grid, world.point_other, world.other_department, "丙")}
    cases, photos = {}, {}
    for i, (pos, (grid, (lat, lon), dept, mark)) in enumerate(places.items(), start=1):
        c = Case.objects.create(
            kind="grid_event", category=cat, title=f"走查{mark}事件", description=f"走查{mark}描述", lat=lat,
            lon=lon, grid=grid, town=grid.town, department=dept, stage="dispatched" if dept else "reported",
            number=f"SJSCOPE{i:04d}", follow_token=f"scope-token-{pos}", channel="patrol")
        cases[pos] = c
        a = Attachment(case=c, content_type="image/png", size=len(PNG), original_name=f"走查{mark}照片.png")
        a.file.save("scope.png", ContentFile(PNG), save=False)
        a.save()
        photos[pos] = a
    return {
        "cases": cases,
        "cases/photos": photos,
        "follow": {**cases, "field": "follow_token", "canary": ()},
        "flows": "grid_event",
        "fire": "file",
        "transitions": "file",
        **settings_fixtures(world, cat),
    }
