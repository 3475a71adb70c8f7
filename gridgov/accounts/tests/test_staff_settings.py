"""The administrator's staff pages and API (issue 15, item 4): accounts and roles of their own town only,
errors under the fields, every change audited."""

from __future__ import annotations

import json

from django.test import Client

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.core.models import ChangeRecord


def other_admin(world) -> Client:
    u = User.objects.create(username="xinan_admin_t", display_name="辛安管理员", town=world.other_town)
    RoleAssignment.objects.create(user=u, role=Role.ADMIN, division=world.other_town)
    c = Client()
    c.force_login(u)
    return c


def test_it_lists_the_towns_staff_with_their_roles(world, client_for):
    html = client_for("admin").get("/staff/").content.decode()
    assert "网格员甲" in html and "专职网格员（网格A）" in html and "辛安领导己" not in html


def test_it_lists_the_department_clerk_with_her_department_role(world, client_for):
    html = client_for("admin").get("/staff/?role=dept_staff").content.decode()
    assert "部门科员丁" in html and "网格员甲" not in html


def test_it_shows_an_administrator_of_another_town_nothing_of_this_one(world):
    c = other_admin(world)
    html = c.get("/staff/").content.decode()
    assert "辛安领导己" in html and "网格员甲" not in html
    assert c.get(f"/staff/{world.worker_a.pk}/edit/").status_code == 404


def test_it_refuses_the_staff_pages_to_a_town_leader(world, client_for):
    assert client_for("leader").get("/staff/").status_code == 403


def test_it_creates_a_staff_account_that_can_sign_in(world, client_for):
    resp = client_for("admin").post("/staff/new/", {"town": world.town.pk, "username": "boli_new01",
                                                    "display_name": "新同事", "phone": "", "password": "long-enough-1"})
    u = User.objects.get(username="boli_new01")
    assert resp.status_code == 302 and u.town_id == world.town.pk and Client().login(
        username="boli_new01", password="long-enough-1")


def test_it_shows_every_error_of_a_new_account_under_its_field(world, client_for):
    resp = client_for("admin").post("/staff/new/", {"town": world.town.pk, "username": "worker_a",
                                                    "display_name": "", "phone": "123", "password": "short"})
    html = resp.content.decode()

    def under(name: str) -> str:
        start = html.index(f'data-field="{name}"')
        return html[start:html.index("</div>", start)]

    assert resp.status_code == 422
    assert "用户名已存在" in under("username") and 'value="worker_a"' in under("username")
    assert "必填" in under("display_name") and under("phone").count("field-error") == 1
    assert "field-error" in under("password")


def test_it_deactivates_an_account_and_audits_it(world, client_for):
    resp = client_for("admin").post(f"/staff/{world.worker_b.pk}/edit/",
                                    {"display_name": "网格员乙", "phone": "", "is_active": "0", "password": ""})
    world.worker_b.refresh_from_db()
    assert resp.status_code == 302 and not world.worker_b.is_active
    assert ChangeRecord.objects.filter(model="accounts.user", object_id=str(world.worker_b.pk),
                                       action="update").exists()


def test_it_does_not_let_the_administrator_deactivate_themselves(world, client_for):
    resp = client_for("admin").post(f"/staff/{world.admin.pk}/edit/",
                                    {"display_name": "管理员庚", "phone": "", "is_active": "0", "password": ""})
    assert resp.status_code == 422 and "不能停用自己的账号" in resp.content.decode()


def test_it_gives_a_role_over_a_grid_of_the_town(world, client_for):
    resp = client_for("admin").post(f"/staff/{world.worker_a.pk}/roles/new/",
                                    {"role": "grid_worker", "division": world.grid_b.pk, "department": "",
                                     "category": ""})
    assert resp.status_code == 302 and world.worker_a.role_assignments.filter(division=world.grid_b).exists()


def test_it_refuses_a_role_over_another_towns_grid_under_the_field(world, client_for):
    resp = client_for("admin").post(f"/staff/{world.worker_a.pk}/roles/new/",
                                    {"role": "grid_worker", "division": world.other_grid.pk, "department": "",
                                     "category": ""})
    html = resp.content.decode()
    assert resp.status_code == 422 and "不在您的管辖范围内或不存在" in html[html.index('data-field="division"'):]
    assert not world.worker_a.role_assignments.filter(division=world.other_grid).exists()


def test_it_asks_for_a_category_for_a_professional_worker(world, client_for):
    resp = client_for("admin").post(f"/staff/{world.worker_a.pk}/roles/new/",
                                    {"role": "pro_worker", "division": world.grid_a.pk, "department": "",
                                     "category": ""})
    html = resp.content.decode()
    assert resp.status_code == 422 and "专业网格员必须选择专业类别" in html[html.index('data-field="category"'):]


def test_it_revokes_a_role_and_audits_it(world, client_for):
    a = world.worker_b.role_assignments.get()
    resp = client_for("admin").post(f"/staff/roles/{a.pk}/revoke/")
    assert resp.status_code == 302 and not RoleAssignment.objects.filter(pk=a.pk).exists()
    assert ChangeRecord.objects.filter(model="accounts.roleassignment", object_id=str(a.pk),
                                       action="delete").exists()


def test_it_manages_staff_and_roles_through_the_api(world, client_for):
    c = client_for("admin")
    made = c.post("/api/v1/accounts/staff", json.dumps({"town": world.town.pk, "username": "boli_api01",
                                                        "display_name": "接口同事", "password": "long-enough-1"}),
                  content_type="application/json")
    pk = made.json()["id"]
    role = c.post(f"/api/v1/accounts/staff/{pk}/roles",
                  json.dumps({"role": "dept_staff", "department": world.department.pk}),
                  content_type="application/json")
    gone = c.delete(f"/api/v1/accounts/roles/{role.json()['id']}")
    assert (made.status_code, role.status_code, gone.status_code) == (201, 201, 204)


def test_it_answers_404_for_a_staff_account_of_another_town_through_the_api(world, client_for):
    resp = client_for("admin").patch(f"/api/v1/accounts/staff/{world.other_leader.pk}",
                                     json.dumps({"display_name": "改名"}), content_type="application/json")
    world.other_leader.refresh_from_db()
    assert resp.status_code == 404 and world.other_leader.display_name == "辛安领导己"
