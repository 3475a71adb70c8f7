"""Duplicates: reports within 50 m and 72 h of an open case of the same category; merging; followers."""

import datetime as dt

from gridgov.cases.models import Case, CaseFollower
from gridgov.cases.services import case_merge, case_report, find_duplicates


def test_it_finds_an_open_case_40_metres_away(case_world, report):
    first = report("worker_a")
    lat, lon = case_world.point_a
    assert find_duplicates(category=first.category, lat=lat + 0.00036, lon=lon) == [first]


def test_it_ignores_a_case_60_metres_away(case_world, report):
    first = report("worker_a")
    lat, lon = case_world.point_a
    assert find_duplicates(category=first.category, lat=lat + 0.00054, lon=lon) == []


def test_it_ignores_a_case_older_than_72_hours(case_world, report):
    first = report("worker_a")
    Case.objects.filter(pk=first.pk).update(created_at=first.created_at - dt.timedelta(hours=73))
    lat, lon = case_world.point_a
    assert find_duplicates(category=first.category, lat=lat, lon=lon) == []


def test_a_resident_may_follow_the_existing_case_instead(case_world, report):
    first = report("worker_a")
    lat, lon = case_world.point_a
    intake = case_report(acting_user=case_world.resident, data={"category": "0102", "lat": lat, "lon": lon,
                                                                 "follow": first.pk})
    assert (intake.case.pk, intake.followed, Case.objects.count()) == (first.pk, True, 1)


def test_merged_reporters_follow_the_surviving_case(case_world, report, client_for):
    survivor = report("worker_a")
    dup = report("resident")
    case_merge(case=dup, into=survivor, acting_user=case_world.dispatcher)
    assert client_for("resident").get(f"/api/v1/cases/cases/{survivor.pk}").status_code == 200


def test_a_merged_case_closes_pointing_at_the_survivor(case_world, report):
    survivor = report("worker_a")
    dup = report("resident")
    case_merge(case=dup, into=survivor, acting_user=case_world.dispatcher)
    dup.refresh_from_db()
    assert (dup.stage, dup.status, dup.merged_into_id) == ("merged", "closed", survivor.pk)


def test_the_follow_link_of_a_merged_case_shows_the_survivor(case_world, report, client_for):
    survivor = report("worker_a", title="幸存案卷")
    dup = report(None)
    case_merge(case=dup, into=survivor, acting_user=case_world.dispatcher)
    assert client_for(None).get(f"/api/v1/cases/cases/follow/{dup.follow_token}").json()["title"] == "幸存案卷"


def test_only_the_dispatcher_may_merge(case_world, report, client_for):
    import json

    survivor, dup = report("worker_a"), report("worker_a")
    resp = client_for("worker_a").post(f"/api/v1/cases/cases/{dup.pk}/merge", data=json.dumps({"into": survivor.pk}),
                                       content_type="application/json")
    assert resp.status_code == 404 and not CaseFollower.objects.exists()


def test_following_and_merging_are_in_the_change_log_with_who_did_it(case_world, report):
    from gridgov.core.models import ChangeRecord

    first, dup = report("worker_a"), report("resident")
    lat, lon = case_world.point_a
    case_report(acting_user=case_world.people["worker_b"], data={"category": "0102", "lat": lat, "lon": lon,
                                                                 "follow": first.pk})
    case_merge(case=dup, into=first, acting_user=case_world.dispatcher)
    actors = set(ChangeRecord.objects.filter(model="cases.casefollower", action="create")
                 .values_list("actor", flat=True))
    assert actors == {"worker_b", case_world.dispatcher.username}


def test_a_visitor_shown_a_case_nearby_reads_its_category_not_the_reporters_own_title(case_world, report,
                                                                                        client_for):
    """居民辛 reported 「张家门口暴露垃圾，电话1370…」 in her own words. A visitor reporting at the same spot, or
    anyone asking /duplicates, is shown the case by number, stage and distance under its category's name;
    the dispatcher, who may see the case, reads her title."""
    import json

    first = report("resident", title="张家门口暴露垃圾，电话13700001111")
    lat, lon = case_world.point_a
    query = f"/api/v1/cases/cases/duplicates?category=0102&lat={lat}&lon={lon}"
    seen = {who: [d["title"] for d in client_for(who).get(query).json()]
            for who in (None, "worker_b", "dispatcher", "resident")}
    assert seen == {None: ["暴露垃圾"], "worker_b": ["暴露垃圾"], "dispatcher": [first.title],
                    "resident": [first.title]}
    resp = client_for(None).post("/api/v1/cases/public/cases", json.dumps(
        {"category": "0102", "lat": lat, "lon": lon, "description": "这里有垃圾"}), content_type="application/json")
    body = resp.json()
    assert resp.status_code == 409 and [d["title"] for d in body["duplicates"]] == ["暴露垃圾"]
    assert [d["number"] for d in body["duplicates"]] == [first.number]
    page = client_for(None).post("/cases/report/", {"category": first.category_id, "lat": lat, "lon": lon,
                                                   "description": "这里有垃圾"}).content.decode()
    assert first.number in page and "13700001111" not in page
