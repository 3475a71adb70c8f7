"""The party demo seed on the small world: a tree down to the central households, members with accounts, a year
of meetings with check-ins and points that agree with the ledger; a second run changes nothing."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from gridgov.party import demo
from gridgov.party.models import Member, OrgKind, PartyOrganisation, PointEntry, PointYear


@pytest.fixture
def ctx(world, monkeypatch):
    from gridgov.demo.context import DemoContext, DemoTown

    monkeypatch.setattr(demo, "BOLI_MEMBERS", 60)
    monkeypatch.setattr(demo, "XINAN_MEMBERS", 40)
    system = world.admin
    boli = DemoTown(key="boli", spec=None, division=world.town, villages=[world.village],
                    grids=[world.grid_a, world.grid_b], departments={"yingji": world.department})
    xinan = DemoTown(key="xinan", spec=None, division=world.other_town, villages=[world.other_grid.parent.parent],
                     grids=[world.other_grid], departments={"yingji": world.other_department})
    now = timezone.now()
    return DemoContext(seed=1, rng=random.Random(1), faker=Faker("zh_CN"), now=now, today=timezone.localdate(now),
                       reference_date=now.date(), district=world.district, towns={"boli": boli, "xinan": xinan},
                       system=system, password="gridgov-demo", out=lambda s: None, _password_hash="x")


def test_it_seeds_the_chain_down_to_the_central_households(ctx):
    demo.seed(ctx)
    assert PartyOrganisation.objects.filter(kind=OrgKind.HOUSEHOLD, town=ctx.boli.division).exists()


def test_it_seeds_scores_that_agree_with_the_ledger(ctx):
    demo.seed(ctx)
    m = Member.objects.filter(town=ctx.boli.division).first()
    year = PointYear.objects.filter(member=m).order_by("-year").first()
    total = sum(PointEntry.objects.filter(member=m, year=year.year).values_list("points", flat=True))
    assert year.delta == total


def test_a_second_run_changes_nothing(ctx):
    demo.seed(ctx)
    before = PointEntry.objects.count()
    demo.seed(ctx)
    assert PointEntry.objects.count() == before and Member.objects.count() == 100


def test_every_seeded_running_total_and_yearly_score_has_its_audit_record(ctx):
    from gridgov.core.models import ChangeRecord
    from gridgov.party.models import PointTally

    demo.seed(ctx)
    for model, label in ((PointTally, "party.pointtally"), (PointYear, "party.pointyear")):
        ids = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        audited = set(ChangeRecord.objects.filter(model=label, action="create").values_list("object_id", flat=True))
        assert ids and ids <= audited, label


def test_the_town_party_office_may_create_the_towns_courses(ctx):
    from gridgov.accounts.models import User
    from gridgov.party.models import Course
    from gridgov.party.views import _towns_to_add

    demo.seed(ctx)
    office = User.objects.get(username="boli_partyoffice")
    assert _towns_to_add(office, Course) == [(ctx.boli.division.pk, ctx.boli.division.name)]
