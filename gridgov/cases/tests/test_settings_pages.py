"""The administrator's dispatch rules and handling limits (issue 15, item 4): their town only, errors under the
fields, audited; a town's own limit sets the deadline of its cases and of no other town's."""

from __future__ import annotations

import json

from django.test import Client

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.cases.deadlines import add_working_time
from gridgov.cases.models import Case, CategoryLimit, DispatchRule
from gridgov.cases.tests.test_grid_event_flow import go
from gridgov.core.models import ChangeRecord


def other_admin(world) -> Client:
    u = User.objects.create(username="xinan_admin_t", display_name="辛安管理员", town=world.other_town)
    RoleAssignment.objects.create(user=u, role=Role.ADMIN, division=world.other_town)
    c = Client()
    c.force_login(u)
    return c


def test_it_lists_the_towns_rules_only(case_world, client_for):
    DispatchRule.objects.create(town=case_world.other_town, department=case_world.other_department, priority=7)
    html = client_for("admin").get("/cases/dispatch-rules/").content.decode()
    assert "应急管理办公室" in html and "辛安应急办" not in html


def test_it_creates_a_rule_for_a_grid_and_audits_it(case_world, client_for):
    resp = client_for("admin").post("/cases/dispatch-rules/new/", {
        "town": case_world.town.pk, "category": case_world.cats["gas"].pk, "area": case_world.grid_a.pk,
        "department": "", "pro_category": "safety", "priority": "5"})
    rule = DispatchRule.objects.get(area=case_world.grid_a)
    assert resp.status_code == 302 and rule.pro_category == "safety"
    assert ChangeRecord.objects.filter(model="cases.dispatchrule", object_id=str(rule.pk), action="create").exists()


def test_it_shows_every_error_of_a_rule_under_its_field(case_world, client_for):
    resp = client_for("admin").post("/cases/dispatch-rules/new/", {
        "town": case_world.town.pk, "category": "", "area": case_world.other_grid.pk, "department": "",
        "pro_category": "", "priority": "100000"})
    html = resp.content.decode()

    def under(name: str) -> str:
        start = html.index(f'data-field="{name}"')
        return html[start:html.index("</div>", start)]

    assert resp.status_code == 422 and "不在您的管辖范围内或不存在" in under("area")
    assert "至少一项" in under("department") and "0 至 1000" in under("priority")
    assert 'value="100000"' in under("priority")


def test_an_administrator_of_another_town_cannot_open_this_towns_rule(case_world):
    rule = DispatchRule.objects.get(town=case_world.town)
    assert other_admin(case_world).get(f"/cases/dispatch-rules/{rule.pk}/edit/").status_code == 404


def test_it_deletes_a_rule_after_asking(case_world, client_for):
    rule = DispatchRule.objects.get(town=case_world.town)
    c = client_for("admin")
    asked = c.get(f"/cases/dispatch-rules/{rule.pk}/delete/")
    done = c.post(f"/cases/dispatch-rules/{rule.pk}/delete/")
    assert asked.status_code == 200 and done.status_code == 302 and not DispatchRule.objects.filter(pk=rule.pk).exists()


def test_the_towns_own_limit_sets_the_deadline_of_its_cases(case_world, client_for, report):
    client_for("admin").post("/cases/category-limits/new/", {
        "town": case_world.town.pk, "category": case_world.cats["garbage"].pk, "deadline_amount": "2",
        "deadline_unit": "days"})
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    go(case_world, case, "dispatch", "dispatcher")
    case = Case.objects.get(pk=case.pk)
    assert case.deadline == add_working_time(case.dispatched_at, 2, "days", town=case_world.town).at


def test_another_towns_limit_leaves_this_towns_deadlines_alone(case_world, report):
    CategoryLimit.objects.create(town=case_world.other_town, category=case_world.cats["garbage"],
                                 deadline_amount=9, deadline_unit="days")
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    go(case_world, case, "dispatch", "dispatcher")
    case = Case.objects.get(pk=case.pk)
    assert case.deadline == add_working_time(case.dispatched_at, 4, "hours", town=case_world.town).at


def test_it_refuses_a_limit_of_zero_under_its_field(case_world, client_for):
    resp = client_for("admin").post("/cases/category-limits/new/", {
        "town": case_world.town.pk, "category": case_world.cats["garbage"].pk, "deadline_amount": "0",
        "deadline_unit": "days"})
    html = resp.content.decode()
    assert resp.status_code == 422 and "1 至 365" in html[html.index('data-field="deadline_amount"'):]
    assert not CategoryLimit.objects.exists()


def test_it_shows_the_towns_limit_beside_the_default(case_world, client_for):
    CategoryLimit.objects.create(town=case_world.town, category=case_world.cats["garbage"], deadline_amount=3,
                                 deadline_unit="days")
    html = client_for("admin").get("/cases/category-limits/").content.decode()
    row = html[html.index("暴露垃圾"):].split("</tr>")[0]
    assert "4 工作时" in row and "3 工作日" in row


def test_it_sets_and_resets_a_limit_through_the_api(case_world, client_for):
    c = client_for("admin")
    made = c.put("/api/v1/cases/category-limits", json.dumps({
        "town": case_world.town.pk, "category": case_world.cats["gas"].pk, "deadline_amount": 1,
        "deadline_unit": "days"}), content_type="application/json")
    gone = c.delete(f"/api/v1/cases/category-limits/{made.json()['id']}")
    assert (made.status_code, gone.status_code) == (200, 204) and not CategoryLimit.objects.exists()


def test_it_refuses_a_rule_in_another_town_through_the_api(case_world, client_for):
    resp = client_for("admin").post("/api/v1/cases/dispatch-rules", json.dumps({
        "town": case_world.other_town.pk, "department": case_world.other_department.pk}),
        content_type="application/json")
    assert resp.status_code == 422 and "town" in resp.json()["errors"]
