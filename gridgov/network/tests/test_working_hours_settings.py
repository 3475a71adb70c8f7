"""The administrator's working hours and holiday table (issue 15, item 4): the town's own hours set in the
browser and the API, counted by its deadlines only, errors under the fields, audited; the holiday table read by
the town and loaded by who administers the installation."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.core import calendar
from gridgov.core.models import ChangeRecord, WorkdayOverride, WorkingHoursConfig


@pytest.fixture
def superuser_client(world) -> Client:
    """Who administers the installation (every town): the one who loads the national holiday table."""
    c = Client()
    c.force_login(User.objects.create(username="root_wh", display_name="系统管理员", is_superuser=True))
    return c


def _admin_of(town, name: str) -> Client:
    u = User.objects.create(username=name, display_name=name, town=town)
    RoleAssignment.objects.create(user=u, role=Role.ADMIN, division=town)
    c = Client()
    c.force_login(u)
    return c


def test_it_sets_the_towns_working_hours_and_its_deadlines_count_in_them(world, client_for):
    resp = client_for("admin").post(f"/network/working-hours/{world.town.pk}/edit/",
                                    {"periods": "08:30-12:00,14:00-18:00", "timezone": "Asia/Shanghai", "version": "0"})
    assert resp.status_code == 302
    calendar.invalidate()
    assert calendar.working_hours_for(world.town.code).minutes_per_day == 450
    assert calendar.working_hours_for(world.other_town.code).minutes_per_day == 420  # the default 09:00–12:00, 13:30–17:30


def test_it_audits_a_change_of_working_hours(world, client_for):
    client_for("admin").post(f"/network/working-hours/{world.town.pk}/edit/",
                             {"periods": "08:30-12:00", "timezone": "Asia/Shanghai", "version": "0"})
    row = WorkingHoursConfig.objects.get(jurisdiction=world.town.code)
    assert ChangeRecord.objects.filter(model="core.workinghoursconfig", object_id=str(row.pk),
                                       action="create").exists()


def test_it_names_wrong_periods_and_timezone_under_their_fields_and_keeps_them(world, client_for):
    resp = client_for("admin").post(f"/network/working-hours/{world.town.pk}/edit/",
                                    {"periods": "12:00-09:00", "timezone": "Mars/Olympus", "version": "0"})
    html = resp.content.decode()
    periods = html[html.index('data-field="periods"'):html.index('data-field="timezone"')]
    tz = html[html.index('data-field="timezone"'):]
    assert resp.status_code == 422
    assert "开始早于结束" in periods and 'value="12:00-09:00"' in periods
    assert "不是有效的时区" in tz and 'value="Mars/Olympus"' in tz


def test_a_second_edit_from_a_stale_form_is_a_conflict(world, client_for):
    c = client_for("admin")
    url = f"/network/working-hours/{world.town.pk}/edit/"
    c.post(url, {"periods": "08:30-12:00", "timezone": "Asia/Shanghai", "version": "0"})
    resp = c.post(url, {"periods": "08:00-12:00", "timezone": "Asia/Shanghai", "version": "0"})
    assert resp.status_code == 409
    assert WorkingHoursConfig.objects.get(jurisdiction=world.town.code).periods == "08:30-12:00"


def test_an_administrator_of_another_town_cannot_reach_this_towns_hours(world):
    c = _admin_of(world.other_town, "xinan_admin_wh")
    assert c.get(f"/network/working-hours/{world.town.pk}/edit/").status_code == 404
    resp = c.put(f"/api/v1/working-hours/{world.town.pk}", json.dumps({"periods": "08:00-09:00"}),
                 content_type="application/json")
    assert resp.status_code == 404 and not WorkingHoursConfig.objects.filter(jurisdiction=world.town.code).exists()


def test_a_town_leader_may_not_configure_working_hours(world, client_for):
    assert client_for("leader").get("/network/working-hours/").status_code == 403


def test_the_api_sets_and_resets_the_towns_hours(world, client_for):
    c = client_for("admin")
    url = f"/api/v1/working-hours/{world.town.pk}"
    put = c.put(url, json.dumps({"periods": "08:00-12:00,13:00-17:00", "version": 0}),
                content_type="application/json")
    assert put.status_code == 200 and put.json()["own"] and put.json()["minutes_per_day"] == 480
    assert c.delete(url).status_code == 204 and not c.get(url).json()["own"]


def test_the_api_names_wrong_periods(world, client_for):
    resp = client_for("admin").put(f"/api/v1/working-hours/{world.town.pk}", json.dumps({"periods": "abc"}),
                                   content_type="application/json")
    assert resp.status_code == 422 and "periods" in resp.json()["errors"]


def test_the_town_administrator_reads_whether_a_year_is_provisional(world, client_for):
    html = client_for("admin").get("/network/holidays/?year=2099").content.decode()
    assert "2099 年为暂定" in html and "上传正式安排" not in html


def test_a_town_administrator_may_not_load_the_national_table(world, client_for):
    assert client_for("admin").get("/network/holidays/upload/").status_code == 403


def test_the_installation_administrator_loads_a_years_table_and_it_is_official(world, superuser_client):
    csv = "date,is_working_day,note\n2099-01-01,0,元旦\n2099-01-02,0,元旦\n2099-01-04,1,调休上班\n"
    resp = superuser_client.post("/network/holidays/upload/",
                                 {"file": SimpleUploadedFile("2099.csv", csv.encode(), "text/csv")})
    assert resp.status_code == 302
    calendar.invalidate()
    assert WorkdayOverride.objects.get(date=dt.date(2099, 1, 4)).is_working_day
    assert not calendar.is_provisional(2099)


def test_a_wrong_line_of_the_table_is_named_and_nothing_is_loaded(world, superuser_client):
    csv = "2099-01-01,0,元旦\n2099-13-01,0,?\n2099-01-04,maybe,调休\n"
    resp = superuser_client.post("/network/holidays/upload/",
                                 {"file": SimpleUploadedFile("2099.csv", csv.encode(), "text/csv")})
    html = resp.content.decode()
    assert resp.status_code == 422 and "第 2 行" in html and "第 3 行" in html
    assert not WorkdayOverride.objects.filter(date__year=2099).exists()


def test_the_installation_administrator_marks_a_year_official(world, superuser_client):
    resp = superuser_client.post("/network/holidays/official/", {"year": "2099"})
    calendar.invalidate()
    assert resp.status_code == 302 and not calendar.is_provisional(2099)


def test_a_town_administrator_may_not_mark_a_year_official(world, client_for):
    assert client_for("admin").post("/network/holidays/official/", {"year": "2099"}).status_code == 403
    assert calendar.is_provisional(2099)
