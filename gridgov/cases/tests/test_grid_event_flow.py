"""A grid event goes round the GB/T 30428 cycle; side paths (返工, 退回, 延期, 缓办, 作废) do what RULES §1 says."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from gridgov.cases.deadlines import add_working_time
from gridgov.cases.engine import fire
from gridgov.cases.models import Case, CaseEvent
from gridgov.core.errors import Conflict, PermissionDenied, ValidationFailed


def go(world, case, name, who, **kw):
    return fire(case=Case.objects.get(pk=case.pk), transition=name, acting_user=world.people[who], **kw)


def test_it_runs_a_grid_event_from_report_to_evaluation(case_world, report):
    w = case_world
    case = report("worker_a")
    go(w, case, "file", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    go(w, case, "accept", "clerk")
    go(w, case, "feedback", "clerk", note="已清理")
    go(w, case, "verify_pass", "worker_a")
    go(w, case, "evaluate", "leader", data={"rating": 5})
    case.refresh_from_db()
    assert (case.stage, case.status, case.on_time, case.rating) == ("evaluated", "closed", True, 5)


def test_it_dispatches_to_the_department_its_rule_suggests(case_world, report):
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    go(case_world, case, "dispatch", "dispatcher")
    assert Case.objects.get(pk=case.pk).department_id == case_world.department.pk


def test_it_starts_the_clock_at_dispatch(case_world, report):
    case = report("worker_a")
    assert case.deadline is None
    go(case_world, case, "file", "dispatcher")
    go(case_world, case, "dispatch", "dispatcher")
    case.refresh_from_db()
    assert case.deadline is not None and case.deadline > case.dispatched_at


def test_a_failed_verification_sends_it_back_to_handling_and_restarts_the_clock(case_world, report):
    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    go(w, case, "feedback", "clerk", note="已清理")
    go(w, case, "verify_fail", "worker_a", note="未清理干净")
    case.refresh_from_db()
    restarted = CaseEvent.objects.get(case=case, transition="verify_fail").time
    expected = add_working_time(restarted, 4, "hours").at  # 暴露垃圾: 4 working hours from the 返工
    assert (case.stage, case.rework_count, case.deadline) == ("handling", 1, expected)


def test_a_return_sends_it_back_to_dispatch_and_counts_against_accuracy(case_world, report):
    w = case_world
    case = report("worker_a")
    go(w, case, "file", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    go(w, case, "return", "clerk", note="不属于本部门")
    case.refresh_from_db()
    assert (case.stage, case.returned_count, case.department_id) == ("filed", 1, None)


def test_an_approved_extension_moves_the_deadline(case_world, report):
    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    before = Case.objects.get(pk=case.pk).deadline
    go(w, case, "request_extension", "clerk", note="需要调车", data={"amount": 2, "unit": "days"})
    go(w, case, "approve_extension", "dispatcher")
    case.refresh_from_db()
    assert (case.deadline > before, case.extension_count, case.extension_pending) == (True, 1, False)


def test_a_deferred_case_has_no_running_step_deadline(case_world, report):
    w = case_world
    case = report("worker_a")
    go(w, case, "file", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    go(w, case, "defer", "dispatcher", note="待汛期后处理")
    case.refresh_from_db()
    assert (case.deferred, case.step_deadline) == (True, None)


def test_voiding_needs_a_reason(case_world, report):
    case = report("worker_a")
    with pytest.raises(ValidationFailed):
        go(case_world, case, "void", "dispatcher")


def test_it_voids_with_the_reason_on_the_case(case_world, report):
    case = report("worker_a")
    go(case_world, case, "void", "dispatcher", note="重复上报")
    case.refresh_from_db()
    assert (case.stage, case.voided, case.void_reason) == ("voided", True, "重复上报")


def test_a_grid_worker_may_not_dispatch(case_world, report):
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    with pytest.raises(PermissionDenied):
        go(case_world, case, "dispatch", "worker_a")


def test_the_worker_of_another_grid_may_not_verify(case_world, report):
    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    go(w, case, "feedback", "clerk", note="ok")
    with pytest.raises(PermissionDenied):
        go(w, case, "verify_pass", "worker_b")


def test_a_stale_version_gets_a_conflict_naming_the_current_stage(case_world, report):
    case = report("worker_a")
    stale = Case.objects.get(pk=case.pk)
    go(case_world, case, "file", "dispatcher", expected_version=1)
    with pytest.raises(Conflict) as exc:
        fire(case=stale, transition="void", acting_user=case_world.dispatcher, expected_version=1, note="x")
    assert exc.value.extra["current_stage"] == "filed"


def test_every_transition_writes_the_timeline(case_world, report):
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    assert list(CaseEvent.objects.filter(case=case).values_list("transition", flat=True)) == ["report", "file"]


def test_a_failing_transition_leaves_nothing_behind(case_world, report):
    case = report("worker_a")
    go(case_world, case, "file", "dispatcher")
    with pytest.raises(ValidationFailed):
        go(case_world, case, "dispatch", "dispatcher", data={"department": 999999})
    assert (Case.objects.get(pk=case.pk).stage, CaseEvent.objects.filter(case=case).count()) == ("filed", 2)


def test_it_draws_the_flow_as_mermaid_and_dot(case_world):
    from gridgov.cases.engine import flow_for

    flow = flow_for("grid_event")
    assert "verifying --> handling: 核查不通过（返工）" in flow.graph() and "digraph" in flow.graph("dot")


@pytest.mark.parametrize("beijing_time", ["2026-11-25 10:20", "2026-11-27 17:50"], ids=["working-hours", "friday-evening"])
def test_it_urges_a_new_step_afresh_after_a_late_one(case_world, report, monkeypatch, beijing_time):
    """A case urged while 待立案 starts 待派遣 on time: the next step is not marked overdue in advance.

    On a Friday evening the 1-hour limits of 待立案 and 待派遣 both end at the same moment on Monday."""
    clock = [dt.datetime.fromisoformat(beijing_time).replace(tzinfo=ZoneInfo("Asia/Shanghai"))]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    case = report("worker_a")
    Case.objects.filter(pk=case.pk).update(overdue=True, urge_count=1)
    clock[0] += dt.timedelta(minutes=10)
    go(case_world, case, "file", "dispatcher")
    case.refresh_from_db()
    assert (case.stage, case.overdue) == ("filed", False)


def test_it_keeps_the_overdue_mark_when_the_handler_signs_a_late_case(case_world, report):
    w = case_world
    case = report("worker_a")
    go(w, case, "file", "dispatcher")
    go(w, case, "dispatch", "dispatcher")
    Case.objects.filter(pk=case.pk).update(overdue=True, urge_count=1)
    go(w, case, "accept", "clerk")
    assert Case.objects.get(pk=case.pk).overdue


def test_a_redispatch_drops_the_extension_the_previous_unit_asked_for(case_world, report):
    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    go(w, case, "request_extension", "clerk", note="需要调车", data={"amount": 2, "unit": "days"})
    go(w, case, "redispatch", "dispatcher", note="改由安全专业网格员", data={"pro_category": "safety"})
    case.refresh_from_db()
    assert (case.extension_pending, case.extension_requested) == (False, None)


def test_resuming_a_deferred_case_starts_its_full_limit_afresh(case_world, report, monkeypatch):
    """暴露垃圾 has 4 working hours. Deferred on Wednesday and resumed on Thursday at 10:00, it is due at 15:30 (10–12 and 13:30–15:30)."""
    clock = [dt.datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    w = case_world
    case = report("worker_a")
    for name in ("file", "dispatch"):
        go(w, case, name, "dispatcher")
    go(w, case, "defer", "dispatcher", note="待汛期后处理")
    clock[0] = dt.datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    go(w, case, "resume", "dispatcher", note="恢复")
    case.refresh_from_db()
    due = dt.datetime(2026, 11, 26, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert (case.deferred, case.deadline, case.step_deadline) == (False, due, due)


def test_an_extension_asked_while_deferred_starts_no_step_deadline(case_world, report):
    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    go(w, case, "defer", "dispatcher", note="待汛期后处理")
    go(w, case, "request_extension", "clerk", note="需要调车", data={"amount": 2, "unit": "days"})
    assert Case.objects.get(pk=case.pk).step_deadline is None


def test_the_department_that_loses_a_case_to_a_redispatch_is_told(case_world, report):
    """应急管理办公室 (部门办事员) had the case; 改派 to the safety professional worker tells both."""
    from gridgov.cases.models import Notification

    w = case_world
    case = report("worker_a")
    for name, who in (("file", "dispatcher"), ("dispatch", "dispatcher"), ("accept", "clerk")):
        go(w, case, name, who)
    go(w, case, "redispatch", "dispatcher", note="改由安全专业网格员", data={"pro_category": "safety"})
    told = set(Notification.objects.filter(case=case, kind="redispatch").values_list("recipient__username", flat=True))
    assert {"clerk", "pro_safety"} <= told
