"""Two people at once, on PostgreSQL with one connection each: exactly one transition wins and the other
gets a conflict naming the current stage; two retries of one report with the same Idempotency-Key make
one case. (On SQLite writers queue, so these run only against PostgreSQL, as in CI.)"""

import threading

import pytest
from django.db import connection, connections

from gridgov.cases.models import Case, CaseEvent
from gridgov.core.errors import Conflict

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (one connection per thread)"),
]


def run_together(*fns):
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def runner(i, fn):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we compare
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_handlers_at_once_one_wins_the_other_gets_409(case_world, report):
    from gridgov.cases.engine import fire

    case = report("worker_a")
    fire(case=case, transition="file", acting_user=case_world.dispatcher)
    fire(case=Case.objects.get(pk=case.pk), transition="dispatch", acting_user=case_world.dispatcher)
    version = Case.objects.get(pk=case.pk).version
    clerk, dispatcher = case_world.clerk, case_world.dispatcher

    def accept():
        return fire(case=Case.objects.get(pk=case.pk), transition="accept", acting_user=clerk,
                    expected_version=version)

    def redispatch():
        return fire(case=Case.objects.get(pk=case.pk), transition="redispatch", acting_user=dispatcher,
                    expected_version=version, note="改派", data={"department": case_world.department.pk})

    results = run_together(accept, redispatch)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(conflicts) == 1 and len([r for r in results if isinstance(r, Case)]) == 1
    winner = Case.objects.get(pk=case.pk)
    assert conflicts[0].extra["current_stage"] == winner.stage
    assert CaseEvent.objects.filter(case=case, transition__in=["accept", "redispatch"]).count() == 1


def test_two_retries_with_one_idempotency_key_make_one_case(case_world):
    from gridgov.cases.services import case_report

    lat, lon = case_world.point_a
    data = {"category": "0102", "lat": lat, "lon": lon, "description": "同一次上报"}
    user = case_world.worker_a

    def send():
        return case_report(acting_user=user, data=dict(data), idempotency_key="retry-1").case.pk

    results = run_together(send, send, send)
    assert Case.objects.count() == 1 and set(results) == {Case.objects.get().pk}


def test_two_sweeps_at_once_urge_each_case_once(world):
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.services import case_sweep

    from .bulk import make_cases

    past = timezone.now() - dt.timedelta(hours=1)
    make_cases(world, 40, department=world.department, step_deadline=past)
    results = run_together(lambda: case_sweep(batch_size=7), lambda: case_sweep(batch_size=7))
    urged = sorted(Case.objects.values_list("urge_count", flat=True))
    assert (sum(r.marked for r in results), urged, CaseEvent.objects.filter(transition="urge").count()) == (
        40, [1] * 40, 40)


def test_a_transition_committed_during_an_indicator_refresh_is_counted(world):
    """The refresh deletes the dirty rows it recomputes; a transition's own row, written before the refresh
    but committed after it read the cases, stays dirty for the next read (no unique key absorbs it)."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from gridgov.cases import rollup
    from gridgov.cases.indicators import Period, counts_query, fold, grouped_counts

    from .bulk import make_cases

    due = timezone.now() - dt.timedelta(days=70)
    case = make_cases(world, 1, deadline=due, filed_at=due)[0]
    rollup.refresh()
    started, refreshed = threading.Event(), threading.Event()

    def transition():
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(closed_at=due, on_time=True)
            rollup.mark_dirty({(case.grid_id, rollup.month_of(due))})
            started.set()
            refreshed.wait(10)  # commit only after the other reader's refresh has read the cases
        return True

    def reader():
        started.wait(10)
        rollup.mark_dirty({(case.grid_id, rollup.month_of(due))})  # an older, committed mark of the group
        n = rollup.refresh()
        refreshed.set()
        return n

    run_together(transition, reader)
    period = Period.parse(rollup.month_of(due), rollup.next_month(rollup.month_of(due)))
    expected = fold(list(counts_query(Case.objects.restrict(world.leader, "view"), "town", period)), "town")
    assert grouped_counts(user=world.leader, by="town", period=period) == expected
