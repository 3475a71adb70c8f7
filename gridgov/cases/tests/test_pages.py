"""Case pages: queues, list, case with timeline and actions, report forms, follow link, map, inbox; a fixed
number of SQL queries whatever the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from gridgov.cases.models import Case
from gridgov.cases.tests.bulk_cases import make_cases


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, resp.content[:500]
    return len(ctx.captured_queries)


def test_the_list_page_makes_the_same_queries_for_10_and_100_rows(case_world, client_for):
    make_cases(case_world, 100)
    c = client_for("leader")
    assert queries(c, "/cases/?size=10") == queries(c, "/cases/?size=100")


def test_the_list_api_makes_the_same_queries_for_10_and_100_rows(case_world, client_for):
    make_cases(case_world, 100)
    c = client_for("leader")
    assert queries(c, "/api/v1/cases/cases?limit=10") == queries(c, "/api/v1/cases/cases?limit=100")


def test_the_case_page_makes_the_same_queries_for_a_short_and_a_long_timeline(case_world, client_for, report):
    from gridgov.cases.models import CaseEvent

    short, long = report("worker_a"), report("worker_a", category="0101")
    CaseEvent.objects.bulk_create([CaseEvent(case=long, time=long.created_at, transition="photos", label="补充照片")
                                   for _ in range(30)])
    c = client_for("dispatcher")
    assert queries(c, f"/cases/{short.pk}/") == queries(c, f"/cases/{long.pk}/")


def test_the_dispatcher_sees_overdue_cases_first_in_the_queue(case_world, client_for):
    import datetime as dt

    from django.utils import timezone

    cases = make_cases(case_world, 3, stage="filed")
    Case.objects.filter(pk=cases[2].pk).update(step_deadline=timezone.now() - dt.timedelta(hours=5))
    rows = client_for("dispatcher").get("/api/v1/cases/cases?queue=dispatch").json()["items"]
    assert rows[0]["id"] == cases[2].pk and rows[0]["overdue"] is True


def test_the_queue_tabs_show_counts(case_world, client_for):
    make_cases(case_world, 4, stage="filed")
    page = client_for("dispatcher").get("/cases/").content.decode()
    assert 'data-queue="dispatch">待派遣 <b>4</b>' in page


def test_the_case_page_offers_the_dispatcher_the_dispatch_form(case_world, client_for, report):
    case = report("worker_a")
    page = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-transition="file"' in page and 'data-transition="void"' in page


def test_the_case_page_offers_a_grid_worker_no_dispatch(case_world, client_for, report):
    case = report("worker_a")
    page = client_for("worker_a").get(f"/cases/{case.pk}/").content.decode()
    assert 'data-transition="file"' not in page and "指挥中心" in page


def test_a_dispatcher_files_a_case_from_its_page(case_world, client_for, report):
    case = report("worker_a")
    resp = client_for("dispatcher").post(f"/cases/{case.pk}/fire/file/", {"version": case.version})
    assert resp.status_code == 302 and Case.objects.get(pk=case.pk).stage == "filed"


def test_a_stale_form_answers_409_and_shows_why(case_world, client_for, report):
    case = report("worker_a")
    c = client_for("dispatcher")
    c.post(f"/cases/{case.pk}/fire/file/", {"version": 1})
    resp = c.post(f"/cases/{case.pk}/fire/void/", {"version": 1, "note": "重复"})
    assert resp.status_code == 409 and "已被他人处理" in resp.content.decode()


def test_a_resident_reports_from_a_phone_and_lands_on_the_follow_page(case_world, client_for):
    lat, lon = case_world.point_a
    resp = client_for(None).post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon,
                                                    "description": "垃圾没人收", "anonymous": "on"})
    case = Case.objects.get()
    assert resp["Location"] == f"/cases/follow/{case.follow_token}/" and case.anonymous


def test_the_follow_page_shows_the_case_number(case_world, client_for, report):
    case = report(None)
    assert case.number in client_for(None).get(f"/cases/follow/{case.follow_token}/").content.decode()


def test_a_second_report_nearby_is_shown_the_existing_case(case_world, client_for, report):
    first = report("worker_a")
    lat, lon = case_world.point_a
    resp = client_for(None).post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon, "description": "x"})
    assert resp.status_code == 409 and first.number in resp.content.decode()


def test_a_12345_operator_enters_a_hotline_complaint(case_world, client_for):
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    RoleAssignment.objects.create(user=case_world.dispatcher, role=Role.FRONT_DESK, division=case_world.town)
    lat, lon = case_world.point_b
    client_for("dispatcher").post("/cases/report/", {"kind": "complaint", "channel": "hotline", "category": "0101",
                                                     "lat": lat, "lon": lon, "description": "来电反映违建",
                                                     "reporter_phone": "13812345678"})
    case = Case.objects.get()
    assert (case.channel, case.kind, case.grid_id) == ("hotline", "complaint", case_world.grid_b.pk)


def test_the_anonymous_reporter_is_hidden_from_the_handler(case_world, client_for, report):
    case = report(None, anonymous=True, reporter_name="张三", reporter_phone="13812345678")
    page = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "张三" not in page and "13812345678" not in page


@pytest.mark.parametrize("url", ["/cases/map/", "/cases/inbox/", "/cases/flows/grid_event/",
                                 "/cases/flows/complaint/", "/cases/report/"])
def test_the_page_renders(case_world, client_for, url):
    make_cases(case_world, 3)
    assert client_for("dispatcher").get(url).status_code == 200


def test_the_map_colours_points_by_stage_and_lateness(case_world, client_for):
    make_cases(case_world, 2, stage="filed")
    points = client_for("dispatcher").get("/api/v1/cases/cases/map").json()
    assert {p["queue"] for p in points} == {"dispatch"} and all("overdue" in p for p in points)


def test_the_timeline_names_the_stages_it_moved_between(case_world, client_for, report):
    from gridgov.cases.engine import fire

    case = report("worker_a")
    fire(case=Case.objects.get(pk=case.pk), transition="file", acting_user=case_world.people["dispatcher"])
    html = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "— → 待立案" in html and "待立案 → 待派遣" in html
    assert "→ reported" not in html and "→ filed" not in html


def test_an_anonymous_reporter_is_shown_as_anonymous_in_the_staff_language(case_world, client_for, report):
    case = report(None, anonymous=True)
    c = client_for("dispatcher")
    assert "<dd>匿名 </dd>" in c.get(f"/cases/{case.pk}/").content.decode()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "<dd>Anonymous </dd>" in c.get(f"/cases/{case.pk}/").content.decode()


def test_it_offers_each_stage_once_under_a_name_that_tells_it_apart(case_world, client_for):
    """待派遣 is a grid event's `filed` and a complaint's `accepted`: the 环节 filter names the case type of each,
    and `reported` reads as both its names, so the leader never sees two options that read alike."""
    from gridgov.cases.filtersets import CaseFilterSet

    choices = dict(CaseFilterSet({}, user=case_world.people["leader"]).form.fields["stage"].choices)
    labels = [str(v) for k, v in choices.items() if k]
    assert len(labels) == len(set(labels))
    assert (choices["reported"], choices["filed"], choices["accepted"]) == (
        "待立案/待受理", "待派遣（网格事件）", "待派遣（群众诉求）")
    with translation.override("en"):
        english = dict(CaseFilterSet({}, user=case_world.people["leader"]).form.fields["stage"].choices)
    assert english["filed"] == "Awaiting dispatch (Grid event)"


def test_a_leader_filters_by_category_picking_it_by_name_and_a_major_category_takes_its_minor_ones(
        case_world, client_for, report):
    garbage, building, gas = report("worker_a"), report("worker_a", category="0101"), report("worker_a", category="0501")
    c = client_for("leader")
    page = c.get("/cases/").content.decode()
    env = case_world.cats["env"]
    assert f'<option value="{env.pk}">01 市容环境</option>' in page and "0102 暴露垃圾</option>" in page
    listed = c.get(f"/cases/?category={env.pk}").content.decode()
    assert garbage.number in listed and building.number in listed and gas.number not in listed
    api = c.get(f"/api/v1/cases/cases?category={case_world.cats['garbage'].pk}").json()
    assert [row["number"] for row in api["items"]] == [garbage.number]


def test_the_department_filter_offers_only_the_users_own_towns_departments(case_world, client_for, report):
    """The dispatcher of 泊里 picks 应急管理办公室 from a list; 辛安's departments are neither offered nor accepted
    (the API names the field)."""
    case = report("worker_a")
    Case.objects.filter(pk=case.pk).update(department=case_world.department)
    c = client_for("dispatcher")
    page = c.get("/cases/").content.decode()
    assert f'<option value="{case_world.department.pk}">应急管理办公室</option>' in page and "辛安应急办" not in page
    assert case.number in c.get(f"/cases/?department={case_world.department.pk}").content.decode()
    resp = c.get(f"/api/v1/cases/cases?department={case_world.other_department.pk}")
    assert resp.status_code == 422 and "department" in resp.json()["errors"]


def _fire(world, case, name, who, **kw):
    from gridgov.cases.engine import fire

    return fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=world.people[who], **kw)


def test_it_tells_the_second_tab_why_its_dispatch_did_not_go_through(case_world, client_for, report):
    """The dispatcher dispatches in one tab, then submits the same form from another: the page says why."""
    case = report("worker_a")
    _fire(case_world, case, "file", "dispatcher")
    c = client_for("dispatcher")
    c.post(f"/cases/{case.pk}/fire/dispatch/", {"version": 2})
    resp = c.post(f"/cases/{case.pk}/fire/dispatch/", {"version": 2})
    assert resp.status_code == 409 and "案卷已被他人处理（当前环节：待签收），本页已更新为最新状态" in resp.content.decode()


def test_it_names_the_field_of_a_missing_reason_by_its_label(case_world, client_for, report):
    case = report("worker_a")
    resp = client_for("dispatcher").post(f"/cases/{case.pk}/fire/void/", {"version": 1, "note": ""})
    assert resp.status_code == 422 and "说明：请填写作废的说明" in resp.content.decode()


def test_the_clerk_who_returns_a_wrong_dispatch_lands_on_the_queue_with_a_confirmation(
        case_world, client_for, report):
    case = report("worker_a")
    _fire(case_world, case, "file", "dispatcher")
    _fire(case_world, case, "dispatch", "dispatcher")
    c = client_for("clerk")
    resp = c.post(f"/cases/{case.pk}/fire/return/", {"version": 3, "note": "不属于本部门"}, follow=True)
    assert resp.status_code == 200 and f"已退回：{case.number}" in resp.content.decode()
    assert resp.redirect_chain[-1][0] == "/cases/?queue=handle"  # back to the queue they were working


def test_the_dispatch_form_names_the_department_the_rule_suggests(case_world, client_for, report):
    case = report("worker_a")
    _fire(case_world, case, "file", "dispatcher")
    page = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "（按规则建议：应急管理办公室）" in page


def test_it_offers_to_merge_a_grid_event_only_into_grid_events(case_world, client_for, report):
    complaint = report(None, kind="complaint")
    event = report("worker_a")
    page = client_for("dispatcher").get(f"/cases/{event.pk}/").content.decode()
    assert f'<option value="{complaint.pk}">' not in page


def test_the_handler_sees_a_deferred_case_as_deferred_not_as_a_running_clock(case_world, client_for, report):
    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}),
                          ("defer", "dispatcher", {"note": "待汛期后处理"})):
        _fire(case_world, case, name, who, **kw)
    page = client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
    assert "（缓办中，恢复办理后重新计时）" in page and "剩余" not in page


def test_the_timeline_says_where_a_case_went_and_until_when(case_world, client_for, report):
    """The dispatcher reads on the case page which unit the case was dispatched to with which deadline, and
    how long the 部门办事员 asked to extend it; not only the notes."""
    from gridgov.cases.engine import fire

    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("accept", "clerk", {}),
                          ("request_extension", "clerk", {"note": "需要调车", "data": {"amount": 2, "unit": "days"}})):
        fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=case_world.people[who], **kw)
    deadline = timezone.localtime(Case.objects.get(pk=case.pk).deadline).strftime("%Y-%m-%d %H:%M")
    html = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    assert "<b>责任部门</b> 应急管理办公室" in html and f"<b>处置时限</b> {deadline}" in html
    assert "<b>申请延期</b> 2 工作日" in html


def test_the_dispatcher_picks_the_handler_by_name_from_the_towns_handlers(case_world, client_for, report):
    """处置人 is chosen from the town's department staff (under their department) and its professional grid
    workers (under their category), not typed as an id; 辛安's staff are not offered."""
    from gridgov.accounts.models import RoleAssignment, User
    from gridgov.accounts.roles import Role
    from gridgov.cases.engine import fire

    outsider = User.objects.create(username="xinan_clerk", display_name="辛安科员", kind="staff",
                                   town=case_world.other_town)
    RoleAssignment.objects.create(user=outsider, role=Role.DEPT_STAFF, department=case_world.other_department)
    case = report("worker_a")
    fire(case=Case.objects.get(pk=case.pk), transition="file", acting_user=case_world.people["dispatcher"])
    html = client_for("dispatcher").get(f"/cases/{case.pk}/").content.decode()
    clerk, pro = case_world.people["clerk"], case_world.people["pro_safety"]
    assert f'<optgroup label="应急管理办公室"><option value="{clerk.pk}">{clerk}</option>' in html
    assert f'<optgroup label="专业网格员 · 安全生产"><option value="{pro.pk}">{pro}</option>' in html
    assert "辛安科员" not in html and "（ID）" not in html


