"""The admin is for configuration, and what it changes is audited."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import User
from gridgov.core.models import ChangeRecord, WorkdayOverride


@pytest.fixture
def superuser_client(world, client):
    u = User.objects.create_superuser("root", password="gridgov-root-1")
    client.force_login(u)
    return client


def test_it_audits_a_department_rename_with_before_and_after(world, superuser_client):
    d = world.department
    resp = superuser_client.post(f"/admin/network/department/{d.pk}/change/", {
        "town": world.town.pk, "code": d.code, "name": "应急管理办"})
    rec = ChangeRecord.objects.filter(model="network.department", object_id=str(d.pk)).latest("id")
    assert resp.status_code == 302 and (rec.before["name"], rec.after["name"]) == ("应急管理办公室", "应急管理办")


def test_it_audits_a_workday_override_and_its_deletion(world, superuser_client):
    superuser_client.post("/admin/core/workdayoverride/add/", {"date": "2027-02-06", "is_working_day": "on",
                                                               "note": "调休"})
    w = WorkdayOverride.objects.get()
    superuser_client.post(f"/admin/core/workdayoverride/{w.pk}/delete/", {"post": "yes"})
    actions = list(ChangeRecord.objects.filter(model="core.workdayoverride").values_list("action", flat=True))
    assert actions == ["create", "delete"]


def test_it_keeps_divisions_read_mostly(world, superuser_client):
    assert superuser_client.get("/admin/network/division/add/").status_code == 403
    assert superuser_client.get(f"/admin/network/division/{world.grid_a.pk}/delete/").status_code == 403


def test_it_audits_a_role_added_inline_on_a_user(world, superuser_client):
    from gridgov.accounts.models import RoleAssignment

    u = world.worker_b
    data = {"username": u.username, "kind": u.kind, "display_name": u.display_name, "phone": "", "town": "",
            "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
            "role_assignments-TOTAL_FORMS": "2", "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-id": u.role_assignments.get().pk, "role_assignments-0-user": u.pk,
            "role_assignments-0-role": "grid_worker", "role_assignments-0-division": world.grid_b.pk,
            "role_assignments-0-department": "", "role_assignments-0-category": "",
            "role_assignments-1-user": u.pk, "role_assignments-1-role": "grid_worker",
            "role_assignments-1-division": world.grid_a.pk, "role_assignments-1-department": "",
            "role_assignments-1-category": ""}
    resp = superuser_client.post(f"/admin/accounts/user/{u.pk}/change/", data)
    assert resp.status_code == 302, resp.content.decode()[:3000]
    assert RoleAssignment.objects.filter(user=u).count() == 2
    assert ChangeRecord.objects.filter(model="accounts.roleassignment", action="create").exists()


def test_it_shuts_the_admin_to_staff_without_the_admin_flag(world, client_for):
    assert client_for("admin").get("/admin/network/department/").status_code == 302
