"""A complaint walked through its pages as the people of the 三度工作法 use them: the resident on a phone,
the 12345 operator (综合受理窗口), the dispatcher, the department clerk and the call-back."""

import re

import pytest

from gridgov.cases.models import Case, Category


@pytest.fixture
def component_0101(case_world):
    """The 部件 tree reuses the 事件 codes: 部件 0101 上水井盖 beside 事件 0101 私搭乱建."""
    parent = Category.objects.create(tree="component", code="01", name="公用设施")
    return Category.objects.create(tree="component", code="0101", name="上水井盖", parent=parent)


def offered(html: str, name: str) -> str:
    """The value the report form sends for the category option showing `name`."""
    return re.search(r'<option value="([^"]*)"[^>]*>[^<]*' + re.escape(name) + "</option>", html).group(1)


def test_it_records_the_event_category_a_resident_picks_even_when_a_component_shares_its_code(
        case_world, client_for, component_0101):
    resident = client_for(None)
    value = offered(resident.get("/cases/report/").content.decode(), "私搭乱建")
    lat, lon = case_world.point_a
    resident.post("/cases/report/", {"category": value, "lat": lat, "lon": lon, "description": "楼下违建"})
    assert Case.objects.get().category == case_world.cats["illegal_building"]


def test_it_records_a_component_a_resident_picks_by_its_own_entry(case_world, client_for, component_0101):
    resident = client_for(None)
    value = offered(resident.get("/cases/report/").content.decode(), "上水井盖")
    lat, lon = case_world.point_a
    resident.post("/cases/report/", {"category": value, "lat": lat, "lon": lon, "description": "井盖丢了"})
    assert Case.objects.get().category == component_0101


def test_it_reads_a_bare_code_as_the_event_category(case_world, report, component_0101):
    assert report("worker_a", category="0101").category == case_world.cats["illegal_building"]


def hotline_call(world, client_for, **extra):
    lat, lon = world.point_a
    client_for("operator").post("/cases/report/", {
        "kind": "complaint", "channel": "hotline", "category": "0102", "lat": lat, "lon": lon,
        "description": "来电反映垃圾无人清运", "reporter_name": "王先生", "reporter_phone": "13912345678", **extra})
    return Case.objects.get()


def test_it_asks_the_12345_operator_for_the_callers_name_and_phone(case_world, client_for, operator):
    html = client_for("operator").get("/cases/report/").content.decode()
    assert 'name="reporter_name"' in html and 'name="reporter_phone"' in html


def test_it_names_the_caller_not_the_operator_as_the_complainant(case_world, client_for, operator):
    case = hotline_call(case_world, client_for)
    page = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert re.search(r"<dd>王先生 139\*\*\*\*5678</dd>", page) and "话务员壬</dd>" not in page


def test_it_gives_the_operator_the_follow_link_to_read_out_to_the_caller(case_world, client_for, operator):
    case = hotline_call(case_world, client_for)
    page = client_for("operator").get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/follow/{case.follow_token}/" in page


def test_it_shows_the_side_paths_of_the_complaint_flow_in_english(case_world, client_for):
    c = client_for("dispatcher")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get("/cases/flows/complaint/").content.decode()
    assert "Request extension" in html and "申请延期" not in html


def test_it_labels_the_dispatch_form_in_english(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report("resident", kind="complaint")
    fire(case=case, transition="accept", acting_user=case_world.people["dispatcher"])
    c = client_for("dispatcher")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get(f"/cases/{case.pk}/").content.decode()
    assert "Responsible department" in html and "责任部门<" not in html


def test_it_shows_the_dispatcher_the_complainants_number_for_the_call_back_and_logs_why(
        case_world, client_for, operator):
    from gridgov.core.models import AccessLog

    case = hotline_call(case_world, client_for)
    page = client_for("dispatcher").get(f"/cases/{case.pk}/?unmask=1&reason=差评回访").content.decode()
    log = AccessLog.objects.get()
    assert "13912345678" in page and (log.user, log.object_id, log.reason) == (
        case_world.dispatcher, str(case.pk), "差评回访")


def test_it_asks_for_a_reason_before_showing_the_number(case_world, client_for, operator):
    case = hotline_call(case_world, client_for)
    page = client_for("dispatcher").get(f"/cases/{case.pk}/?unmask=1").content.decode()
    assert "13912345678" not in page and "请填写查看事由" in page


def test_it_keeps_the_number_masked_for_the_department(case_world, client_for, operator):
    from gridgov.cases.engine import fire

    case = hotline_call(case_world, client_for)
    for name in ("accept", "dispatch"):
        case = fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=case_world.dispatcher)
    page = client_for("clerk").get(f"/cases/{case.pk}/?unmask=1&reason=想看").content.decode()
    assert "13912345678" not in page and "139****5678" in page


