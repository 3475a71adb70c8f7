"""Login and the home page by role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.testing import PASSWORD


def test_it_signs_in_and_lands_on_home(world, client_for):
    resp = client_for(None).post("/login/", {"username": "worker_a", "password": PASSWORD}, follow=True)
    assert resp.status_code == 200 and "网格员甲" in resp.content.decode()


def test_it_rejects_a_wrong_password_in_chinese(world, client_for):
    resp = client_for(None).post("/login/", {"username": "worker_a", "password": "nope"})
    assert resp.status_code == 400 and "用户名或密码错误" in resp.content.decode()


@pytest.mark.parametrize("who, marker", [("worker_a", 'id="my-grids"'), ("grid_leader", 'id="led-grids"'),
                                         ("leader", 'id="totals"'), ("clerk", 'id="department"'),
                                         ("resident", 'id="welcome"'), ("admin", 'id="totals"')])
def test_it_shows_each_role_its_home(world, client_for, who, marker):
    resp = client_for(who).get("/")
    assert resp.status_code == 200 and marker in resp.content.decode()


def test_it_shows_the_grid_worker_quick_actions(world, client_for):
    assert 'id="quick-actions"' in client_for("worker_a").get("/").content.decode()


def test_it_builds_the_leaders_home_in_constant_queries(world, client_for):
    from gridgov.register.tests.test_pages import make_residents

    c = client_for("grid_leader")
    make_residents(world, world.grid_a, 5)
    with CaptureQueriesContext(connection) as few:
        c.get("/")
    make_residents(world, world.grid_b, 50, start=100)
    with CaptureQueriesContext(connection) as many:
        c.get("/")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_it_switches_the_menu_to_english(world, client_for):
    c = client_for("worker_a")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/").content.decode()
    assert "Residents" in html and "Grid map" in html


def test_it_shows_a_department_clerk_no_resident_tile(world, client_for):
    html = client_for("clerk").get("/").content.decode()
    assert 'id="department"' in html and "/register/residents/" not in html


def test_it_stays_chinese_for_a_browser_set_to_english_until_switched(world, client_for):
    html = client_for("worker_a").get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "居民" in html and "Residents" not in html
