"""`gridgov sweep` (督办): marks open cases past their step deadline overdue, once, in bulk, with the
timeline, audit and notifications to the dispatcher and the department head."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.cases.models import Case, CaseEvent, Notification
from gridgov.cases.services import case_sweep
from gridgov.core.models import ChangeRecord

from .bulk import fast_passwords, make_cases  # noqa: F401

PAST = timezone.now() - dt.timedelta(hours=2)
FUTURE = timezone.now() + dt.timedelta(hours=2)


@pytest.fixture
def late(world):
    """One case of grid A dispatched to 应急管理办公室, past its deadline; the office's head is the leader."""
    world.department.head = world.leader
    world.department.save()
    return make_cases(world, 1, department=world.department, deadline=PAST, step_deadline=PAST)[0]


def test_it_marks_a_case_past_its_step_deadline_overdue(late):
    case_sweep()
    assert Case.objects.get(pk=late.pk).overdue


def test_it_leaves_a_case_within_its_deadline_alone(world):
    case = make_cases(world, 1, deadline=FUTURE, step_deadline=FUTURE)[0]
    case_sweep()
    assert not Case.objects.get(pk=case.pk).overdue


def test_it_leaves_a_deferred_case_alone(world):
    case = make_cases(world, 1, deferred=True, step_deadline=PAST)[0]
    case_sweep()
    assert not Case.objects.get(pk=case.pk).overdue


def test_it_leaves_a_closed_case_alone(world):
    case = make_cases(world, 1, stage="closed", status="closed", step_deadline=PAST)[0]
    case_sweep()
    assert not Case.objects.get(pk=case.pk).overdue


def test_it_urges_a_case_once_however_often_it_runs(late):
    case_sweep()
    case_sweep()
    assert Case.objects.get(pk=late.pk).urge_count == 1


def test_it_writes_the_urge_to_the_timeline(late):
    case_sweep()
    assert CaseEvent.objects.filter(case=late, transition="urge").count() == 1


def test_it_records_the_change_in_the_audit_chain(late):
    case_sweep()
    assert ChangeRecord.objects.filter(model="cases.case", object_id=str(late.pk),
                                       after__overdue=True).exists()


def test_it_notifies_the_dispatcher_and_the_department_head(world, late):
    case_sweep()
    told = set(Notification.objects.filter(case=late, kind="urge").values_list("recipient__username", flat=True))
    assert {"admin", "leader", "clerk"} <= told


def test_it_sends_one_digest_to_someone_with_many_overdue_cases(world):
    make_cases(world, 5, department=world.department, step_deadline=PAST)
    case_sweep()
    assert Notification.objects.filter(recipient=world.admin, kind="urge").count() == 1


def test_the_digest_links_to_the_overdue_cases(world, client_for):
    cases = make_cases(world, 3, department=world.department, step_deadline=PAST)
    case_sweep()
    digest = Notification.objects.get(recipient=world.admin, kind="urge")
    page = client_for("admin").get(digest.url).content.decode()
    assert digest.url == "/cases/?overdue=true" and all(c.number in page for c in cases)


def test_it_bumps_the_version_so_a_stale_transition_conflicts(late):
    case_sweep()
    assert Case.objects.get(pk=late.pk).version == late.version + 1


def test_it_sweeps_in_batches_with_queries_independent_of_the_number_of_cases(
        world, django_assert_max_num_queries):
    make_cases(world, 60, department=world.department, step_deadline=PAST)
    # Per flow model installed (cases, errands, window, safety …), never per case.
    with django_assert_max_num_queries(40):
        result = case_sweep(batch_size=1000)
    assert result.marked == 60


def test_it_takes_several_batches_when_there_are_many(world):
    make_cases(world, 25, step_deadline=PAST)
    assert case_sweep(batch_size=10).batches == 3


def test_it_reports_what_it_did_from_the_command(late, capsys):
    call_command("sweep")
    assert "1 case(s) marked overdue" in capsys.readouterr().out


def test_it_urges_the_next_step_when_that_one_lapses_too(world, case_world, report):
    """Urged while 待立案, filed late: when 待派遣 lapses as well, the dispatcher is urged again."""
    from gridgov.cases.engine import fire

    case = report("worker_a")
    Case.objects.filter(pk=case.pk).update(step_deadline=PAST)
    case_sweep()
    fire(case=Case.objects.get(pk=case.pk), transition="file", acting_user=world.dispatcher)
    Case.objects.filter(pk=case.pk).update(step_deadline=PAST)
    case_sweep()
    assert Case.objects.get(pk=case.pk).urge_count == 2


def test_it_urges_the_grid_worker_not_the_department_when_the_check_is_late(world):
    """核查 is the grid worker's step: the department that fed back is not told to hurry."""
    case = make_cases(world, 1, stage="verifying", department=world.department, step_deadline=PAST)[0]
    case_sweep()
    told = set(Notification.objects.filter(case=case, kind="urge").values_list("recipient__username", flat=True))
    assert "worker_a" in told and "clerk" not in told
