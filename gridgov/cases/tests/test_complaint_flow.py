"""群众诉求 by the 三度工作法: accepted within 2 working hours, solved within the limit, a reply the
complainant rates 1–5; a 差评 opens a call-back task."""

import json

import pytest

from gridgov.cases.engine import fire
from gridgov.cases.models import Case


def go(world, case, name, who, **kw):
    return fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=world.people[who], **kw)


@pytest.fixture
def replied(case_world, report):
    """A complaint by the resident, accepted, dispatched, solved and replied to."""
    w = case_world
    case = report("resident", kind="complaint")
    go(w, case, "accept", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    go(w, case, "sign", "clerk")
    go(w, case, "solve", "clerk", note="已协调物业清运")
    go(w, case, "reply", "clerk", data={"reply": "您反映的问题已解决"})
    return Case.objects.get(pk=case.pk)


def test_it_measures_the_response_against_two_working_hours(case_world, report):
    from gridgov.cases.deadlines import add_working_time

    case = report("resident", kind="complaint")
    # The clock starts at the report (the timeline's first line); the row's created_at is stamped a moment
    # later, which matters inside working hours.
    reported_at = case.events.get(transition="report").time
    assert case.step_deadline == add_working_time(reported_at, 2, "hours").at


def test_an_acceptance_within_the_limit_counts_as_on_time(case_world, report):
    case = report("resident", kind="complaint")
    go(case_world, case, "accept", "dispatcher")
    assert Case.objects.get(pk=case.pk).response_on_time is True


def test_a_late_acceptance_is_not_on_time(case_world, report):
    import datetime as dt

    case = report("resident", kind="complaint")
    Case.objects.filter(pk=case.pk).update(step_deadline=case.created_at - dt.timedelta(minutes=1))
    go(case_world, case, "accept", "dispatcher")
    assert Case.objects.get(pk=case.pk).response_on_time is False


def test_a_good_rating_closes_the_complaint(case_world, replied, client_for):
    resp = client_for("resident").post(f"/api/v1/cases/cases/{replied.pk}/transitions/rate",
                                       data=json.dumps({"version": replied.version, "data": {"rating": 5}}),
                                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["stage"] == "closed"


def test_a_bad_rating_opens_a_call_back_task(case_world, replied):
    go(case_world, replied, "rate", "resident", data={"rating": 2}, note="态度不好")
    assert Case.objects.get(pk=replied.pk).stage == "callback"


def test_the_call_back_closes_the_complaint(case_world, replied):
    go(case_world, replied, "rate", "resident", data={"rating": 1})
    go(case_world, replied, "callback_done", "dispatcher", note="已回访，致歉并说明")
    case = Case.objects.get(pk=replied.pk)
    assert (case.stage, case.status, case.rating) == ("closed", "closed", 1)


def test_an_anonymous_complainant_rates_through_the_follow_link(case_world, report, client_for):
    w = case_world
    case = report(None, kind="complaint")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "ok"}), ("reply", "clerk", {"data": {"reply": "已办"}})):
        go(w, case, name, who, **kw)
    resp = client_for(None).post(f"/cases/follow/{case.follow_token}/", {"rating": "4"})
    assert resp.status_code == 302 and Case.objects.get(pk=case.pk).rating == 4


def test_a_rating_outside_one_to_five_is_refused(case_world, replied, client_for):
    resp = client_for(None).post(f"/api/v1/cases/cases/follow/{replied.follow_token}/rate",
                                 data=json.dumps({"rating": 7}), content_type="application/json")
    assert resp.status_code == 422


