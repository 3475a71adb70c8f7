"""The flow engine in core, shown with a second flow that touches no case code (gridgov/core/tests/flowapp):
a department clerk's errand that the town's 指挥中心 (管理员庚) checks. (Cases and errands together, in one
sweep and one inbox: gridgov/cases/tests/test_flows_together.py.) Everything the errand does — its stages,
who may act, its inputs, its deadlines in working time, its timeline, audit, notifications, the sweep's 督办 and
the inbox — comes from its declaration and the engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.core.errors import Conflict, PermissionDenied, ValidationFailed
from gridgov.core.flow import engine, flow_for
from gridgov.core.flow.sweep import sweep
from gridgov.core.models import ChangeRecord, Notification
from gridgov.core.tests.flowapp.models import Errand, ErrandEvent

pytestmark = pytest.mark.django_db


def open_errand(world, title: str = "清点防汛物资") -> Errand:
    from gridgov.core.services import service

    @service
    def make(*, acting_user) -> Errand:
        e = Errand(title=title, town=world.town, assignee=world.clerk)
        engine.start(subject=e, acting_user=acting_user, label="派发")
        return e

    return make(acting_user=world.admin)


def test_it_opens_an_errand_in_its_first_stage_numbered_with_its_deadline_in_working_time(world):
    errand = open_errand(world)
    errand.refresh_from_db()
    assert (errand.stage, errand.status, errand.number, errand.step_deadline > timezone.now(),
            list(errand.events.values_list("label", "to_stage"))) == (
        "doing", "open", f"CS{errand.pk:06d}", True, [("派发", "doing")])


def test_it_tells_the_assignee_of_a_new_errand(world):
    open_errand(world)
    assert list(Notification.objects.filter(recipient=world.clerk).values_list("subject_type", "url")) == [
        ("flowapp.errand", f"/errands/{Errand.objects.get().pk}/")]


def test_it_moves_the_errand_writes_its_timeline_and_audit_and_tells_the_checkers(world):
    errand = open_errand(world)
    engine.fire(subject=errand, transition="submit", acting_user=world.clerk, data={"amount": "12"},
                expected_version=errand.version)
    errand.refresh_from_db()
    record = ChangeRecord.objects.filter(model="flowapp.errand", action="update").get()
    assert (errand.stage, errand.amount, ErrandEvent.objects.filter(errand=errand, transition="submit").count(),
            record.before["stage"], record.after["stage"],
            Notification.objects.filter(recipient=world.admin, kind="submit").count()) == (
        "checking", 12, 1, "doing", "checking", 1)


def test_it_refuses_a_stale_version_with_a_conflict_naming_the_current_stage(world):
    errand = open_errand(world)
    stale = Errand.objects.get(pk=errand.pk)
    engine.fire(subject=errand, transition="submit", acting_user=world.clerk, data={"amount": 1},
                expected_version=errand.version)
    with pytest.raises(Conflict) as exc:
        engine.fire(subject=stale, transition="submit", acting_user=world.clerk, data={"amount": 2},
                    expected_version=stale.version)
    assert exc.value.extra["current_stage"] == "checking" and Errand.objects.get().amount == 1


def test_it_lets_only_whom_the_declaration_names_fire_a_transition(world):
    errand = open_errand(world)
    with pytest.raises(PermissionDenied):
        engine.fire(subject=errand, transition="submit", acting_user=world.worker_a, data={"amount": 1})
    assert Errand.objects.get().stage == "doing"


def test_it_names_every_refused_input_at_once(world):
    errand = open_errand(world)
    engine.fire(subject=errand, transition="submit", acting_user=world.clerk, data={"amount": 3})
    with pytest.raises(ValidationFailed) as exc:
        engine.fire(subject=errand, transition="reject", acting_user=world.admin, data={"amount": 1})
    assert set(exc.value.errors) == {"amount", "note"}


def test_it_refuses_an_input_that_is_not_a_number_by_its_name(world):
    errand = open_errand(world)
    with pytest.raises(ValidationFailed) as exc:
        engine.fire(subject=errand, transition="submit", acting_user=world.clerk, data={"amount": "abc"})
    assert list(exc.value.errors) == ["amount"] and Errand.objects.get().stage == "doing"


def test_the_sweep_urges_a_late_errand_once_and_tells_its_assignee(world):
    errand = open_errand(world)
    Errand.objects.filter(pk=errand.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    first, second = sweep(), sweep()
    errand.refresh_from_db()
    assert (first.by_model.get("flowapp.errand"), second.marked, errand.overdue, errand.urge_count,
            errand.events.filter(transition="nudge").count(),
            Notification.objects.filter(recipient=world.clerk, kind="nudge", subject_id=errand.pk).count()) == (
        1, 0, True, 1, 1, 1)


def test_the_sweep_leaves_errands_whose_step_is_on_time(world):
    open_errand(world)
    assert sweep().by_model.get("flowapp.errand", 0) == 0 and not Errand.objects.get().overdue


def test_gridgov_sweep_reports_each_kind_of_record(world, capsys):
    errand = open_errand(world)
    Errand.objects.filter(pk=errand.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    call_command("sweep")
    assert "1 errand(s) marked overdue and urged" in capsys.readouterr().out


def test_a_declared_transition_changes_one_row_as_the_sweep_changes_many(world):
    errand = open_errand(world)
    engine.fire(subject=errand, transition="nudge", acting_user=None, system=True)
    errand.refresh_from_db()
    assert (errand.overdue, errand.urge_count, errand.last_urged_at is not None) == (True, 1, True)


def test_its_flow_draws_itself(world):
    drawing = flow_for("errand").graph()
    assert "doing --> checking: 提交" in drawing and "done --> [*]" in drawing
