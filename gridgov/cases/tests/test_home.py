"""What the case engine adds to the home page (cases/home.py): the user's work queues with 上报事件. Moved here
unchanged from accounts/tests/test_pages.py: accounts' tests import no capability (core/tests/test_layers.py);
the leader's 事件办理概况 is tested in test_queues.py."""

from __future__ import annotations


def test_it_puts_a_grid_workers_case_queue_and_the_report_button_on_the_home(world, client_for):
    """网格员甲 on patrol opens the app on a phone: their 待核查 queue with its count and 上报事件 are on the home
    page, not only in the menu strip that scrolls off the phone's screen."""
    html = client_for("worker_a").get("/").content.decode()
    assert 'id="my-cases"' in html and 'href="/cases/?queue=verify"' in html and 'href="/cases/report/"' in html


def test_it_puts_the_clerks_queue_with_its_overdue_count_on_the_home(world, client_for):
    """The 应急办 clerk sees 待处置 with how many are overdue as soon as they sign in."""
    from django.utils import timezone

    from gridgov.cases.models import Case, Category
    from gridgov.cases.tests.bulk_cases import make_cases

    Category.objects.create(code="0102", name="暴露垃圾", parent=Category.objects.create(code="01", name="市容环境"))
    make_cases(world, 2, stage="handling")
    Case.objects.update(step_deadline=timezone.now() - timezone.timedelta(hours=1))
    html = client_for("clerk").get("/").content.decode()
    assert 'href="/cases/?queue=handle"' in html and "超期 2" in html