def _in_handling(world, report):
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        case = _fire(world, case, name, who)
    return case


def test_a_feedback_refused_for_its_photo_comes_back_with_the_note_the_clerk_typed(
        case_world, client_for, report):
    """应急办 clerk on a phone writes the result, attaches a file that is not a photo: the refusal names the
    photo under 处置反馈 and the note is still there to send again with a real photo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _in_handling(case_world, report)
    resp = client_for("clerk").post(f"/cases/{case.pk}/fire/feedback/", {
        "version": case.version, "note": "垃圾已清运，路面已冲洗",
        "photos": SimpleUploadedFile("scan.jpg", b"not a photo", content_type="image/jpeg")})
    page = resp.content.decode()
    assert resp.status_code == 422 and "照片：只接受" in page
    assert ">垃圾已清运，路面已冲洗</textarea>" in page


def test_a_second_tabs_verify_fail_comes_back_with_its_note_after_the_conflict(case_world, client_for, report):
    """网格员甲 has the case open in two tabs; the first asks for rework, the second's 返工 note is not lost."""
    case = _in_handling(case_world, report)
    case = _fire(case_world, case, "feedback", "clerk", note="已处理")
    c = client_for("worker_a")
    c.post(f"/cases/{case.pk}/fire/verify_fail/", {"version": case.version, "note": "仍有垃圾"})
    case = _fire(case_world, case, "feedback", "clerk", note="已再次处理")
    resp = c.post(f"/cases/{case.pk}/fire/verify_fail/", {"version": case.version - 2, "note": "东侧仍有残留"})
    assert resp.status_code == 409 and ">东侧仍有残留</textarea>" in resp.content.decode()


