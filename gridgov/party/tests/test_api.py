"""The party API: the bad inputs of issue 4 answered 422 with the field named in zh-Hans; scope as 404."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.party import services
from gridgov.party.models import Attendance, MeetingKind, Member, MemberStatus


def post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def theme_day(party, start=None):
    start = start or timezone.now() - dt.timedelta(minutes=5)
    return services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.THEME_DAY,
                                     title="主题党日", starts_at=start, ends_at=start + dt.timedelta(hours=2))


def test_it_checks_a_member_in_through_the_api(party, client_for):
    m = theme_day(party)
    resp = post(client_for("member"), "/api/v1/party/checkin", {"token": m.checkin_token})
    assert resp.status_code == 201 and resp.json()["status"] == "present"


def test_it_answers_a_second_check_in_with_422_naming_the_member_field(party, client_for):
    m = theme_day(party)
    c = client_for("member")
    post(c, "/api/v1/party/checkin", {"token": m.checkin_token})
    resp = post(c, "/api/v1/party/checkin", {"token": m.checkin_token})
    assert resp.status_code == 422 and "重复签到" in resp.json()["errors"]["member"][0]


def test_it_answers_a_check_in_before_the_window_with_422(party, client_for):
    m = theme_day(party, start=timezone.now() + dt.timedelta(hours=3))
    resp = post(client_for("member"), "/api/v1/party/checkin", {"token": m.checkin_token})
    assert resp.status_code == 422 and "checked_at" in resp.json()["errors"]
    assert not Attendance.objects.exists()


def test_it_answers_a_claim_beyond_the_cap_with_422(party, client_for):
    c = client_for("member")
    today = timezone.localdate().isoformat()
    for _ in range(10):
        claim = post(c, "/api/v1/party/points/claims", {"rule_code": "volunteer", "occurred_on": today,
                                                         "description": "志愿服务"}).json()
        post(client_for("secretary_a"), f"/api/v1/party/points/claims/{claim['id']}/decide", {"approve": True})
    resp = post(c, "/api/v1/party/points/claims", {"rule_code": "volunteer", "occurred_on": today,
                                                    "description": "志愿服务"})
    assert resp.status_code == 422 and "上限" in resp.json()["errors"]["points"][0]


def test_it_answers_a_vote_without_quorum_with_422(party, client_for):
    start = timezone.now() - dt.timedelta(minutes=5)
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a,
                                  kind=MeetingKind.GENERAL_ASSEMBLY, title="党员大会", starts_at=start,
                                  ends_at=start + dt.timedelta(hours=1))
    resp = post(client_for("secretary_a"), f"/api/v1/party/meetings/{m.pk}/votes", {"subject": "表决", "yes": 0})
    assert resp.status_code == 422 and "present_voting" in resp.json()["errors"]


def test_the_sender_cannot_accept_a_cross_town_transfer_through_the_api(party, client_for):
    c = client_for("secretary_a")
    t = post(c, "/api/v1/party/transfers", {"member": party.members[0].pk, "to_org": party.other_branch.pk}).json()
    resp = post(c, f"/api/v1/party/transfers/{t['id']}/accept", {"approve": True})
    assert resp.status_code == 422 and "to_org" in resp.json()["errors"]
    assert Member.objects.get(pk=party.members[0].pk).org_id == party.branch_a.pk


def test_a_secretary_gets_404_for_a_member_of_another_branch(party, client_for):
    other = Member.objects.get(user=party.member_b)
    assert client_for("secretary_a").get(f"/api/v1/party/members/{other.pk}").status_code == 404


def test_the_member_list_masks_phones(party, client_for):
    rows = client_for("secretary_a").get("/api/v1/party/members").json()["items"]
    assert all("****" in r["phone"] for r in rows if r["phone"])


def test_my_view_shows_my_meetings_and_points(party, client_for):
    m = theme_day(party)
    post(client_for("member"), "/api/v1/party/checkin", {"token": m.checkin_token})
    body = client_for("member").get("/api/v1/party/me").json()
    assert (body["score"], body["meetings"][0]["attendance"]) == (102, "present")


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_member_list_costs_the_same_queries_for_10_and_100_rows(party, world, client_for):
    c = client_for("party_office")
    Member.objects.bulk_create([Member(name=f"党员{i}", org=party.branch_b, town=world.town,
                                       status=MemberStatus.FULL) for i in range(120)])
    assert _queries(c, "/api/v1/party/members?limit=10") == _queries(c, "/api/v1/party/members?limit=100")


def test_the_meeting_list_costs_the_same_queries_for_10_and_100_rows(party, client_for):
    c = client_for("party_office")
    for i in range(110):
        theme_day(party, start=timezone.now() - dt.timedelta(days=i + 1))
    assert _queries(c, "/api/v1/party/meetings?limit=10") == _queries(c, "/api/v1/party/meetings?limit=100")


def test_a_compliance_board_of_a_year_beyond_the_calendar_is_refused_naming_year(party, client_for):
    resp = client_for("party_office").get("/api/v1/party/compliance?year=6371000")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["year"])


def test_meetings_of_a_year_before_the_calendar_are_refused_naming_year(party, client_for):
    resp = client_for("party_office").get("/api/v1/party/meetings?year=-1646")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["year"])


def test_it_refuses_an_organisation_id_no_database_holds_by_naming_the_filter(party, client_for):
    # Found by the API fuzz: 2**64 as ?org= reached SQLite and answered 500 (OverflowError).
    c = client_for("secretary_a")
    for url in ("/api/v1/party/members?org=18446744073709551616", "/api/v1/party/members?town=-1"):
        resp = c.get(url)
        assert resp.status_code == 422, url
        body = json.dumps(resp.json(), ensure_ascii=False)
        assert ("org" in body or "town" in body) and "应为 1 至" in body, body
    assert c.get(f"/api/v1/party/members?org={party.branch_a.pk}").status_code == 200