def test_solving_after_the_deadline_is_not_on_time(case_world, report):
    import datetime as dt

    w = case_world
    case = report("resident", kind="complaint")
    go(w, case, "accept", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    go(w, case, "sign", "clerk")
    Case.objects.filter(pk=case.pk).update(deadline=case.created_at - dt.timedelta(hours=1))
    go(w, case, "solve", "clerk", note="晚了")
    assert Case.objects.get(pk=case.pk).on_time is False


def _anonymous_follow(case_world, case, client):
    """A passer-by reports the same problem from the report page and chooses 关注此事件."""
    lat, lon = case_world.point_a
    resp = client.post("/cases/report/", {"kind": "complaint", "category": "0102", "lat": lat, "lon": lon,
                                           "description": "这里也有垃圾", "follow": case.pk})
    assert resp.status_code == 302
    return resp["Location"].rstrip("/").rsplit("/", 1)[1]


def test_a_passer_by_who_follows_a_complaint_gets_a_link_of_their_own_not_the_complainants(
        case_world, replied, client_for):
    """The complainant's link rates the reply; the passer-by who followed the same complaint gets their own
    link: it shows the progress, not the reply, offers no rating, and cannot rate through the page or the API."""
    passer_by = client_for(None)
    token = _anonymous_follow(case_world, replied, passer_by)
    assert token != replied.follow_token
    page = passer_by.get(f"/cases/follow/{token}/").content.decode()
    assert replied.number in page and "您反映的问题已解决" not in page and 'name="rating"' not in page
    assert replied.follow_token not in page
    refused = passer_by.post(f"/cases/follow/{token}/", {"rating": "1"})
    api = passer_by.post(f"/api/v1/cases/cases/follow/{token}/rate", data=json.dumps({"rating": 1}),
                         content_type="application/json")
    assert refused.status_code == 200 and "只有诉求人本人可以评价" in refused.content.decode()
    assert api.status_code == 404 and Case.objects.get(pk=replied.pk).rating is None
    assert client_for(None).get(f"/api/v1/cases/cases/follow/{token}").json()["reply"] == ""
    assert "您反映的问题已解决" in client_for(None).get(f"/cases/follow/{replied.follow_token}/").content.decode()


def test_the_reporter_of_a_merged_complaint_follows_the_survivor_but_does_not_rate_it(
        case_world, replied, report, client_for):
    from gridgov.cases.services import case_merge

    dup = report(None, kind="complaint", force_new=True)
    case_merge(case=Case.objects.get(pk=dup.pk), into=Case.objects.get(pk=replied.pk),
               acting_user=case_world.people["dispatcher"])
    page = client_for(None).get(f"/cases/follow/{dup.follow_token}/").content.decode()
    assert replied.number in page and "您反映的问题已解决" not in page and replied.follow_token not in page
    client_for(None).post(f"/cases/follow/{dup.follow_token}/", {"rating": "1"})
    assert Case.objects.get(pk=replied.pk).rating is None


def test_a_retried_follow_hands_out_the_same_follower_link(case_world, replied, client_for):
    """The API's Idempotency-Key: a retry of a follow answers the follower's link again, never the case's."""
    lat, lon = case_world.point_a
    body = json.dumps({"kind": "complaint", "category": "0102", "lat": lat, "lon": lon, "follow": replied.pk})
    c = client_for(None)
    urls = [c.post("/api/v1/cases/public/cases", body, content_type="application/json",
                   headers={"Idempotency-Key": "k-1"}).json()["follow_url"] for _ in range(2)]
    assert urls[0] == urls[1] and replied.follow_token not in urls[0]
    assert Case.objects.get(pk=replied.pk).events.filter(transition="follow").count() == 1


def test_it_refuses_a_handler_from_another_town(case_world, report):
    from gridgov.core.errors import ValidationFailed

    w = case_world
    case = report("resident", kind="complaint")
    go(w, case, "accept", "dispatcher")
    with pytest.raises(ValidationFailed) as exc:
        go(w, case, "dispatch", "dispatcher", data={"department": w.department.pk, "assignee": w.other_leader.pk})
    assert "assignee" in exc.value.errors


def test_it_refuses_a_handler_outside_the_department_dispatched_to(case_world, report):
    from gridgov.core.errors import ValidationFailed

    w = case_world
    case = report("resident", kind="complaint")
    go(w, case, "accept", "dispatcher")
    with pytest.raises(ValidationFailed) as exc:
        go(w, case, "dispatch", "dispatcher", data={"pro_category": "safety", "assignee": w.clerk.pk})
    assert "assignee" in exc.value.errors


def test_the_named_handler_of_the_department_signs(case_world, report):
    w = case_world
    case = report("resident", kind="complaint")
    go(w, case, "accept", "dispatcher")
    go(w, case, "dispatch", "dispatcher", data={"department": w.department.pk, "assignee": w.clerk.pk})
    assert go(w, case, "sign", "clerk").stage == "handling"


def test_the_sweep_urges_the_dispatcher_not_the_department_when_the_complainant_has_not_rated(case_world):
    # The department has replied; three working days on, the complainant has not rated: the 指挥中心
    # follows it up (calls, records the rating), the department has nothing left to do.
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.models import Notification
    from gridgov.cases.services import case_sweep

    from .bulk import make_cases

    w = case_world
    past = timezone.now() - dt.timedelta(hours=1)
    make_cases(w, 1, kind="complaint", stage="rating", department=w.department, step_deadline=past)
    case_sweep()
    urged = set(Notification.objects.filter(kind="urge").values_list("recipient__username", flat=True))
    assert "dispatcher" in urged and "clerk" not in urged


def test_the_sweep_urges_the_department_while_it_handles_the_complaint(case_world):
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.models import Notification
    from gridgov.cases.services import case_sweep

    from .bulk import make_cases

    w = case_world
    past = timezone.now() - dt.timedelta(hours=1)
    make_cases(w, 1, kind="complaint", stage="handling", department=w.department, deadline=past, step_deadline=past)
    case_sweep()
    assert Notification.objects.filter(kind="urge", recipient=w.clerk).exists()


def test_it_refuses_a_reply_of_only_spaces_and_names_the_reply(case_world, report, client_for):
    # 城管 clerk 丁 presses 答复诉求人 with blanks in the reply: the complainant would be asked to rate nothing.
    w = case_world
    case = report("resident", kind="complaint")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "已清运"})):
        case = go(w, case, name, who, **kw)
    page = client_for("clerk").post(f"/cases/{case.pk}/fire/reply/", {"version": case.version, "reply": "  \n "})
    assert page.status_code == 422 and "答复内容：必填" in page.content.decode()
    assert Case.objects.get(pk=case.pk).stage == "replying"


def test_it_tells_the_dispatcher_in_the_inbox_that_a_bad_rating_awaits_their_call_back(case_world, replied):
    from django.utils import timezone

    from gridgov.cases.models import Notification
    from gridgov.cases.services import fire_by_token

    fire_by_token(token=replied.follow_token, transition="rate", data={"rating": 2}, note="还有残留")
    due = timezone.localtime(Case.objects.get(pk=replied.pk).step_deadline).strftime("%Y-%m-%d %H:%M")
    body = Notification.objects.get(kind="rate", recipient=case_world.dispatcher).body
    assert body == f"满意度：2 / 5\n差评，请于 {due} 前回访诉求人\n还有残留"
