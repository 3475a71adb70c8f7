"""Several people phone 12345 about the same overflowing bin. The operator (话务员壬) files the first call as a
complaint; the next callers are shown the open case and follow it instead. Each caller is a person of their
own: their name and mobile stay with the case (masked to staff), each gets their own follow link, read out by
the operator and sent by text, and the texts tell them of its progress."""

import re

import pytest

from gridgov.cases.engine import fire
from gridgov.cases.models import Case, CaseFollower
from gridgov.core.models import AccessLog


def call(world, client_for, name, phone, **extra):
    lat, lon = world.point_a
    return client_for("operator").post("/cases/report/", {
        "kind": "complaint", "channel": "hotline", "category": "0102", "lat": lat, "lon": lon,
        "description": "来电反映垃圾桶满溢", "reporter_name": name, "reporter_phone": phone, **extra}, follow=True)


@pytest.fixture
def first_call(case_world, client_for, operator):
    call(case_world, client_for, "王先生", "13912345678")
    return Case.objects.get()


def follow_on_the_phone(world, client_for, case, name, phone):
    shown = call(world, client_for, name, phone)
    assert shown.status_code == 409 and case.number in shown.content.decode()  # the open case is shown first
    return call(world, client_for, name, phone, follow=case.pk)


def texts_to(outbox, phone):
    return [n for n in outbox if n.recipient_id is None and n.recipient.phone == phone]


def test_the_next_caller_follows_the_open_case_with_their_own_contact(case_world, client_for, first_call):
    page = follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321")
    follower = CaseFollower.objects.get(case=first_call)
    assert (follower.user, follower.name, follower.phone) == (None, "李女士", "13787654321")
    assert Case.objects.count() == 1 and "来电群众重复反映（关注）" in page.content.decode()


def test_the_operator_is_shown_the_callers_own_link_to_read_out(case_world, client_for, first_call):
    page = follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321").content.decode()
    token = CaseFollower.objects.get().token
    assert f"/cases/follow/{token}/" in page and token != first_call.follow_token
    resident = client_for(None).get(f"/cases/follow/{token}/").content.decode()
    assert first_call.number in resident and 'name="rating"' not in resident  # progress, not the rating


def test_two_callers_get_two_links(case_world, client_for, first_call):
    follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321")
    follow_on_the_phone(case_world, client_for, first_call, "赵先生", "13600001111")
    rows = CaseFollower.objects.filter(case=first_call)
    assert sorted(rows.values_list("name", flat=True)) == ["李女士", "赵先生"]
    assert len({f.token for f in rows}) == 2


def test_the_dispatcher_sees_the_callers_masked_and_unmasks_them_with_a_logged_reason(
        case_world, client_for, first_call):
    follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321")
    dispatcher = client_for("dispatcher")
    page = dispatcher.get(f"/cases/{first_call.pk}/").content.decode()
    assert "李女士 137****4321" in page and "13787654321" not in page and 'name="reason"' in page
    page = dispatcher.get(f"/cases/{first_call.pk}/?unmask=1&reason=回访来电群众").content.decode()
    log = AccessLog.objects.get(model="cases.casefollower")
    assert "李女士 13787654321" in page and (log.user, log.count, log.reason) == (
        case_world.dispatcher, 1, "回访来电群众")


def test_the_department_sees_the_callers_masked_only(case_world, client_for, first_call):
    follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321")
    for name in ("accept", "dispatch"):
        fire(case=Case.objects.get(pk=first_call.pk), transition=name, acting_user=case_world.dispatcher)
    page = client_for("clerk").get(f"/cases/{first_call.pk}/?unmask=1&reason=想看").content.decode()
    assert "137****4321" in page and "13787654321" not in page
    assert not AccessLog.objects.exists()


def test_the_api_lists_the_followers_masked(case_world, client_for, first_call):
    follow_on_the_phone(case_world, client_for, first_call, "李女士", "13787654321")
    body = client_for("dispatcher").get(f"/api/v1/cases/cases/{first_call.pk}").json()
    assert [(f["name"], f["phone"]) for f in body["followers"]] == [("李女士", "137****4321")]


def test_a_wrong_mobile_is_refused_by_name_and_nothing_is_followed(case_world, client_for, first_call):
    page = call(case_world, client_for, "李女士", "1378765", follow=first_call.pk)
    assert page.status_code == 422 and "手机号" in page.content.decode()
    assert not CaseFollower.objects.exists()


