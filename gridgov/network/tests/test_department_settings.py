"""The administrator's department pages and API (issue 15, item 4): their town only, errors under the fields,
every change audited."""

from __future__ import annotations

import json

from django.test import Client

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.core.models import ChangeRecord
from gridgov.network.models import Department


def other_admin(world) -> Client:
    u = User.objects.create(username="xinan_admin_t", display_name="辛安管理员", town=world.other_town)
    RoleAssignment.objects.create(user=u, role=Role.ADMIN, division=world.other_town)
    c = Client()
    c.force_login(u)
    return c


def test_it_lists_the_towns_departments_for_its_administrator(world, client_for):
    html = client_for("admin").get("/network/departments/").content.decode()
    assert "应急管理办公室" in html and "辛安应急办" not in html


def test_it_shows_an_administrator_of_another_town_nothing_of_this_one(world):
    c = other_admin(world)
    html = c.get("/network/departments/").content.decode()
    assert "辛安应急办" in html and "应急管理办公室" not in html
    assert c.get(f"/network/departments/{world.department.pk}/edit/").status_code == 404


def test_it_refuses_the_department_pages_to_a_town_leader(world, client_for):
    assert client_for("leader").get("/network/departments/").status_code == 403


def test_it_creates_a_department_and_audits_it(world, client_for):
    resp = client_for("admin").post("/network/departments/new/",
                                    {"town": world.town.pk, "code": "D09", "name": "农业农村办公室", "head": ""})
    d = Department.objects.get(town=world.town, code="D09")
    assert resp.status_code == 302 and ChangeRecord.objects.filter(
        model="network.department", object_id=str(d.pk), action="create").exists()


def test_it_shows_every_error_under_its_field_and_keeps_the_input(world, client_for):
    resp = client_for("admin").post("/network/departments/new/",
                                    {"town": world.town.pk, "code": "D01", "name": "", "head": ""})
    html = resp.content.decode()
    code_field = html[html.index('data-field="code"'):html.index('data-field="name"')]
    name_field = html[html.index('data-field="name"'):html.index('data-field="head"')]
    assert resp.status_code == 422
    assert "本镇街已有该部门代码" in code_field and 'value="D01"' in code_field and "必填" in name_field


def test_it_renames_a_department_and_sets_its_head(world, client_for):
    d = world.department
    resp = client_for("admin").post(f"/network/departments/{d.pk}/edit/",
                                    {"code": "D01", "name": "应急管理办", "head": world.clerk.pk,
                                     "version": d.version})
    d.refresh_from_db()
    assert resp.status_code == 302 and (d.name, d.head_id) == ("应急管理办", world.clerk.pk)


def test_it_refuses_a_head_from_another_town(world, client_for):
    d = world.department
    resp = client_for("admin").post(f"/network/departments/{d.pk}/edit/",
                                    {"code": "D01", "name": d.name, "head": world.other_leader.pk,
                                     "version": d.version})
    html = resp.content.decode()
    assert resp.status_code == 422 and "部门负责人须为本镇街在职的工作人员" in html[html.index('data-field="head"'):]


def test_it_creates_and_changes_a_department_through_the_api(world, client_for):
    c = client_for("admin")
    made = c.post("/api/v1/departments", json.dumps({"town": world.town.pk, "code": "D10", "name": "司法所"}),
                  content_type="application/json")
    changed = c.patch(f"/api/v1/departments/{made.json()['id']}",
                      json.dumps({"name": "司法所（新）", "version": made.json()["version"]}),
                      content_type="application/json")
    assert (made.status_code, changed.status_code, changed.json()["name"]) == (201, 200, "司法所（新）")


def test_it_refuses_a_department_in_another_town_through_the_api(world, client_for):
    resp = client_for("admin").post("/api/v1/departments",
                                    json.dumps({"town": world.other_town.pk, "code": "D10", "name": "司法所"}),
                                    content_type="application/json")
    assert resp.status_code == 404 and not Department.objects.filter(code="D10").exists()


def test_it_offers_the_settings_hub_to_the_administrator_only(world, client_for):
    admin_home = client_for("admin").get("/").content.decode()
    leader_home = client_for("leader").get("/").content.decode()
    hub = client_for("admin").get("/settings/").content.decode()
    assert "系统设置" in admin_home and "系统设置" not in leader_home and "/network/departments/" in hub
