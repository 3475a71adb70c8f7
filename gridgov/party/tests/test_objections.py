"""Objections to published points: raised by a member during the 7 days, answered by the branch secretary
(accept or reject with a reply), and the answer shown on the member's phone view."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridgov.core.models import ChangeRecord
from gridgov.party import services
from gridgov.party.models import Member, Objection, Publication


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def objection(party):
    pub = services.publication_open(acting_user=party.secretary_a, org=party.branch_a,
                                    year=timezone.localdate().year)
    return services.objection_add(acting_user=party.member, publication=pub, text="我三月的志愿服务没有记分")


def test_a_member_raises_an_objection_from_the_phone_view(party, client_for):
    services.publication_open(acting_user=party.secretary_a, org=party.branch_a, year=timezone.localdate().year)
    c = client_for("member")
    assert "提出异议" in c.get("/party/my/").content.decode()
    pub = Publication.objects.get()
    resp = c.post("/party/my/objection/", {"publication": pub.pk, "text": "志愿服务少记一次"})
    assert resp.status_code == 302 and Objection.objects.get().text == "志愿服务少记一次"


def test_the_secretary_sees_the_objections_of_their_branch(party, objection, client_for):
    resp = client_for("secretary_a").get("/party/points/objections/")
    assert resp.status_code == 200 and "我三月的志愿服务没有记分" in resp.content.decode()


def test_the_secretary_of_another_branch_neither_lists_nor_opens_it(party, objection, client_for):
    c = client_for("secretary_b")
    assert "我三月的志愿服务没有记分" not in c.get("/party/points/objections/").content.decode()
    assert c.get(f"/party/points/objections/{objection.pk}/").status_code == 404


def test_another_towns_secretary_gets_404_for_a_guessed_id_in_the_api(party, objection, client_for):
    resp = post_json(client_for("other_secretary"), f"/api/v1/party/objections/{objection.pk}/answer",
                     {"version": 1, "accept": False, "response": "无"})
    assert resp.status_code == 404 and Objection.objects.get().state == "pending"


def test_the_secretary_rejects_with_a_reply_and_the_member_sees_it_on_the_phone(party, objection, client_for):
    resp = client_for("secretary_a").post(f"/party/points/objections/{objection.pk}/", {
        "version": objection.version, "accept": "0", "response": "经核对，三月志愿服务已计入四月"})
    assert resp.status_code == 302
    page = client_for("member").get("/party/my/").content.decode()
    assert "不予采纳" in page and "经核对，三月志愿服务已计入四月" in page


def test_an_accepted_objection_is_audited_with_before_and_after(party, objection, client_for):
    client_for("secretary_a").post(f"/party/points/objections/{objection.pk}/", {
        "version": objection.version, "accept": "1", "response": "已补录"})
    rec = ChangeRecord.objects.filter(model="party.objection", object_id=str(objection.pk), action="update").get()
    assert (rec.before["state"], rec.after["state"], rec.after["answered_by_id"]) == (
        "pending", "accepted", party.secretary_a.pk)


def test_an_answer_without_a_reply_is_refused_naming_the_field(party, objection, client_for):
    resp = client_for("secretary_a").post(f"/party/points/objections/{objection.pk}/", {
        "version": objection.version, "accept": "0", "response": "  "})
    assert resp.status_code == 422 and "请填写答复内容" in resp.content.decode()
    assert Objection.objects.get().state == "pending"


def test_two_secretaries_answering_at_once_one_wins_the_other_gets_409(party, objection, client_for):
    first = client_for("secretary_a").post(f"/party/points/objections/{objection.pk}/", {
        "version": 1, "accept": "1", "response": "已补录"})
    second = client_for("party_office").post(f"/party/points/objections/{objection.pk}/", {
        "version": 1, "accept": "0", "response": "不予采纳"})
    assert (first.status_code, second.status_code) == (302, 409)
    assert (Objection.objects.get().state, Objection.objects.get().response) == ("accepted", "已补录")


def test_the_api_answers_a_stale_version_with_409(party, objection, client_for):
    c = client_for("secretary_a")
    assert post_json(c, f"/api/v1/party/objections/{objection.pk}/answer",
                     {"version": 1, "accept": True, "response": "已补录"}).status_code == 200
    resp = post_json(c, f"/api/v1/party/objections/{objection.pk}/answer",
                     {"version": 1, "accept": False, "response": "改判"})
    assert resp.status_code == 409 and resp.json()["current_version"] == 2


def test_the_member_reads_the_answer_in_the_me_api(party, objection, client_for):
    post_json(client_for("secretary_a"), f"/api/v1/party/objections/{objection.pk}/answer",
              {"version": 1, "accept": True, "response": "已补录 2 分"})
    body = client_for("member").get("/api/v1/party/me").json()
    assert body["objections"] == [{"id": objection.pk, "publication_id": objection.publication_id,
                                   "text": "我三月的志愿服务没有记分", "state": "accepted",
                                   "response": "已补录 2 分"}]


def test_the_objection_list_api_shows_the_town_party_office_every_branch(party, objection, client_for):
    pub_b = services.publication_open(acting_user=party.secretary_b, org=party.branch_b,
                                      year=timezone.localdate().year)
    services.objection_add(acting_user=party.member_b, publication=pub_b, text="乙支部异议")
    office = client_for("party_office").get("/api/v1/party/objections").json()["items"]
    mine = client_for("secretary_a").get("/api/v1/party/objections").json()["items"]
    assert len(office) == 2 and [o["id"] for o in mine] == [objection.pk]


def test_the_objection_list_costs_the_same_queries_for_10_and_100_rows(party, objection):
    from django.test import Client

    others = list(Member.objects.filter(org=party.branch_a))
    Objection.objects.bulk_create([Objection(publication=objection.publication, member=others[i % len(others)],
                                             text=f"异议{i}") for i in range(120)])
    c = Client()
    c.force_login(party.secretary_a)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert count("/api/v1/party/objections?limit=10") == count("/api/v1/party/objections?limit=100")
    assert count("/party/points/objections/?page=3") == count("/party/points/objections/")  # 21 rows, 50 rows


def test_the_answer_page_speaks_english_through_the_language_switcher(party, objection, client_for):
    from django.conf import settings

    c = client_for("secretary_a")
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(f"/party/points/objections/{objection.pk}/").content.decode()
    assert "Objection to published points" in page and "Reject and reply" in page


def test_the_secretary_publishes_the_years_points_from_the_page_once(party, client_for):
    c = client_for("secretary_a")
    year = timezone.localdate().year
    assert c.post("/party/points/objections/", {"org": party.branch_a.pk, "year": year}).status_code == 302
    again = c.post("/party/points/objections/", {"org": party.branch_a.pk, "year": year})
    assert again.status_code == 422 and "正在公示" in again.content.decode() and Publication.objects.count() == 1
