"""The indicator rollup (gridgov.cases.rollup) gives exactly what one GROUP BY over the cases gives: after
random transitions, after a rebuild, for every dimension and scope; a transition marks only the groups it
leaves and enters, and one that changes no counted column marks none."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from gridgov.cases import rollup
from gridgov.cases.engine import fire, flow_for
from gridgov.cases.indicators import DIMENSIONS, Period, counts_query, fold, grouped_counts
from gridgov.cases.models import Case, IndicatorDirty
from gridgov.core.errors import Conflict, PermissionDenied, ValidationFailed

from .bulk import fast_passwords, make_cases  # noqa: F401

NOW = timezone.now()
THIS_MONTH = rollup.month_of(NOW)


def months_ago(k: int, day: int = 10, hour: int = 17) -> dt.datetime:
    m = THIS_MONTH
    for _ in range(k):
        m = (m - dt.timedelta(days=1)).replace(day=1)
    return dt.datetime.combine(m.replace(day=day), dt.time(hour), rollup.SHANGHAI)


def from_scratch(user, by, period, kind=None):
    """One GROUP BY over every case the user may see: what the indicators were before the rollup."""
    base = Case.objects.restrict(user, "view")
    if kind:
        base = base.filter(kind=kind)
    return fold(list(counts_query(base, by, period, NOW)), by)


@pytest.fixture
def history(case_world):
    """Cases in grids A and B, due and filed over the last five months, in every stage a transition can
    leave from; two of the months end on the last day at 23:30 (still that month in Shanghai)."""
    w = case_world
    rng = random.Random(3)
    stages = ["reported", "filed", "dispatched", "handling", "verifying", "closed"]
    for i in range(60):
        k = rng.randint(0, 4)
        deadline = months_ago(k, day=rng.randint(1, 27))
        if i % 9 == 0:
            deadline = months_ago(k, day=1, hour=0) - dt.timedelta(minutes=30)  # last day of the month before
        stage = rng.choice(stages)
        closed = stage == "closed"
        make_cases(w, 1, grid=rng.choice([w.grid_a, w.grid_b]), stage=stage, status="closed" if closed else "open",
                   kind="grid_event", deadline=deadline, step_deadline=None if closed else deadline,
                   filed_at=deadline - dt.timedelta(days=rng.randint(1, 40)),
                   dispatched_at=deadline - dt.timedelta(days=1),
                   department=w.department if rng.random() < 0.7 else None,
                   assignee=w.clerk if rng.random() < 0.3 else None,
                   closed_at=deadline if closed else None, on_time=(rng.random() < 0.7) if closed else None,
                   dispatch_on_time=rng.random() < 0.8, rework_count=rng.choice([0, 0, 1]),
                   deferred=rng.random() < 0.1)
    for _ in range(8):
        make_cases(w, 1, kind="complaint", stage=rng.choice(["accepted", "handling", "replying", "rating"]),
                   deadline=months_ago(rng.randint(0, 3)), filed_at=months_ago(4), response_on_time=True,
                   department=w.department)
    return w


def data_for(name: str, world) -> dict:
    return {"dispatch": {"department": world.department.pk}, "redispatch": {"department": world.department.pk},
            "evaluate": {"rating": 4}, "rate": {"rating": 2}, "reply": {"reply": "已处理"},
            "request_extension": {"amount": 2, "unit": "days"}}.get(name, {})


def shuffle_through_flows(world, steps: int = 120, seed: int = 11) -> int:
    """Fire random transitions open to the dispatcher, the department clerk and grid A's worker."""
    rng = random.Random(seed)
    ids = list(Case.objects.values_list("pk", flat=True))
    fired = 0
    for _ in range(steps):
        case = Case.objects.select_related("category", "grid", "town").get(pk=rng.choice(ids))
        options = [(t, u) for u in (world.dispatcher, world.clerk, world.worker_a)
                   for t in flow_for(case.kind).available(case, u) if t.name != "merge"]
        if not options:
            continue
        t, user = rng.choice(options)
        try:
            fire(case=case, transition=t.name, acting_user=user, data=data_for(t.name, world), note="说明")
            fired += 1
        except (ValidationFailed, PermissionDenied, Conflict):
            pass
    return fired


