"""Scope fixtures of the one window for the scope walk (docs/scope.md): an item per place, an application per
place (grid A's lodged at 泊里镇's window for 应急管理办公室 by the resident; grid B's lodged at 董家口村's
station for another department; 辛安街道's), a decided one's rating and its rectification."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone

from gridgov.network.models import Department
from gridgov.window.models import Application, Catalogue, ItemType, Rating, Rectification, ServiceItem

# The follow page and its link are public by design (number + last 4 digits, or the link's secret).
PUBLIC_ROUTES = {"window:follow", "window:follow_token", "GET /api/v1/window/follow"}


def scope_fixtures(world: Any) -> dict[str, Any]:
    other_dept = Department.objects.create(town=world.town, code="W02", name="走查社会事务办")
    places = {"grid_a": (world.town, world.town, world.department, world.resident),
              "grid_b": (world.town, world.village, other_dept, None),
              "other_town": (world.other_town, world.other_town, world.other_department, None)}
    items, apps, ratings, rects = {}, {}, {}, {}
    now = timezone.now()
    for n, (position, (town, division, dept, applicant)) in enumerate(places.items(), 1):
        item = ServiceItem.objects.create(
            town=town, catalogue=Catalogue.APPROVAL, code=f"SCOPE{n}", name=f"走查事项{n}", initials=f"zcsx{n}",
            item_type=ItemType.LICENCE, department=dept, valid_from=timezone.localdate() - dt.timedelta(days=9))
        items[position] = item
        app = Application(
            item=item, title=f"走查办件{n}", town=town, division=division, division_path=division.path,
            department=dept, channel="online" if applicant else "window", applicant=applicant,
            applicant_name=f"走查申请人{n}", applicant_phone=f"1390000000{n}", follow_token=secrets.token_urlsafe(12),
            received_at=now, stage="issuing", number=f"SQSCOPE{n:06d}", decided_at=now, decision="grant")
        app.save()
        apps[position] = app
        rating = Rating.objects.create(application=app, town=town, department=dept, rater=applicant, score=1,
                                       comment=f"走查差评{n}")
        ratings[position] = rating
        rects[position] = Rectification.objects.create(
            rating=rating, town=town, department=dept, title=f"走查整改{n}", deadline=now + dt.timedelta(days=20),
            stage="open", number=f"ZGSCOPE{n}")
    return {
        "window/items": items,
        "window/applications": apps,
        "window/rectifications": rects,
        # The follow link's token: public, the link is its own key.
        "window/follow": {"grid_a": apps["grid_a"], "grid_b": apps["grid_b"], "other_town": apps["other_town"],
                   "field": "follow_token", "canary": ()},
    }
