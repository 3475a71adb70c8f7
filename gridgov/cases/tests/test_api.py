"""The case API: intake with locate and Idempotency-Key, transitions with 409 on a stale version, scope."""

import json

from gridgov.cases.models import Case, CaseEvent, IdempotencyKey
from gridgov.core.models import ChangeRecord


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def body_at(world, point="point_a", **extra):
    lat, lon = getattr(world, point)
    return {"category": "0102", "lat": lat, "lon": lon, "description": "路口垃圾堆积", **extra}


def test_it_locates_a_report_to_its_base_grid(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world))
    assert resp.status_code == 201, resp.content
    assert resp.json()["grid_id"] == case_world.grid_a.pk


def test_it_gives_the_reporter_a_number_and_a_follow_link(case_world, client_for):
    body = post(client_for("resident"), "/api/v1/cases/cases", body_at(case_world)).json()
    assert body["number"].startswith("SJ") and body["follow_url"].startswith("/cases/follow/")


def test_a_retry_with_the_same_idempotency_key_returns_the_same_case(case_world, client_for):
    c = client_for("worker_a")
    first = post(c, "/api/v1/cases/cases", body_at(case_world), HTTP_IDEMPOTENCY_KEY="k-1")
    second = post(c, "/api/v1/cases/cases", body_at(case_world), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.json()["id"], second.status_code, Case.objects.count()) == (second.json()["id"], 200, 1)


def test_an_idempotency_key_reused_for_another_report_is_refused(case_world, client_for):
    c = client_for("worker_a")
    post(c, "/api/v1/cases/cases", body_at(case_world), HTTP_IDEMPOTENCY_KEY="k-2")
    resp = post(c, "/api/v1/cases/cases", body_at(case_world, description="别的"), HTTP_IDEMPOTENCY_KEY="k-2")
    assert resp.status_code == 422


def test_a_report_outside_the_town_is_refused(case_world, client_for):
    resp = post(client_for("resident"), "/api/v1/cases/cases", body_at(case_world, "point_outside"))
    assert resp.status_code == 422 and "location" in resp.json()["errors"]


def test_a_failed_intake_leaves_no_case_no_key_and_no_audit(case_world, client_for):
    before = ChangeRecord.objects.count()
    post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, "point_outside"),
         HTTP_IDEMPOTENCY_KEY="k-3")
    assert (Case.objects.count(), IdempotencyKey.objects.count(), ChangeRecord.objects.count()) == (0, 0, before)


def test_a_grid_worker_may_not_patrol_report_in_another_grid(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, "point_b"))
    assert resp.status_code == 422


def test_a_second_report_nearby_is_shown_the_existing_case_first(case_world, client_for):
    first = post(client_for("resident"), "/api/v1/cases/cases", body_at(case_world)).json()
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world))
    assert resp.status_code == 409 and resp.json()["duplicates"][0]["id"] == first["id"]


def test_a_report_of_another_category_nearby_is_not_a_duplicate(case_world, client_for):
    post(client_for("resident"), "/api/v1/cases/cases", body_at(case_world))
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, category="0101"))
    assert resp.status_code == 201


def test_an_anonymous_visitor_reports_through_the_public_endpoint(case_world, client_for):
    resp = post(client_for(None), "/api/v1/cases/public/cases", body_at(case_world, anonymous=True))
    assert resp.status_code == 201 and Case.objects.get().channel == "public"


def test_an_anonymous_visitor_cannot_claim_a_staff_channel(case_world, client_for):
    resp = post(client_for(None), "/api/v1/cases/public/cases", body_at(case_world))
    assert Case.objects.get(pk=resp.json()["id"]).channel == "public"


def _filed(world, client_for):
    pk = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(world)).json()["id"]
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/file", {"version": 1})
    return pk


def test_a_case_shows_the_dispatcher_what_they_may_do_next(case_world, client_for):
    pk = _filed(case_world, client_for)
    names = [a["name"] for a in client_for("dispatcher").get(f"/api/v1/cases/cases/{pk}").json()["actions"]]
    assert names == ["void", "dispatch"]


def test_a_case_says_who_may_act_next(case_world, client_for):
    pk = _filed(case_world, client_for)
    waiting = client_for("worker_a").get(f"/api/v1/cases/cases/{pk}").json()["waiting"]
    assert {w["transition"] for w in waiting} == {"void", "dispatch"} and waiting[0]["who"]


