"""Scope fixtures of party building for the scope walk (docs/scope.md): an organisation tree per place with a
member, a meeting, a claim, a transfer, a publication with an objection, a cadre with an archive record and a
deployment with a target, a 红旗 rating and a course, each named 走查甲/乙/丙…; the grid leader is the secretary
of grid A's branch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gridgov.party.models import (
    Cadre,
    CadreRecord,
    Course,
    Deployment,
    DeploymentTarget,
    Meeting,
    MeetingKind,
    Member,
    Objection,
    OrgKind,
    OrgOfficer,
    PartyOrganisation,
    PointClaim,
    Publication,
    RedFlagRating,
    Sector,
    Transfer,
)
from gridgov.party.tests.settings_fixtures import settings_fixtures

_PLACES = {"grid_a": ("甲", "A"), "grid_b": ("乙", "B"), "other_town": ("丙", "C")}


def scope_fixtures(world: Any) -> dict[str, Any]:
    grids = {"grid_a": world.grid_a, "grid_b": world.grid_b, "other_town": world.other_grid}
    depts = {"grid_a": world.department, "grid_b": None, "other_town": world.other_department}
    roots: dict[int, PartyOrganisation] = {}
    out: dict[str, dict[str, Any]] = {k: {} for k in (
        "orgs", "members", "meetings", "claims", "transfers", "publications", "cadres", "courses", "objections",
        "records", "deployments", "targets", "ratings")}
    start = timezone.now() - dt.timedelta(days=1)
    for position, (mark, code) in _PLACES.items():
        grid = grids[position]
        town = grid.town
        root = roots.get(town.pk)
        if root is None:
            root = roots[town.pk] = PartyOrganisation.objects.create(
                kind=OrgKind.COMMITTEE, code=f"SCOPE-{town.code}", name=f"走查{town.name}党委",
                path=f"SCOPE-{town.code}/", town=town, division=town, sector=Sector.TOWN)
        org = PartyOrganisation.objects.create(
            parent=root, kind=OrgKind.BRANCH, code=f"SCOPE-{code}", name=f"走查{mark}党支部",
            path=f"{root.path}SCOPE-{code}/", town=town, division=grid, sector=Sector.GRID)
        member = Member.objects.create(name=f"走查{mark}党员", org=org, town=town, phone=f"1370000000{len(out['members'])}")
        meeting = Meeting.objects.create(org=org, town=town, kind=MeetingKind.THEME_DAY, title=f"走查{mark}主题党日",
                                         starts_at=start, ends_at=start + dt.timedelta(hours=2),
                                         checkin_token=f"scope-token-{code}")
        out["orgs"][position] = org
        if position == "grid_a":
            # 网格长兼任支部书记: the grid leader is the secretary of grid A's branch, and so the one persona who
            # may approve for it (rate it 红旗, decide its claims) — over that branch only.
            OrgOfficer.objects.create(org=org, user=world.grid_leader, post=OrgOfficer.Post.SECRETARY)
        out["members"][position] = member
        out["meetings"][position] = meeting
        out["claims"][position] = PointClaim.objects.create(
            member=member, org=org, rule_code="volunteer", occurred_on=start.date(), description=f"走查{mark}申报")
        out["transfers"][position] = Transfer.objects.create(
            member=member, from_org=org, to_org=org, requested_by=world.admin, reason=f"走查{mark}转接")
        out["publications"][position] = Publication.objects.create(
            org=org, year=start.year, starts_on=start.date(), ends_on=start.date() + dt.timedelta(days=6),
            created_by=world.admin)
        out["cadres"][position] = Cadre.objects.create(name=f"走查{mark}干部", town=town, department=depts[position],
                                                      org=org)
        out["courses"][position] = Course.objects.create(town=town, title=f"走查{mark}课程")
        out["objections"][position] = Objection.objects.create(
            publication=out["publications"][position], member=member, text=f"走查{mark}异议")
        cadre = out["cadres"][position]
        out["records"][position] = CadreRecord.objects.create(
            cadre=cadre, kind=CadreRecord.Kind.AWARD, on=start.date(), title=f"走查{mark}担当作为好干部",
            created_by=world.admin)
        out["deployments"][position] = deployment = Deployment.objects.create(
            cadre=cadre, kind=Deployment.Kind.SINK, division=grid, starts_on=start.date(), town=town)
        out["targets"][position] = DeploymentTarget.objects.create(deployment=deployment, name=f"走查{mark}目标",
                                                                   goal=3)
        out["ratings"][position] = RedFlagRating.objects.create(org=org, year=start.year,
                                                                level=RedFlagRating.Level.RED_FLAG,
                                                                note=f"走查{mark}评定")
    checkin = dict(out["meetings"], field="checkin_token")
    return {
        # Branch names are shown within a town for online registration: only the other town's is a canary.
        "party/orgs": dict(out["orgs"], canary=("other_town",)),
        "org": dict(out["orgs"], canary=("other_town",)),
        "party/members": out["members"], "member": out["members"],
        "party/meetings": out["meetings"],
        "party/checkin": checkin,
        "points/claims": out["claims"],
        "party/transfers": out["transfers"],
        "party/publications": out["publications"],
        "party/cadres": out["cadres"],
        "party/courses": out["courses"],
        # Objections: the secretary's answer page and the API.
        "points/objections": out["objections"], "party/objections": out["objections"],
        "party/cadre-records": out["records"],
        "party/deployments": out["deployments"],
        "party/targets": out["targets"],
        # A rating's text carries its organisation's name, shown within a town.
        "party/ratings": dict(out["ratings"], canary=("other_town",)),
        **settings_fixtures(world),
    }
