"""我的待办, shown with the tests' second flow (errands): 部门科员丁 finds the errands waiting for him, overdue
first; 管理员庚 finds those waiting for his check; 网格员甲 finds none of it; the inbox costs the same queries
for 20 rows as for 100. (Cases and errands in one inbox: gridgov/cases/tests/test_flows_together.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core.flow import engine
from gridgov.core.flow.inbox import inbox_count, inbox_items
from gridgov.core.tests.flowapp.models import Errand
from gridgov.core.tests.test_flow_engine import open_errand

pytestmark = pytest.mark.django_db


def errands(world, n: int, **fields) -> list[Errand]:
    now = timezone.now()
    rows = [Errand(title=f"差事{i}", town=world.town, assignee=world.clerk, number=f"E{i:06d}", stage="doing",
                   step_deadline=now + dt.timedelta(hours=1 + i), **fields) for i in range(n)]
    return Errand.objects.bulk_create(rows)


def test_it_lists_the_errands_waiting_for_the_clerk(world):
    e = open_errand(world)
    assert [(r["source"], r["id"], r["stage"], r["url"]) for r in inbox_items(user=world.clerk)] == [
        ("flowapp.errand", e.pk, "办理中", f"/errands/{e.pk}/")]


def test_it_lists_what_waits_for_the_checker_once_the_clerk_submits(world):
    e = open_errand(world)
    engine.fire(subject=e, transition="submit", acting_user=world.clerk, data={"amount": 1})
    assert ([r["id"] for r in inbox_items(user=world.admin)], inbox_items(user=world.clerk)) == ([e.pk], [])


def test_it_puts_overdue_work_first_and_work_without_a_deadline_last(world):
    soon, later = errands(world, 2)
    undated = Errand.objects.create(title="无时限", town=world.town, assignee=world.clerk, number="E900000",
                                    stage="doing", step_deadline=None)
    late = Errand.objects.create(title="超期", town=world.town, assignee=world.clerk, number="E900001",
                                 stage="doing", step_deadline=timezone.now() - dt.timedelta(hours=3))
    assert [r["id"] for r in inbox_items(user=world.clerk)] == [late.pk, soon.pk, later.pk, undated.pk]


def test_it_shows_no_one_else_the_clerks_errands(world):
    errands(world, 3)
    assert (inbox_count(user=world.clerk), inbox_items(user=world.worker_a)) == (3, [])


def test_it_leaves_closed_work_out(world):
    errands(world, 2, status="closed")
    assert inbox_count(user=world.clerk) == 0


def test_it_costs_the_same_queries_for_20_rows_as_for_100(world):
    errands(world, 120)
    inbox_items(user=world.clerk, limit=1)  # the clerk's role assignments, loaded once per request
    counts = []
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            rows = inbox_items(user=world.clerk, limit=size)
        counts.append((len(rows), len(ctx.captured_queries)))
    assert [c[0] for c in counts] == [20, 100] and counts[0][1] == counts[1][1]


def test_its_page_lists_the_work_and_the_menu_counts_it(world, client_for):
    errands(world, 2)
    html = client_for("clerk").get("/inbox/").content.decode()
    assert html.count('data-source="flowapp.errand"') == 2 and "我的待办 (2)" in html


def test_its_api_answers_the_same_items(world, client_for):
    errands(world, 2)
    body = client_for("clerk").get("/api/v1/inbox?limit=1").json()
    assert (body["count"], len(body["items"]), body["items"][0]["source"]) == (2, 1, "flowapp.errand")


def test_it_asks_an_anonymous_visitor_to_sign_in(client):
    assert client.get("/inbox/").status_code == 302
