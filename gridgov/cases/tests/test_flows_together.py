"""Cases beside another flow on the one engine: the tests' errands (gridgov/core/tests/flowapp) and the case
flows are urged by the same `gridgov sweep` run and listed in the same 我的待办 of 部门科员丁, overdue first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.core.flow.inbox import inbox_items
from gridgov.core.flow.sweep import sweep
from gridgov.core.tests.flowapp.models import Errand
from gridgov.core.tests.test_flow_engine import open_errand

from .bulk import fast_passwords, make_cases  # noqa: F401

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def test_the_sweep_urges_late_errands_and_late_cases_in_one_run_once(world):
    errand = open_errand(world)
    past = NOW - dt.timedelta(hours=1)
    Errand.objects.filter(pk=errand.pk).update(step_deadline=past)
    case = make_cases(world, 1, department=world.department, deadline=past, step_deadline=past)[0]
    first, second = sweep(), sweep()
    assert ({k: n for k, n in first.by_model.items() if n}, second.marked, Errand.objects.get().overdue, Case.objects.get(pk=case.pk).overdue) == (
        {"cases.case": 1, "flowapp.errand": 1}, 0, True, True)


def test_the_clerks_inbox_holds_cases_and_errands_overdue_first(world):
    errand = open_errand(world)
    undated = make_cases(world, 1, department=world.department, stage="handling", step_deadline=None)[0]
    late = make_cases(world, 1, department=world.department, stage="handling",
                      step_deadline=NOW - dt.timedelta(hours=3))[0]
    assert [(r["source"], r["id"]) for r in inbox_items(user=world.clerk)] == [
        ("cases.case", late.pk), ("flowapp.errand", errand.pk), ("cases.case", undated.pk)]


def test_it_shows_a_grid_worker_only_the_verifications_of_their_own_grid(world):
    make_cases(world, 3, stage="verifying")  # grid A's 核查
    assert (len(inbox_items(user=world.worker_a)), inbox_items(user=world.worker_b)) == (3, [])


def test_two_flows_cost_the_same_queries_for_20_rows_as_for_100(world):
    open_errand(world)
    make_cases(world, 120, department=world.department, stage="handling")
    inbox_items(user=world.clerk, limit=1)  # the clerk's role assignments, loaded once per request
    counts = []
    for size in (20, 100):
        with CaptureQueriesContext(connection) as ctx:
            rows = inbox_items(user=world.clerk, limit=size)
        counts.append((len(rows), len(ctx.captured_queries)))
    assert [c[0] for c in counts] == [20, 100] and counts[0][1] == counts[1][1]


def test_the_complainant_finds_the_rating_waiting_for_them(world):
    make_cases(world, 1, kind="complaint", stage="rating", reporter=world.resident)
    assert [r["stage"] for r in inbox_items(user=world.resident)] == ["待评价"]