def test_it_never_unmasks_an_anonymous_complainant(case_world, client_for, operator):
    case = hotline_call(case_world, client_for, anonymous="on")
    page = client_for("dispatcher").get(f"/cases/{case.pk}/?unmask=1&reason=回访").content.decode()
    assert "13912345678" not in page


def test_it_gives_the_full_number_through_the_api_with_a_reason(case_world, client_for, operator):
    case = hotline_call(case_world, client_for)
    body = client_for("dispatcher").get(f"/api/v1/cases/cases/{case.pk}?unmask=true&reason=回访").json()
    assert body["reporter_phone"] == "13912345678"


def test_it_tells_an_english_reader_the_timeline_in_english(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report(None, kind="complaint")  # reported and accepted by people working in Chinese
    fire(case=case, transition="accept", acting_user=case_world.dispatcher)
    c = client_for(None)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get(f"/cases/follow/{case.follow_token}/").content.decode()
    assert "Reported (Resident report)" in html and "<b>Accept</b>" in html and "受理" not in html


def test_it_names_the_timeline_in_the_staff_language_on_the_case_page(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report(None, kind="complaint")
    fire(case=case, transition="accept", acting_user=case_world.dispatcher)
    c = client_for("dispatcher")
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = c.get(f"/cases/{case.pk}/").content.decode()
    assert "<b>Accept</b>" in html and "<b>受理</b>" not in html


def test_it_tells_the_complainant_why_the_complaint_was_not_accepted(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report(None, kind="complaint")
    fire(case=case, transition="void", acting_user=case_world.dispatcher, note="属于司法程序，请向法院起诉")
    page = client_for(None).get(f"/cases/follow/{case.follow_token}/").content.decode()
    api = client_for(None).get(f"/api/v1/cases/cases/follow/{case.follow_token}").json()
    assert "属于司法程序，请向法院起诉" in page and api["void_reason"] == "属于司法程序，请向法院起诉"


def test_it_shows_a_solved_complaint_as_handled_not_as_time_remaining(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report("resident", kind="complaint")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "已清运"})):
        case = fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=case_world.people[who], **kw)
    html = client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
    handling = re.search(r"<dt>处置时限</dt><dd>(.*?)</dd>", html).group(1)
    assert "办理完毕，按期" in handling and "剩余" not in handling


def _replied(world, report, key: str | None = None):
    """A complaint accepted, dispatched, solved and replied to: waiting for the complainant's rating."""
    from gridgov.cases.engine import fire

    case = report(key, kind="complaint")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "已清运"}), ("reply", "clerk", {"data": {"reply": "已清运完毕"}})):
        case = fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=world.people[who], **kw)
    return case


def test_it_names_the_satisfaction_and_keeps_the_comment_when_a_rating_is_refused(case_world, client_for, report):
    case = _replied(case_world, report)
    page = client_for(None).post(f"/cases/follow/{case.follow_token}/", {"rating": "7", "note": "还行吧"})
    html = page.content.decode()
    assert page.status_code == 422 and "满意度：评价只能是 1 到 5" in html and 'value="还行吧"' in html


def test_it_tells_the_complainant_rating_again_from_another_tab_that_it_is_already_rated(
        case_world, client_for, report):
    case = _replied(case_world, report)
    complainant = client_for(None)
    complainant.post(f"/cases/follow/{case.follow_token}/", {"rating": "2"})
    again = complainant.post(f"/cases/follow/{case.follow_token}/", {"rating": "5"})
    assert "满意度：您已评价过（2 / 5），不能重复评价" in again.content.decode()
    assert Case.objects.get(pk=case.pk).rating == 2


def test_the_api_names_the_rating_when_a_complaint_is_rated_twice(case_world, client_for, report):
    import json

    case = _replied(case_world, report)
    url = f"/api/v1/cases/cases/follow/{case.follow_token}/rate"
    client_for(None).post(url, json.dumps({"rating": 4}), content_type="application/json")
    again = client_for(None).post(url, json.dumps({"rating": 1}), content_type="application/json")
    assert again.status_code == 422 and "rating" in again.json()["errors"]


def test_it_names_the_complainant_not_the_system_as_who_rated_through_the_follow_link(
        case_world, client_for, report):
    case = _replied(case_world, report)
    Case.objects.filter(pk=case.pk).update(reporter_name="刘女士")
    client_for(None).post(f"/cases/follow/{case.follow_token}/", {"rating": "2", "note": "还有残留"})
    page = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "<b>满意度评价</b> · 刘女士" in page


def _local(d) -> str:
    from django.utils import timezone

    return timezone.localtime(d).strftime("%Y-%m-%d %H:%M")


