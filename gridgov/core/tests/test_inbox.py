"""我的待办: the work waiting for one person across every flow, overdue first, through one page and the API.
部门科员丁 (the 应急管理办公室 clerk) has cases dispatched to the office and an errand of the test flow; 网格员乙
of grid B sees none of grid A's work; the inbox costs the same queries for 20 rows as for 100."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.cases.tests.bulk import make_cases
from gridgov.core.flow.inbox import inbox_count, inbox_items
from gridgov.core.tests.test_flow_engine import open_errand

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def test_it_lists_the_work_of_every_flow_waiting_for_the_clerk(world):
    open_errand(world)
    make_cases(world, 2, department=world.department, stage="handling")
    assert sorted(r["source"] for r in inbox_items(user=world.clerk)) == [
        "cases.case", "cases.case", "flowapp.errand"]


def test_it_puts_overdue_work_first_and_work_without_a_deadline_last(world):
    errand = open_errand(world)
    undated = make_cases(world, 1, department=world.department, stage="handling", step_deadline=None)[0]
    late = make_cases(world, 1, department=world.department, stage="handling",
                      step_deadline=NOW - dt.timedelta(hours=3))[0]
    order = [(r["source"], r["id"]) for r in inbox_items(user=world.clerk)]
    assert order == [("cases.case", late.pk), ("flowapp.errand", errand.pk), ("cases.case", undated.pk)]


def test_it_shows_no_one_the_work_of_another_grid(world):
    make_cases(world, 3, stage="verifying")  # grid A's 核查
    assert (len(inbox_items(user=world.worker_a)), inbox_items(user=world.worker_b)) == (3, [])


def test_it_leaves_closed_work_out(world):
    make_cases(world, 2, department=world.department, stage="closed", status="closed")
    assert inbox_count(user=world.clerk) == 0


def test_it_costs_the_same_queries_for_20_rows_as_for_100(world):
    open_errand(world)
    make_cases(world, 120, department=world.department, stage="handling")
    inbox_items(user=world.clerk, limit=1)  # the clerk's role assignments, loaded once per request
    counts = []
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            rows = inbox_items(user=world.clerk, limit=size)
        counts.append((len(rows), len(ctx.captured_queries)))
    assert [c[0] for c in counts] == [20, 100] and counts[0][1] == counts[1][1]


def test_its_page_lists_the_work_and_the_menu_counts_it(world, client_for):
    make_cases(world, 2, department=world.department, stage="handling")
    html = client_for("clerk").get("/inbox/").content.decode()
    assert html.count('data-source="cases.case"') == 2 and "我的待办 (2)" in html


def test_its_api_answers_the_same_items(world, client_for):
    make_cases(world, 2, department=world.department, stage="handling")
    body = client_for("clerk").get("/api/v1/inbox?limit=1").json()
    assert (body["count"], len(body["items"]), body["items"][0]["source"]) == (2, 1, "cases.case")


def test_it_asks_an_anonymous_visitor_to_sign_in(client):
    assert client.get("/inbox/").status_code == 302
