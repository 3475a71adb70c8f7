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


def test_the_town_leaders_home_shows_the_cases_at_a_glance(case_world, client_for):
    """镇领导乙 opens the app: how many cases are open in 泊里镇 and how many of them are late, and this month's
    结案率 and 按期结案率 as the indicators page counts them: 4 due this month, 3 closed, 2 of them on time.
    The leader of 辛安街道 sees none of it; 网格员甲 gets their own queues instead."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from .bulk import make_cases

    now = timezone.now()
    make_cases(case_world, 5, step_deadline=now + dt.timedelta(days=1))
    make_cases(case_world, 2, step_deadline=now - dt.timedelta(hours=1), overdue=True)
    due = max(now - dt.timedelta(minutes=5), timezone.localtime(now).replace(day=1, hour=0, minute=1))
    make_cases(case_world, 2, stage="closed", status="closed", deadline=due, closed_at=due, on_time=True,
               dispatched_at=due - dt.timedelta(hours=1))
    make_cases(case_world, 1, stage="closed", status="closed", deadline=due, closed_at=due, on_time=False,
               dispatched_at=due - dt.timedelta(hours=1))
    make_cases(case_world, 1, deadline=due, dispatched_at=due - dt.timedelta(hours=1),
               step_deadline=now + dt.timedelta(days=1))
    c = client_for("leader")
    with CaptureQueriesContext(connection) as few:
        html = c.get("/").content.decode()
    box = html[html.index('id="case-summary"'):html.index("</section>", html.index('id="case-summary"'))]
    tiles = [t.split("</b>")[0].rsplit(">", 1)[1] for t in box.split("<b")[1:]]
    assert tiles == ["8", "2", "4", "75.00%", "50.00%"], tiles
    make_cases(case_world, 20, step_deadline=now - dt.timedelta(hours=1), overdue=True)
    with CaptureQueriesContext(connection) as many:
        c.get("/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert 'id="case-summary"' not in client_for("worker_a").get("/").content.decode()
    other = client_for("other_leader").get("/").content.decode()
    other_box = other[other.index('id="case-summary"'):other.index("</section>", other.index('id="case-summary"'))]
    assert [t.split("</b>")[0].rsplit(">", 1)[1] for t in other_box.split("<b")[1:]] == ["0", "0", "0", "—", "—"]