def test_two_dispatchers_on_one_version_one_wins_the_other_gets_409_with_the_current_stage(case_world, client_for):
    pk = _filed(case_world, client_for)
    c = client_for("dispatcher")
    first = post(c, f"/api/v1/cases/cases/{pk}/transitions/dispatch", {"version": 2})
    second = post(c, f"/api/v1/cases/cases/{pk}/transitions/void", {"version": 2, "note": "重复"})
    assert (first.status_code, second.status_code, second.json()["current_stage"]) == (200, 409, "dispatched")


def test_the_worker_of_grid_b_gets_404_for_a_case_of_grid_a(case_world, client_for):
    pk = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world)).json()["id"]
    assert client_for("worker_b").get(f"/api/v1/cases/cases/{pk}").status_code == 404


def test_the_leader_of_another_town_gets_404(case_world, client_for):
    pk = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world)).json()["id"]
    assert client_for("other_leader").get(f"/api/v1/cases/cases/{pk}").status_code == 404


def test_the_department_sees_a_case_only_once_dispatched_to_it(case_world, client_for):
    pk = _filed(case_world, client_for)
    before = client_for("clerk").get(f"/api/v1/cases/cases/{pk}").status_code
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/dispatch", {"version": 2})
    assert (before, client_for("clerk").get(f"/api/v1/cases/cases/{pk}").status_code) == (404, 200)


def test_the_pro_worker_sees_the_cases_of_their_category_only(case_world, client_for):
    gas = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, category="0501")).json()["id"]
    c = client_for("dispatcher")
    post(c, f"/api/v1/cases/cases/{gas}/transitions/file", {"version": 1})
    post(c, f"/api/v1/cases/cases/{gas}/transitions/dispatch", {"version": 2})
    rubbish = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world)).json()["id"]
    ids = [r["id"] for r in client_for("pro_safety").get("/api/v1/cases/cases").json()["items"]]
    assert gas in ids and rubbish not in ids


def test_a_resident_sees_their_own_reports_only(case_world, client_for):
    mine = post(client_for("resident"), "/api/v1/cases/cases", body_at(case_world)).json()["id"]
    other = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, category="0101")).json()["id"]
    c = client_for("resident")
    assert (c.get(f"/api/v1/cases/cases/{mine}").status_code, c.get(f"/api/v1/cases/cases/{other}").status_code) == (
        200, 404)


def test_the_queue_counts_show_what_waits_for_the_dispatcher(case_world, client_for):
    _filed(case_world, client_for)
    post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world, category="0101"))
    counts = {q["queue"]: q["count"] for q in client_for("dispatcher").get("/api/v1/cases/cases/queues").json()}
    assert (counts["file"], counts["dispatch"]) == (1, 1)


def test_the_list_filters_by_queue(case_world, client_for):
    pk = _filed(case_world, client_for)
    rows = client_for("dispatcher").get("/api/v1/cases/cases?queue=dispatch").json()["items"]
    assert [r["id"] for r in rows] == [pk]


def test_a_transition_writes_timeline_and_audit_in_one_go(case_world, client_for):
    pk = post(client_for("worker_a"), "/api/v1/cases/cases", body_at(case_world)).json()["id"]
    before = ChangeRecord.objects.filter(model="cases.case", object_id=str(pk)).count()
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/file", {"version": 1})
    assert (CaseEvent.objects.filter(case_id=pk, transition="file").count(),
            ChangeRecord.objects.filter(model="cases.case", object_id=str(pk)).count() - before) == (1, 1)


def test_it_notifies_the_department_on_dispatch_after_commit(case_world, client_for, _outbox):
    pk = _filed(case_world, client_for)
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/dispatch", {"version": 2})
    inbox = client_for("clerk").get("/api/v1/cases/cases/notifications").json()
    assert inbox[0]["case_id"] == pk


def test_the_flow_is_served_as_a_graph(case_world, client_for):
    body = client_for("leader").get("/api/v1/cases/cases/flows/complaint").json()
    assert body["graph"].startswith("stateDiagram-v2") and "callback" in [s["name"] for s in body["stages"]]


def test_the_category_list_names_a_tree_it_does_not_know(case_world, client_for):
    r = client_for(None).get("/api/v1/cases/cases/categories", {"tree": "foo"})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["tree"]


def test_the_category_list_of_the_event_tree_still_answers(case_world, client_for):
    r = client_for(None).get("/api/v1/cases/cases/categories", {"tree": "event"})
    assert r.status_code == 200 and "0102" in [c["code"] for c in r.json()]
