"""The demo seed: a year of cases through their flows, consistent with the indicators' columns, idempotent."""

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.utils import timezone
from faker import Faker

from gridgov.accounts.roles import ProCategory
from gridgov.cases import demo
from gridgov.cases.models import Case, CaseEvent
from gridgov.core import audit


@pytest.fixture
def ctx(case_world, monkeypatch):
    monkeypatch.setattr(demo, "CASES_PER_TOWN", {"boli": 300})
    w = case_world
    town = SimpleNamespace(
        key="boli", division=w.town, name=w.town.name, grids=[w.grid_a, w.grid_b],
        category_department={p: w.department for p in ProCategory.values}, grid_worker={w.grid_a.pk: w.worker_a,
                                                                                         w.grid_b.pk: w.worker_b},
        resident_accounts=[(w.resident, None)], pro_workers={ProCategory.SAFETY: [w.pro_safety]},
        role=lambda r: {"admin": [w.dispatcher], "leader": [w.leader]}.get(r, []))
    now = timezone.now()

    def past(rng, days=365):
        return now - dt.timedelta(minutes=rng.randint(10, days * 24 * 60))

    def bulk_create(objs, batch_size=1000, keep_times=False):
        from gridgov.core.bulk import fast_insert

        objs = list(objs)
        if objs:
            fast_insert(type(objs[0]), objs, keep_times=keep_times)
        audit.record_many(objs, "create")
        return objs

    return SimpleNamespace(towns={"boli": town}, boli=town, now=now, past=past,
                           rng_for=lambda n: random.Random(n), faker_for=lambda n: Faker("zh_CN"),
                           bulk_create=bulk_create, out=lambda s: None, add_login=lambda *a: None)


def test_it_seeds_a_year_of_cases_with_timelines(ctx):
    demo.seed(ctx)
    assert Case.objects.count() == 300 and CaseEvent.objects.count() > 600


def test_it_is_idempotent(ctx):
    demo.seed(ctx)
    demo.seed(ctx)
    assert Case.objects.count() == 300


def test_every_closed_grid_event_was_dispatched_before_it_closed(ctx):
    demo.seed(ctx)
    closed = Case.objects.filter(kind="grid_event", stage__in=["closed", "evaluated"])
    assert closed.exists() and all(c.dispatched_at < c.closed_at and c.on_time is not None for c in closed)


def test_the_seeded_cases_keep_their_reporting_dates(ctx):
    demo.seed(ctx)
    assert Case.objects.filter(created_at__lt=ctx.now - dt.timedelta(days=60)).exists()


def test_seeded_open_cases_offer_their_flow_actions(ctx, client_for):
    demo.seed(ctx)
    case = Case.objects.filter(stage="filed").first() or Case.objects.filter(status="open").first()
    assert client_for("dispatcher").get(f"/cases/{case.pk}/").status_code == 200


def test_some_open_12345_complaints_have_callers_following_them(ctx, case_world):
    from gridgov.cases.models import CaseFollower
    from gridgov.cases.tests.bulk import make_cases

    open_calls = make_cases(case_world, 20, kind="complaint", channel="hotline", stage="accepted")
    closed_call = make_cases(case_world, 1, kind="complaint", channel="hotline", stage="closed", status="closed")
    patrol = make_cases(case_world, 1, channel="patrol")
    demo._callers(ctx, ctx.boli, random.Random(1), open_calls + closed_call + patrol)
    followed = set(CaseFollower.objects.values_list("case_id", flat=True))
    lines = set(CaseEvent.objects.filter(transition="follow_call").values_list("case_id", flat=True))
    assert followed and followed == lines and followed <= {c.pk for c in open_calls}
    assert all(f.name and f.phone and f.token for f in CaseFollower.objects.all())