def test_a_bad_extension_amount_is_named_once_and_kept(case_world, client_for, report):
    """The clerk types letters for the 延期 amount: the refusal reads 延期时长：应为整数, not the label twice."""
    case = _in_handling(case_world, report)
    resp = client_for("clerk").post(f"/cases/{case.pk}/fire/request_extension/", {
        "version": case.version, "amount": "两天", "unit": "days", "note": "需协调清运车辆"})
    page = resp.content.decode()
    assert resp.status_code == 422 and "延期时长：应为整数" in page and "延期时长：延期时长" not in page
    assert 'name="amount" value="两天"' in page


def test_the_dispatcher_is_told_each_step_went_through(case_world, client_for, report):
    """指挥中心 files a case, then approves a clerk's 延期: the page says so above the case (批准延期 leaves the
    stage as it was, so nothing else on the page tells the dispatcher it was done)."""
    case = report("worker_a")
    c = client_for("dispatcher")
    resp = c.post(f"/cases/{case.pk}/fire/file/", {"version": 1}, follow=True)
    assert f"已立案：{case.number}" in resp.content.decode()
    _fire(case_world, case, "dispatch", "dispatcher")
    _fire(case_world, case, "request_extension", "clerk", note="需要调车", data={"amount": 2, "unit": "days"})
    resp = c.post(f"/cases/{case.pk}/fire/approve_extension/", {"version": 4}, follow=True)
    assert f"已批准延期：{case.number}" in resp.content.decode()


