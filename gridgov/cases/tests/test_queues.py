"""Work queues: the database files each case into the queue its flow's stage names, so a queue page of a
million cases reads its first rows off an index."""

from gridgov.cases.engine import fire, flows
from gridgov.cases.filtersets import QUEUES
from gridgov.cases.models import QUEUE_STAGES, Case


def test_the_queue_table_is_the_flows_own():
    from_flows: dict[str, dict[str, tuple[str, ...]]] = {}
    for f in flows():
        for s in f.stages:
            if s.queue:
                from_flows.setdefault(s.queue, {}).setdefault(f.kind, ())
                from_flows[s.queue][f.kind] += (s.name,)
    assert from_flows == QUEUE_STAGES
    assert {n for n, _l, _a in QUEUES} <= set(QUEUE_STAGES)


def test_a_case_moves_from_queue_to_queue_as_it_is_handled(case_world, report):
    w = case_world
    case = report("worker_a")

    def queue():
        return Case.objects.values_list("queue", flat=True).get(pk=case.pk)

    assert queue() == "file"
    for name, who, then in [("file", "dispatcher", "dispatch"), ("dispatch", "dispatcher", "handle"),
                            ("accept", "clerk", "handle"), ("feedback", "clerk", "verify")]:
        fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=w.people[who], note="已处理")
        assert queue() == then, name


def test_the_dispatcher_s_queue_lists_the_cases_waiting_for_dispatch_most_urgent_first(case_world, report,
                                                                                      client_for):
    w = case_world
    cases = [report("worker_a") for _ in range(3)]
    for c in cases[:2]:
        fire(case=Case.objects.get(pk=c.pk), transition="file", acting_user=w.people["dispatcher"])
    got = client_for("dispatcher").get("/api/v1/cases/cases?queue=dispatch").json()
    assert {i["id"] for i in got["items"]} == {cases[0].pk, cases[1].pk} and got["count"] == 2
    counts = {q["queue"]: q["count"] for q in client_for("dispatcher").get("/api/v1/cases/cases/queues").json()}
    assert counts["file"] == 1 and counts["dispatch"] == 2


def test_the_queue_counts_count_overdue_cases_at_the_time_of_each_request(case_world):
    """The counts statement is kept per scope; the time it compares step deadlines with is not."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.selectors import queue_counts
    from gridgov.cases.tests.bulk_cases import make_cases

    cases = make_cases(case_world, 3, stage="filed")
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(step_deadline=timezone.now() + dt.timedelta(hours=1))
    dispatcher = case_world.people["dispatcher"]

    def dispatch_queue() -> tuple[int, int]:
        q = next(q for q in queue_counts(user=dispatcher) if q["queue"] == "dispatch")
        return q["count"], q["overdue"]

    before = dispatch_queue()
    Case.objects.filter(pk=cases[0].pk).update(step_deadline=timezone.now() - dt.timedelta(seconds=1))
    assert (before, dispatch_queue()) == ((3, 0), (3, 1))


def test_the_queue_counts_of_a_resident_are_counted_but_their_statement_is_not_kept(case_world, report):
    """A resident's scope holds a subquery (the cases they follow), which is no key to keep a statement by."""
    from gridgov.cases.selectors import _queue_count_sql, queue_counts

    report("resident")
    kept = _queue_count_sql.cache_info().currsize
    got = queue_counts(user=case_world.people["resident"])
    assert ([(q["queue"], q["count"]) for q in got], _queue_count_sql.cache_info().currsize) == ([("rate", 0)], kept)
