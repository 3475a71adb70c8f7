"""The administrator's Open311 keys (issue 15, item 4): the town's clients made, switched off and given a new key
in the browser and the API; the key shown once and then working; another town's clients out of reach; audited."""

from __future__ import annotations

import json
import re

from django.test import Client as HttpClient

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.cases.open311.models import Client
from gridgov.cases.open311.services import client_for_key, open311_client_create
from gridgov.core.models import ChangeRecord


def _key_of(html: str) -> str:
    return re.search(r'<code id="api-key">([^<]+)</code>', html).group(1)


def test_the_administrator_makes_a_client_of_the_town_and_sees_its_key_once(world, client_for):
    resp = client_for("admin").post("/open311/clients/new/", {"town": world.town.pk, "name": "12345热线平台",
                                                              "contact": "市热线办"})
    key = _key_of(resp.content.decode())
    client = Client.objects.get(name="12345热线平台")
    assert client.town == world.town and client_for_key(key) == client
    assert key not in client_for("admin").get("/open311/clients/").content.decode()


def test_it_audits_a_new_client_without_its_key(world, client_for):
    client_for("admin").post("/open311/clients/new/", {"town": world.town.pk, "name": "随手拍", "contact": ""})
    record = ChangeRecord.objects.get(model="open311.client", action="create")
    assert "key_hash" not in record.after and record.after["name"] == "随手拍"


def test_it_names_a_missing_name_under_its_field(world, client_for):
    resp = client_for("admin").post("/open311/clients/new/", {"town": world.town.pk, "name": "", "contact": "张"})
    html = resp.content.decode()
    assert resp.status_code == 422 and "必填" in html[html.index('data-field="name"'):html.index('data-field="contact"')]
    assert not Client.objects.exists()


def test_a_new_key_replaces_the_old_one_at_once(world, client_for):
    client, old = open311_client_create(name="随手拍", town=world.town, acting_user=None)
    new = _key_of(client_for("admin").post(f"/open311/clients/{client.pk}/rotate/").content.decode())
    assert client_for_key(old) is None and client_for_key(new) == client


def test_a_switched_off_client_is_refused(world, client_for):
    client, key = open311_client_create(name="随手拍", town=world.town, acting_user=None)
    resp = client_for("admin").post(f"/open311/clients/{client.pk}/edit/",
                                    {"name": "随手拍", "contact": "", "active": "0", "version": client.version})
    assert resp.status_code == 302 and client_for_key(key) is None


def test_an_administrator_of_another_town_cannot_reach_this_towns_clients(world):
    client, key = open311_client_create(name="随手拍", town=world.town, acting_user=None)
    u = User.objects.create(username="xinan_admin_o", display_name="辛安管理员", town=world.other_town)
    RoleAssignment.objects.create(user=u, role=Role.ADMIN, division=world.other_town)
    c = HttpClient()
    c.force_login(u)
    assert "随手拍" not in c.get("/open311/clients/").content.decode()
    assert c.post(f"/open311/clients/{client.pk}/rotate/").status_code == 404
    assert client_for_key(key) == client


def test_a_client_of_every_town_is_not_the_town_administrators(world, client_for):
    open311_client_create(name="全市平台", acting_user=None)
    assert "全市平台" not in client_for("admin").get("/open311/clients/").content.decode()


def test_a_town_leader_may_not_manage_keys(world, client_for):
    assert client_for("leader").get("/open311/clients/").status_code == 403


def test_the_api_makes_a_client_and_rotates_its_key(world, client_for):
    c = client_for("admin")
    made = c.post("/api/v1/open311/clients", json.dumps({"town": world.town.pk, "name": "随手拍"}),
                  content_type="application/json")
    assert made.status_code == 201 and client_for_key(made.json()["api_key"]).name == "随手拍"
    rotated = c.post(f"/api/v1/open311/clients/{made.json()['id']}/rotate")
    assert client_for_key(made.json()["api_key"]) is None and client_for_key(rotated.json()["api_key"]).name == "随手拍"


def test_the_api_refuses_a_stale_version(world, client_for):
    client, _key = open311_client_create(name="随手拍", town=world.town, acting_user=None)
    resp = client_for("admin").patch(f"/api/v1/open311/clients/{client.pk}",
                                     json.dumps({"active": False, "version": client.version + 5}),
                                     content_type="application/json")
    assert resp.status_code == 409 and Client.objects.get(pk=client.pk).active