def test_the_dispatcher_who_merges_a_duplicate_is_told_so_on_the_surviving_case(case_world, client_for, report):
    first, second = report("worker_a"), report("worker_a")
    resp = client_for("dispatcher").post(f"/cases/{second.pk}/merge/", {"into": first.pk, "version": 1}, follow=True)
    assert resp.redirect_chain[-1][0] == f"/cases/{first.pk}/"
    assert f"已将 {second.number} 并入本案卷" in resp.content.decode()


def test_the_grid_worker_is_told_the_extra_photo_was_uploaded(case_world, client_for, report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.tests.scope_fixtures import PNG

    case = report("worker_a")
    resp = client_for("worker_a").post(f"/cases/{case.pk}/photos/", {
        "photos": SimpleUploadedFile("p.png", PNG, content_type="image/png")}, follow=True)
    assert "已上传照片" in resp.content.decode()


def test_the_timeline_says_a_failed_check_restarts_the_clock(case_world, client_for, report):
    """网格员甲 finds the rubbish still there: 返工. The timeline says the new deadline counts afresh, not just
    a date the clerk must compare with the earlier one."""
    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("accept", "clerk", {}),
                          ("feedback", "clerk", {"note": "已清运"}), ("verify_fail", "worker_a", {"note": "仍有垃圾"})):
        _fire(case_world, case, name, who, **kw)
    deadline = timezone.localtime(Case.objects.get(pk=case.pk).deadline).strftime("%Y-%m-%d %H:%M")
    html = client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
    assert f"<b>处置时限（重新计时）</b> {deadline}" in html