PERIODS = [Period.parse(months_ago(5).date().replace(day=1), THIS_MONTH + dt.timedelta(days=40)),
           Period.parse(months_ago(3).date().replace(day=15), months_ago(1).date().replace(day=20))]


def test_it_equals_one_group_by_over_the_cases_after_random_transitions(history):
    rollup.refresh()  # built before the transitions: from here on only what they mark is recomputed
    assert shuffle_through_flows(history) > 40
    differences = [(who, by, p, kind) for who in ("leader", "worker_a", "clerk", "admin") for by in DIMENSIONS
                   for p in PERIODS for kind in (None, "complaint")
                   if grouped_counts(user=history.people[who], by=by, period=p, kind=kind, now=NOW)
                   != from_scratch(history.people[who], by, p, kind)]
    assert differences == []


def test_it_gives_the_same_counts_after_a_rebuild(history):
    rollup.refresh()
    shuffle_through_flows(history, steps=60, seed=5)
    before = grouped_counts(user=history.leader, by="grid_month", period=PERIODS[0], now=NOW)
    rollup.rebuild()
    assert grouped_counts(user=history.leader, by="grid_month", period=PERIODS[0], now=NOW) == before


def test_a_transition_marks_the_groups_it_leaves_and_enters(case_world):
    w = case_world
    due, filed = months_ago(2), months_ago(3)
    case = make_cases(w, 1, stage="verifying", deadline=due, filed_at=filed, department=w.department)[0]
    rollup.refresh()
    fire(case=Case.objects.get(pk=case.pk), transition="verify_fail", acting_user=w.worker_a, note="未清理")
    moved = Case.objects.get(pk=case.pk).deadline  # 返工 restarts the clock
    assert set(IndicatorDirty.objects.values_list("grid_id", "month")) == {
        (w.grid_a.pk, rollup.month_of(due)), (w.grid_a.pk, rollup.month_of(filed)),
        (w.grid_a.pk, rollup.month_of(moved))}


def test_a_transition_that_changes_no_counted_column_marks_nothing(case_world):
    w = case_world
    case = make_cases(w, 1, stage="handling", deadline=months_ago(1), filed_at=months_ago(2),
                      department=w.department)[0]
    rollup.refresh()
    fire(case=Case.objects.get(pk=case.pk), transition="request_extension", acting_user=w.clerk,
         data={"amount": 1, "unit": "days"}, note="需要更多时间")
    assert not IndicatorDirty.objects.exists()


def test_a_read_recomputes_the_dirty_groups_and_clears_them(history):
    rollup.refresh()
    shuffle_through_flows(history, steps=30)
    grouped_counts(user=history.leader, by="grid", period=PERIODS[0], now=NOW)
    assert not IndicatorDirty.objects.exists()


def test_a_wholly_dirty_rollup_is_rebuilt_on_the_next_read(history):
    expected = from_scratch(history.leader, "department", PERIODS[0])
    rollup.rebuild()
    rollup.IndicatorRollup.objects.all().delete()  # lost, as after the migration that creates it
    rollup.mark_all()
    assert grouped_counts(user=history.leader, by="department", period=PERIODS[0], now=NOW) == expected


def test_a_resident_gets_the_counts_of_their_own_cases(history):
    resident = history.resident
    mine = Case.objects.filter(kind="grid_event")[:3]
    Case.objects.filter(pk__in=[c.pk for c in mine]).update(reporter=resident)
    got = grouped_counts(user=resident, by="town", period=PERIODS[0], now=NOW)
    assert got == from_scratch(resident, "town", PERIODS[0])
