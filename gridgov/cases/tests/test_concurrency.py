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