def test_the_surviving_case_names_the_duplicate_merged_into_it_in_its_timeline(case_world, client_for, report):
    from gridgov.cases.services import case_merge

    first, second = report("worker_a"), report("worker_a")
    case_merge(case=second, into=first, acting_user=case_world.people["dispatcher"])
    html = client_for("dispatcher").get(f"/cases/{first.pk}/").content.decode()
    assert f"<b>并入的重复案卷</b> {second.number}" in html


def test_a_voided_or_merged_case_does_not_read_as_handled(case_world, client_for, report):
    """作废 and 合并 close a case nobody handled: its next step says so, not 已办结 (handled and concluded)."""
    from gridgov.cases.services import case_merge

    voided, first, second = report("worker_a"), report("worker_a"), report("worker_a")
    _fire(case_world, voided, "void", "dispatcher", note="重复上报")
    case_merge(case=second, into=first, acting_user=case_world.people["dispatcher"])
    c = client_for("dispatcher")
    voided_page, merged_page = (c.get(f"/cases/{k.pk}/").content.decode() for k in (voided, second))
    assert "已作废，无需办理" in voided_page and "已办结" not in voided_page
    assert f"已并入 {first.number}，在该案卷继续办理" in merged_page and "已办结" not in merged_page


def test_the_grid_worker_shown_a_duplicate_is_told_to_choose_the_photo_again(case_world, client_for, report):
    """网格员甲 reports rubbish with a photo next to an open case: the page holds the report back to show the
    case, and the photo input is empty again (browsers forbid refilling it); the page says so, or 仍然上报新事件
    would send the report without the photo."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.tests.scope_fixtures import PNG

    report("worker_a")
    lat, lon = case_world.point_a
    resp = client_for("worker_a").post("/cases/report/", {
        "category": case_world.cats["garbage"].pk, "lat": lat, "lon": lon, "description": "又有垃圾",
        "photos": SimpleUploadedFile("p.png", PNG, content_type="image/png")})
    html = resp.content.decode()
    assert resp.status_code == 409 and "已选的 1 张照片未保留，请重新选择" in html
    assert "如仍上报新事件，请在下方重新选择照片。" in html


def test_the_overdue_filter_starts_empty_not_at_unknown(case_world, client_for, report):
    """指挥中心 opens the list: 已超期 offers 全部, 是, 否 (Django's 未知 read as "lateness unknown"), and
    是 still narrows the list to the late cases."""
    import datetime as dt

    late, fresh = report("worker_a"), report("worker_a", category="0101")
    Case.objects.filter(pk=late.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    c = client_for("dispatcher")
    html = c.get("/cases/").content.decode()
    select = html[html.index('name="overdue"'):]
    select = select[:select.index("</select>")]
    assert "未知" not in select and '<option value="" selected>全部</option>' in select
    narrowed = c.get("/cases/?overdue=true").content.decode()
    assert late.number in narrowed and fresh.number not in narrowed
    assert '<option value="true" selected>是</option>' in narrowed


def test_the_case_page_names_the_unit_whose_move_it_is(case_world, client_for, report):
    """指挥中心 reads under 下一步 who holds the case: 处置反馈 by 应急管理办公室 (where it was dispatched), and
    after the feedback 核查 by 网格A's worker, not the roles 责任部门/专业网格员 and 所在网格网格员."""
    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("accept", "clerk", {})):
        _fire(case_world, case, name, who, **kw)
    c = client_for("dispatcher")
    assert "<li>处置反馈 — 应急管理办公室</li>" in c.get(f"/cases/{case.pk}/").content.decode()
    _fire(case_world, case, "feedback", "clerk", note="已清运")
    assert "<li>核查通过（结案） — 网格A网格员</li>" in c.get(f"/cases/{case.pk}/").content.decode()


