"""The administrator edits the points rules table in the admin; every change is audited and takes effect."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.core.models import ChangeRecord
from gridgov.party import services
from gridgov.party.models import PointRule, PointYear


@pytest.fixture
def admin_client(party, client):
    client.force_login(User.objects.create_superuser("root", password="gridgov-root-1"))
    return client


def _form(rule: PointRule, **changes: object) -> dict[str, object]:
    data = {"code": rule.code, "town": rule.town_id or "", "category": rule.category, "label": rule.label,
            "points": rule.points, "annual_cap": rule.annual_cap or "", "claimable": "on" if rule.claimable else "",
            "active": "on" if rule.active else ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_the_administrator_raises_the_volunteer_points_and_the_change_is_audited(admin_client):
    rule = PointRule.objects.get(code="volunteer", town__isnull=True)
    resp = admin_client.post(f"/admin/party/pointrule/{rule.pk}/change/", _form(rule, points=3))
    rec = ChangeRecord.objects.filter(model="party.pointrule", object_id=str(rule.pk)).latest("id")
    assert resp.status_code == 302 and (rec.before["points"], rec.after["points"]) == (2, 3)


def test_a_town_override_added_in_the_admin_is_audited_and_used_for_its_members(admin_client, party, world):
    rule = PointRule.objects.get(code="volunteer", town__isnull=True)
    resp = admin_client.post("/admin/party/pointrule/add/", _form(rule, town=world.town.pk, points=5,
                                                                  annual_cap=30))
    assert resp.status_code == 302
    override = PointRule.objects.get(code="volunteer", town=world.town)
    assert ChangeRecord.objects.filter(model="party.pointrule", object_id=str(override.pk), action="create").exists()
    claim = services.claim_submit(acting_user=party.member, rule_code="volunteer",
                                  occurred_on=timezone.localdate(), description="志愿服务")
    services.claim_decide(acting_user=party.secretary_a, claim=claim, approve=True)
    assert PointYear.objects.get(member=party.members[0]).score == 105


def test_deleting_a_rule_in_the_admin_is_audited(admin_client):
    rule = PointRule.objects.get(code="lateness", town__isnull=True)
    admin_client.post(f"/admin/party/pointrule/{rule.pk}/delete/", {"post": "yes"})
    assert ChangeRecord.objects.filter(model="party.pointrule", object_id=str(rule.pk), action="delete").exists()


def test_the_town_party_office_cannot_open_the_rules_admin(party, client_for):
    assert client_for("party_office").get("/admin/party/pointrule/").status_code == 302