def test_an_anonymous_resident_who_follows_leaves_no_contact(case_world, client_for, first_call):
    lat, lon = case_world.point_a
    client_for(None).post("/cases/report/", {
        "category": "0102", "lat": lat, "lon": lon, "description": "垃圾", "anonymous": "on",
        "reporter_name": "路人", "reporter_phone": "13500000000", "follow": first_call.pk})
    assert list(CaseFollower.objects.values_list("name", "phone")) == [("", "")]


def test_each_caller_gets_their_link_by_text_and_hears_of_progress(
        case_world, client_for, operator, _outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call(case_world, client_for, "王先生", "13912345678")
    case = Case.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        follow_on_the_phone(case_world, client_for, case, "李女士", "13787654321")
    follower = CaseFollower.objects.get()
    assert [n.url for n in texts_to(_outbox, "13912345678")] == [f"/cases/follow/{case.follow_token}/"]
    assert [n.url for n in texts_to(_outbox, "13787654321")] == [f"/cases/follow/{follower.token}/"]

    _outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        fire(case=Case.objects.get(pk=case.pk), transition="accept", acting_user=case_world.dispatcher,
             note="内部备注：请环卫所处理")
    texts = {n.recipient.phone: n for n in _outbox if n.recipient_id is None}
    assert set(texts) == {"13912345678", "13787654321"}
    assert texts["13787654321"].url == f"/cases/follow/{follower.token}/"
    assert all("受理" in n.title and n.body == "" for n in texts.values())  # no staff notes in a text


def test_a_merged_callers_contact_follows_the_surviving_case(case_world, client_for, first_call, _outbox,
                                                             django_capture_on_commit_callbacks):
    from gridgov.cases.services import case_merge

    call(case_world, client_for, "孙女士", "13811112222", force_new="1")
    second = Case.objects.exclude(pk=first_call.pk).get()
    case_merge(case=second, into=first_call, acting_user=case_world.dispatcher)
    assert list(CaseFollower.objects.filter(case=first_call).values_list("phone", "via")) == [
        ("13811112222", second.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        fire(case=Case.objects.get(pk=first_call.pk), transition="accept", acting_user=case_world.dispatcher)
    assert texts_to(_outbox, "13811112222")


def test_a_text_goes_through_the_sms_gateway(case_world, client_for, operator, settings, monkeypatch,
                                             django_capture_on_commit_callbacks):
    import json
    import urllib.request

    sent = []

    class Answer:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def urlopen(req, timeout):
        sent.append(json.loads(req.data))
        return Answer()

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)  # the operator's gateway, not our code
    settings.GRIDGOV_NOTIFY_BACKENDS = ["gridgov.cases.notifications.sms_backend"]
    settings.GRIDGOV_SMS_URL, settings.GRIDGOV_SITE_URL = "http://sms.example/send", "https://gridgov.example"
    with django_capture_on_commit_callbacks(execute=True):
        call(case_world, client_for, "王先生", "13912345678")
    case = Case.objects.get()
    assert [(m["phone"], re.search(r"https://\S+", m["text"]).group()) for m in sent] == [
        ("13912345678", f"https://gridgov.example/cases/follow/{case.follow_token}/")]



def test_the_operators_report_form_starts_at_a_12345_complaint_and_a_workers_at_a_patrol_event(case_world,
                                                                                             operator, client_for):
    """话务员壬 answers calls all day: the form starts at 群众诉求 by 12345热线 with the hint to take the caller's
    name and mobile. 网格员甲 on patrol starts at 网格事件 by 网格员巡查, without that hint (it shows only when he
    picks 12345热线)."""
    import re

    def selected(html, name):
        box = html[html.index(f'name="{name}"'):html.index("</select>", html.index(f'name="{name}"'))]
        return re.search(r'<option value="(\w+)" selected', box).group(1)

    desk = client_for("operator").get("/cases/report/").content.decode()
    worker = client_for("worker_a").get("/cases/report/").content.decode()
    assert (selected(desk, "kind"), selected(desk, "channel")) == ("complaint", "hotline")
    assert (selected(worker, "kind"), selected(worker, "channel")) == ("grid_event", "patrol")
    hint = 'data-for-channel="hotline"'
    assert f"{hint}>" in desk and f"{hint} hidden>" in worker