def test_the_clerk_who_sends_an_empty_extension_request_is_told_every_missing_field(case_world, client_for, report):
    """部门科员丁 submits 申请延期 with neither the length nor the reason: both are named at once, not the
    reason first and the length on the next try."""
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        _fire(case_world, case, name, who)
    resp = client_for("clerk").post(f"/cases/{case.pk}/fire/request_extension/", {"version": 4, "note": ""})
    assert resp.status_code == 422 and "延期时长：必填；说明：请填写申请延期的说明" in resp.content.decode()


def test_the_clerks_inbox_says_until_when_after_a_dispatch_and_an_approved_extension(case_world, client_for, report):
    """部门科员丁 reads in the inbox the deadline the 派遣 set, and the new one after 批准延期 (whose notice
    otherwise said only 批准延期 and the title)."""
    from gridgov.cases.models import Notification

    case = report("worker_a")
    _fire(case_world, case, "file", "dispatcher")
    _fire(case_world, case, "dispatch", "dispatcher")
    first = timezone.localtime(Case.objects.get(pk=case.pk).deadline).strftime("%Y-%m-%d %H:%M")
    _fire(case_world, case, "accept", "clerk")
    _fire(case_world, case, "request_extension", "clerk", note="需要调车", data={"amount": 2, "unit": "days"})
    _fire(case_world, case, "approve_extension", "dispatcher")
    later = timezone.localtime(Case.objects.get(pk=case.pk).deadline).strftime("%Y-%m-%d %H:%M")
    bodies = dict(Notification.objects.filter(case=case, recipient=case_world.people["clerk"])
                  .values_list("kind", "body"))
    assert bodies["dispatch"] == f"处置时限：{first}" and bodies["approve_extension"] == f"处置时限：{later}"
    assert f"处置时限：{later}" in client_for("clerk").get("/cases/inbox/").content.decode()


