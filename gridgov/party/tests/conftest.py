"""Party personas on top of the `world`: the town party office (党建办 of 泊里镇党委), the secretary of the grid
branch of grid A and their members, the secretary of grid B's branch, and a branch of 辛安街道."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.party.models import Member, MemberStatus, OrgKind, OrgOfficer, PartyOrganisation, Sector
from gridgov.testing import PASSWORD


@dataclass
class Party:
    town_committee: PartyOrganisation
    village_committee: PartyOrganisation
    branch_a: PartyOrganisation
    branch_b: PartyOrganisation
    other_branch: PartyOrganisation
    members: list[Member] = field(default_factory=list)
    people: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


def _user(key: str, display: str, town: Any) -> User:
    u = User(username=key, display_name=display, town=town, kind=User.Kind.RESIDENT)
    u.set_password(PASSWORD)
    u.save()
    return u


def _org(parent: PartyOrganisation | None, kind: str, code: str, name: str, division: Any,
         sector: str = Sector.GRID, **kw: Any) -> PartyOrganisation:
    return PartyOrganisation.objects.create(
        parent=parent, kind=kind, code=code, name=name, division=division, town=division.town or division,
        sector=sector, path=(parent.path if parent else "") + code + "/", **kw)


def _ensure_default_rules() -> None:
    """The default points rules come from a data migration; a transactional test run earlier flushes every
    table, so put them back when they are gone."""
    from importlib import import_module

    from django.apps import apps as django_apps

    from gridgov.party.models import PointRule

    if not PointRule.objects.filter(town__isnull=True).exists():
        import_module("gridgov.party.migrations.0002_default_rules").add(django_apps, None)


def build_party(world: Any) -> Party:
    _ensure_default_rules()
    town_committee = _org(None, OrgKind.COMMITTEE, "BL", "泊里镇党委", world.town, Sector.TOWN)
    village = _org(town_committee, OrgKind.COMMITTEE, "BL-DJK", "董家口新村党委", world.village, Sector.VILLAGE)
    branch_a = _org(village, OrgKind.BRANCH, "BL-DJK-A", "网格A党支部", world.grid_a)
    branch_b = _org(village, OrgKind.BRANCH, "BL-DJK-B", "网格B党支部", world.grid_b)
    xa = _org(None, OrgKind.WORKING_COMMITTEE, "XA", "辛安街道党工委", world.other_town, Sector.TOWN)
    other_branch = _org(xa, OrgKind.BRANCH, "XA-1", "辛安社区第一党支部", world.other_grid)
    p = Party(town_committee, village, branch_a, branch_b, other_branch)

    def officer(key: str, display: str, org: PartyOrganisation, post: str, town: Any) -> User:
        u = _user(key, display, town)
        OrgOfficer.objects.create(org=org, user=u, post=post)
        p.people[key] = u
        return u

    officer("party_office", "镇党建办王", town_committee, OrgOfficer.Post.OFFICE, world.town)
    officer("secretary_a", "支部书记李", branch_a, OrgOfficer.Post.SECRETARY, world.town)
    officer("secretary_b", "支部书记赵", branch_b, OrgOfficer.Post.SECRETARY, world.town)
    officer("other_secretary", "辛安书记孙", other_branch, OrgOfficer.Post.SECRETARY, world.other_town)
    joined = dt.date(2015, 7, 1)
    for i, name in enumerate(["张建国", "王秀英", "刘志强", "陈丽华", "杨海涛"]):
        u = _user(f"member_a{i}", name, world.town)
        p.members.append(Member.objects.create(user=u, name=name, org=branch_a, town=world.town,
                                               status=MemberStatus.FULL, joined_on=joined,
                                               phone=f"1380000000{i}"))
    # The secretary is a member of their own branch too.
    p.members.append(Member.objects.create(user=p.secretary_a, name="李书记", org=branch_a, town=world.town,
                                           status=MemberStatus.FULL, joined_on=joined))
    p.people["member"] = p.members[0].user
    p.people["member_b"] = _user("member_b", "周明", world.town)
    Member.objects.create(user=p.member_b, name="周明", org=branch_b, town=world.town, status=MemberStatus.FULL)
    return p


@pytest.fixture
def party(world) -> Party:
    p = build_party(world)
    world.people.update(p.people)
    return p


@pytest.fixture
def now():
    return timezone.now()
