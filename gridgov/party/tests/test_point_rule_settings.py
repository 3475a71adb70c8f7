"""The administrator's points rules (issue 15, item 4): the town's own rules override the defaults there only."""

from __future__ import annotations

from gridgov.core.models import ChangeRecord
from gridgov.party.models import PointRule
from gridgov.party.services import rule_for


def test_it_creates_a_town_rule_that_overrides_the_default_there_only(world, client_for):
    resp = client_for("admin").post("/party/point-rules/new/", {
        "town": world.town.pk, "code": "volunteer", "label": "志愿服务（本镇）", "category": "volunteer",
        "points": "3", "annual_cap": "30", "claimable": "1", "active": "1"})
    rule = PointRule.objects.get(town=world.town, code="volunteer")
    assert resp.status_code == 302 and rule_for("volunteer", world.town.pk).points == 3
    assert rule_for("volunteer", world.other_town.pk).points == 2
    assert ChangeRecord.objects.filter(model="party.pointrule", object_id=str(rule.pk), action="create").exists()


def test_it_shows_every_error_of_a_rule_under_its_field(world, client_for):
    resp = client_for("admin").post("/party/point-rules/new/", {
        "town": world.town.pk, "code": "Bad Code", "label": "", "category": "volunteer",
        "points": "500", "annual_cap": "x", "claimable": "0", "active": "1"})
    html = resp.content.decode()
    assert resp.status_code == 422
    for name in ("code", "label", "points", "annual_cap"):
        start = html.index(f'data-field="{name}"')
        assert "field-error" in html[start:html.index("</div>", start)], name


def test_an_administrator_of_another_town_sees_nothing_of_this_towns_rules(world, client_for):
    rule = PointRule.objects.create(town=world.town, code="walk_x", category="other", label="本镇独有规则", points=1)
    assert client_for("other_leader").get(f"/party/point-rules/{rule.pk}/edit/").status_code in (403, 404)
    assert "本镇独有规则" in client_for("admin").get("/party/point-rules/").content.decode()