def test_the_flow_page_names_stages_and_roles_as_staff_know_them(case_world, client_for):
    """网格员甲 follows 查看流程图 from a case: 立案 goes from 待立案 to 待派遣 by the 指挥中心, not from
    `reported` to `filed` with the permission `dispatch`."""
    html = client_for("worker_a").get("/cases/flows/grid_event/").content.decode()
    assert "<td>立案</td><td>待立案</td><td>待派遣</td><td>指挥中心（调度员）</td>" in html
    assert "<td>reported</td>" not in html and "<td>dispatch</td>" not in html


def test_the_grid_workers_follow_link_calls_the_centres_score_an_overall_evaluation_not_their_own(
        case_world, client_for, report):
    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("accept", "clerk", {}),
                          ("feedback", "clerk", {"note": "已清运"}), ("verify_pass", "worker_a", {}),
                          ("evaluate", "dispatcher", {"data": {"rating": 3}})):
        _fire(case_world, case, name, who, **kw)
    html = client_for("worker_a").get(f"/cases/follow/{case.follow_token}/").content.decode()
    assert "<dt>综合评价</dt><dd>3 / 5</dd>" in html and "您的评价" not in html


def test_the_case_page_counts_what_is_left_in_working_time_as_the_limit_is_set(case_world, report, client_for):
    """应急管理办公室's clerk opens a 暴露垃圾 case (4 working hours) dispatched on Friday at 16:30, due on
    Monday at 12:00: on Friday at 17:00 it has 3.5 working hours left, not 2 days 19 hours of calendar; on
    Monday at 15:00 it is 1.5 working hours late (the lunch break does not count). A 私搭乱建 case (15 working
    days) due on 12-18 has 15 working days left at the close of that Friday."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from gridgov.cases import engine
    from gridgov.cases.models import Case
    from gridgov.cases.selectors import time_left

    sh = ZoneInfo("Asia/Shanghai")
    friday = dt.datetime(2026, 11, 27, 16, 30, tzinfo=sh)
    case = report("worker_a")
    case = engine.fire(case=case, transition="file", acting_user=case_world.dispatcher)
    case = engine.fire(case=case, transition="dispatch", acting_user=case_world.dispatcher,
                       data={"department": case_world.department.pk})
    deadline = dt.datetime(2026, 11, 30, 12, 0, tzinfo=sh)  # Friday 16:30–17:30, then Monday 09:00–12:00
    Case.objects.filter(pk=case.pk).update(dispatched_at=friday, deadline=deadline)
    case = Case.objects.select_related("category", "town").get(pk=case.pk)
    assert time_left(case, dt.datetime(2026, 11, 27, 17, 0, tzinfo=sh)) == "剩余 3.5 个工作小时"
    assert time_left(case, dt.datetime(2026, 11, 30, 11, 30, tzinfo=sh)) == "剩余 30 分钟（工作时间）"
    assert time_left(case, dt.datetime(2026, 11, 30, 13, 0, tzinfo=sh)) == "已到期"  # lunch: none worked yet
    assert time_left(case, dt.datetime(2026, 11, 30, 15, 0, tzinfo=sh)) == "已超 1.5 个工作小时"
    big = report("worker_a", category="0101")
    Case.objects.filter(pk=big.pk).update(deadline=dt.datetime(2026, 12, 18, 17, 30, tzinfo=sh))
    big = Case.objects.select_related("category", "town").get(pk=big.pk)
    assert time_left(big, dt.datetime(2026, 11, 27, 17, 30, tzinfo=sh)) == "剩余 15 个工作日"
    assert time_left(big, dt.datetime(2026, 12, 18, 15, 30, tzinfo=sh)) == "剩余 2 个工作小时"
    Case.objects.filter(pk=case.pk).update(deadline=dt.datetime.now(sh) - dt.timedelta(days=30))
    answer = client_for("clerk").get(f"/api/v1/cases/cases/{case.pk}").json()["time_left"]
    assert answer.startswith("已超 ") and answer.endswith(" 个工作小时"), answer
    assert f"（{answer}）" in client_for("clerk").get(f"/cases/{case.pk}/").content.decode()
def test_an_anonymous_visitor_who_follows_the_case_nearby_stays_anonymous(case_world, client_for, report):
    import re

    from gridgov.cases.models import CaseFollower

    first = report("worker_a")
    lat, lon = case_world.point_a
    c = client_for(None)
    page = c.post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon, "description": "又有垃圾",
                                     "reporter_name": "张三", "reporter_phone": "13812345678",
                                     "anonymous": "on"}).content.decode()
    follow_form = page[page.index('name="follow"') - 200:page.index("关注此事件")]  # the form the visitor submits
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', follow_form))
    c.post("/cases/report/", fields)
    follower = CaseFollower.objects.get(case=first)
    assert (follower.name, follower.phone) == ("", "")


def test_the_resident_menu_leads_to_reporting_not_to_empty_staff_pages(case_world, client_for):
    page = client_for("resident").get("/").content.decode()
    assert "我要上报" in page and not any(w in page for w in ("网格地图", "区划网格", "综合评价"))


def test_the_town_leader_menu_keeps_the_grid_map_and_the_indicators(case_world, client_for):
    page = client_for("leader").get("/").content.decode()
    assert all(w in page for w in ("网格地图", "区划网格", "综合评价"))


def test_the_leader_is_told_the_reported_range_ends_before_it_starts(case_world, client_for):
    r = client_for("leader").get("/api/v1/cases/cases", {"created_after": "2026-06-01", "created_before": "2026-01-01"})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["created_before"]


def test_the_list_filter_offers_calendars_for_the_reported_range(case_world, client_for):
    page = client_for("leader").get("/cases/").content.decode()
    assert 'type="date" name="created_after"' in page and 'type="date" name="created_before"' in page


def test_the_overdue_filter_reads_all_yes_no_not_unknown(case_world, client_for):
    page = client_for("leader").get("/cases/").content.decode()
    select = page[page.index('name="overdue"'):page.index("</select>", page.index('name="overdue"'))]
    assert "全部" in select and "未知" not in select


def test_the_overdue_filter_still_narrows_the_list(case_world, client_for):
    import datetime as dt

    late = make_cases(case_world, 3, stage="filed")[0]
    Case.objects.filter(pk=late.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    r = client_for("leader").get("/api/v1/cases/cases", {"overdue": "true"})
    assert [c["id"] for c in r.json()["items"]] == [late.pk]


def test_the_list_names_a_refused_filter_under_its_input_and_keeps_the_form(case_world, client_for):
    r = client_for("leader").get("/cases/", {"created_after": "2026-06-01", "created_before": "2026-01-01"})
    page = r.content.decode()
    assert r.status_code == 422 and 'data-error="created_before"' in page and 'value="2026-06-01"' in page


def test_a_refused_filter_sent_by_htmx_loads_the_whole_page_to_show_why(case_world, client_for):
    url = "/cases/?created_after=2026-06-01&created_before=2026-01-01"
    r = client_for("leader").get(url, headers={"HX-Request": "true"})
    assert r.status_code == 422 and r["HX-Redirect"] == url


def test_the_case_map_names_a_refused_filter_under_its_input(case_world, client_for):
    r = client_for("leader").get("/cases/map/", {"created_after": "2026-06-01", "created_before": "2026-01-01"})
    assert r.status_code == 422 and 'data-error="created_before"' in r.content.decode()


def test_the_grid_worker_is_told_the_failed_check_sent_the_case_back_for_rework(case_world, client_for, report):
    """网格员甲 finds the rubbish still there: 核查不通过，已返工 — not 已核查不通过（返工）."""
    case = report("worker_a")
    for name, who, kw in (("file", "dispatcher", {}), ("dispatch", "dispatcher", {}), ("accept", "clerk", {}),
                          ("feedback", "clerk", {"note": "已清运"})):
        _fire(case_world, case, name, who, **kw)
    version = Case.objects.get(pk=case.pk).version
    page = client_for("worker_a").post(f"/cases/{case.pk}/fire/verify_fail/", {"version": version, "note": "仍有垃圾"},
                                       follow=True).content.decode()
    assert f"核查不通过，已返工：{case.number}" in page