def test_it_tells_the_resident_until_when_the_town_will_accept_the_complaint(case_world, client_for, report):
    case = report(None, kind="complaint")
    page = client_for(None).get(f"/cases/follow/{case.follow_token}/").content.decode()
    assert f"{case_world.town.name}将于 {_local(case.step_deadline)} 前受理诉求" in page


def test_it_tells_the_complainant_after_a_bad_rating_until_when_they_will_be_called_back(
        case_world, client_for, report):
    case = _replied(case_world, report)
    complainant = client_for(None)
    complainant.post(f"/cases/follow/{case.follow_token}/", {"rating": "1"})
    page = complainant.get(f"/cases/follow/{case.follow_token}/").content.decode()
    callback = Case.objects.get(pk=case.pk).step_deadline
    assert f"工作人员将于 {_local(callback)} 前回访您" in page


def test_it_gives_the_clerk_a_box_of_several_lines_for_the_reply_to_the_complainant(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report("resident", kind="complaint")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "已清运"})):
        case = fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=case_world.people[who], **kw)
    html = client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
    assert re.search(r'<textarea name="reply" rows="\d+" required>', html)


def test_it_words_the_five_levels_for_the_operator_recording_a_rating_given_by_phone(
        case_world, client_for, operator, report):
    case = _replied(case_world, report)
    html = client_for("operator").get(f"/cases/{case.pk}/").content.decode()
    assert '<option value="2">2 不满意</option>' in html and '<option value="5">5 非常满意</option>' in html


def test_it_tells_the_operator_the_call_is_registered_and_to_give_the_caller_number_and_link(
        case_world, client_for, operator):
    lat, lon = case_world.point_a
    page = client_for("operator").post("/cases/report/", {
        "kind": "complaint", "channel": "hotline", "category": "0102", "lat": lat, "lon": lon,
        "description": "来电反映垃圾无人清运", "reporter_name": "王先生", "reporter_phone": "13912345678"}, follow=True)
    assert f"已登记：{Case.objects.get().number}，请将案卷编号和查询链接告知来电群众" in page.content.decode()


def test_it_tells_the_resident_the_complaint_is_submitted(case_world, client_for):
    lat, lon = case_world.point_a
    page = client_for(None).post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon,
                                                    "description": "楼下垃圾"}, follow=True)
    assert f"已提交：{Case.objects.get().number}" in page.content.decode()


def test_it_shows_the_dispatcher_the_working_time_left_to_accept_a_new_complaint(case_world, client_for, report):
    # 响应速度: 受理 within 2 working hours of the report; the page says how much of them is left.
    case = report(None, kind="complaint")
    html = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert f"{_local(case.step_deadline)}（剩余 2 个工作小时）" in html


def test_it_tells_the_complainant_when_it_was_handled_beside_the_deadline(case_world, client_for, report):
    case = _replied(case_world, report)
    page = client_for(None).get(f"/cases/follow/{case.follow_token}/").content.decode()
    assert f"{_local(case.deadline)}（已于 {_local(case.solved_at)} 办理完毕）" in page


def test_the_operator_recording_a_rating_by_phone_is_told_it_was_recorded(case_world, client_for, operator, report):
    """The 12345 desk calls the complainant back and records 4 / 5: the page says 已记录满意度评价, not 已满意度评价."""
    case = _replied(case_world, report)
    page = client_for("operator").post(f"/cases/{case.pk}/fire/rate/", {"version": case.version, "rating": "4"},
                                       follow=True).content.decode()
    assert f"已记录满意度评价：{case.number}" in page and "已满意度评价" not in page


def test_the_dispatcher_declining_a_complaint_is_told_so_in_words(case_world, client_for, report):
    case = report(None, kind="complaint")
    page = client_for("dispatcher").post(f"/cases/{case.pk}/fire/void/", {"version": case.version,
                                                                          "note": "不属于本街道职责"},
                                         follow=True).content.decode()
    assert f"已决定不予受理（作废）：{case.number}" in page and "已不予受理" not in page


def test_the_clerk_replying_reads_that_the_note_is_for_staff_and_the_reply_for_the_complainant(
        case_world, client_for, report):
    """部门科员丁 writes the reply the complainant will read and rate; the 说明 under it stays inside the office,
    and the form says so (the complainant's link shows neither notes nor names)."""
    from gridgov.cases.engine import fire

    case = report(None, kind="complaint", reporter_name="刘女士", reporter_phone="13712344321")
    for name, who, kw in (("accept", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("sign", "clerk", {}),
                          ("solve", "clerk", {"note": "内部：已协调环卫所"})):
        case = fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=case_world.people[who], **kw)
    html = client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
    follow = client_for(None).get(f"/cases/follow/{case.follow_token}/").content.decode()
    assert "说明 <small class=\"hint\">（仅工作人员可见，群众查询页不显示）</small>" in html
    assert "内部：已协调环卫所" in html and "内部：已协调环卫所" not in follow
