"""`gridgov demo` builds 泊里镇 and 辛安街道 with the article's counts, once, and leaves a verifiable audit chain.

The full demo is built once for this module (inside a transaction rolled back at the end), as a town
leader would find it after `make run`.
"""

from __future__ import annotations

import io
import random
import sys
import types
from importlib.machinery import ModuleSpec

import pytest
import shapely
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from shapely.ops import unary_union
from shapely.strtree import STRtree

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import ProCategory, Role
from gridgov.core.audit import seal, verify
from gridgov.core.geo import OVERLAP_TOLERANCE, parse_polygon
from gridgov.core.models import ChangeRecord
from gridgov.core.validators import parse_resident_id, validate_credit_code
from gridgov.demo import geometry, run_demo
from gridgov.demo.data import DEMO_PASSWORD
from gridgov.network.models import Department, Division, Level
from gridgov.register.models import Enterprise, Household, Resident

# Every test of the module is a database test, so pytest-django keeps them together: a test without `db`
# would be moved to the end of the run, after other modules, and the module's demo built a second time.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """(context, console lines) of a first run on an empty database."""
    lines: list[str] = []
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = run_demo(out=lines.append)
        # The demo's foreign keys checked once, here: left deferred, PostgreSQL would check every row of it again
        # at each test's teardown (the db fixture's check_constraints: about 5 s a test).
        connection.check_constraints()
        yield ctx, lines
        transaction.set_rollback(True)


@pytest.fixture
def ctx(demo, db):
    return demo[0]


def nodes(town, level):
    return Division.objects.filter(town=town.division, level=level)


def shapes(qs):
    return [parse_polygon(p) for p in qs.values_list("polygon", flat=True)]


def row_counts():
    models = (Division, Department, User, RoleAssignment, Household, Resident, Enterprise, ChangeRecord)
    return {m.__name__: m.objects.count() for m in models}


# The one network of 泊里镇 (一张网)

def test_it_merges_fifteen_departments_into_the_boli_network(ctx):
    assert Department.objects.filter(town=ctx.boli.division).count() == 15


def test_it_gives_boli_twenty_region_grids_each_led_by_one_grid_leader(ctx):
    regions = nodes(ctx.boli, Level.REGION_GRID)
    led = RoleAssignment.objects.filter(role=Role.GRID_LEADER, division__in=regions)
    assert (regions.count(), led.values("division").distinct().count(), led.count()) == (20, 20, 20)


def test_it_gives_boli_forty_five_base_grids_each_with_one_full_time_grid_worker(ctx):
    grids = nodes(ctx.boli, Level.BASE_GRID)
    workers = RoleAssignment.objects.filter(role=Role.GRID_WORKER, division__in=grids)
    assert (grids.count(), workers.values("division").distinct().count(), workers.count()) == (45, 45, 45)


def test_it_sinks_147_professional_grid_workers_of_11_categories_into_boli_grids(ctx):
    pros = RoleAssignment.objects.filter(role=Role.PRO_WORKER, division__town=ctx.boli.division)
    assert (pros.count(), set(pros.values_list("category", flat=True))) == (147, set(ProCategory.values))


def test_it_staffs_boli_with_every_role_of_the_article(ctx):
    held = set(RoleAssignment.objects.filter(user__town=ctx.boli.division).values_list("role", flat=True))
    assert held >= {Role.LEADER, Role.DEPT_STAFF, Role.FRONT_DESK, Role.APPROVER, Role.GRID_LEADER, Role.GRID_WORKER,
                    Role.PRO_WORKER, Role.PARTY_SECRETARY, Role.ADMIN}


# 辛安街道

def test_it_gives_xinan_twelve_communities(ctx):
    assert nodes(ctx.xinan, Level.VILLAGE).count() == 12


def test_it_gives_xinan_its_49_4_square_kilometres(ctx):
    assert ctx.xinan.division.area_km2 == pytest.approx(49.4, abs=0.05)


def test_it_registers_over_400_key_enterprises_in_xinan(ctx):
    assert Enterprise.objects.filter(town=ctx.xinan.division, is_key=True).count() >= 400


def test_it_gives_every_enterprise_a_valid_credit_code(ctx):
    bad = []
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        try:
            validate_credit_code(code)
        except Exception:
            bad.append(code)
    assert bad == []


def test_it_locates_every_enterprise_inside_its_grid_polygon(ctx):
    polygon = dict(Division.objects.filter(level=Level.BASE_GRID).values_list("id", "polygon"))
    outside = [name for name, lat, lon, grid in Enterprise.objects.values_list("name", "lat", "lon", "grid_id")
               if not shapely.contains_xy(parse_polygon(polygon[grid]), lon, lat)]
    assert outside == []


def test_it_registers_the_29_cooperatives_of_xinan(ctx):
    assert Enterprise.objects.filter(town=ctx.xinan.division, industry="股份经济合作社").count() == 29


# Codes and polygons

def test_it_codes_the_towns_by_the_statistical_rules(ctx):
    # 镇 take township codes 100–199, 街道 001–099 (RULES.md §6).
    assert (100 <= int(ctx.boli.code[6:9]) <= 199, 1 <= int(ctx.xinan.code[6:9]) <= 99) == (True, True)


def test_it_codes_communities_as_residents_committees_and_villages_as_village_committees(ctx):
    bad = [v.code for v in Division.objects.filter(level=Level.VILLAGE)
           if not (1 <= int(v.code[9:]) <= 199 if v.name.endswith("社区") else 200 <= int(v.code[9:]) <= 399)]
    assert bad == []


def test_it_codes_every_grid_as_its_parent_code_plus_three_digits(ctx):
    bad = [d.code for d in Division.objects.filter(level__gte=Level.REGION_GRID).select_related("parent")
           if not (d.code.startswith(d.parent.code) and len(d.code) == len(d.parent.code) + 3
                   and d.path == d.parent.path + d.code + "/")]
    assert bad == []


@pytest.mark.parametrize("level", [Level.VILLAGE, Level.REGION_GRID, Level.BASE_GRID])
@pytest.mark.parametrize("key", ["boli", "xinan"])
def test_it_covers_the_whole_town_without_gaps_at_each_level(ctx, key, level):
    town = ctx.towns[key]
    union = unary_union(shapes(nodes(town, level)))
    outline = parse_polygon(town.division.polygon)
    assert outline.symmetric_difference(union).area < 1e-9 * outline.area


@pytest.mark.parametrize("level", [Level.VILLAGE, Level.REGION_GRID, Level.BASE_GRID])
def test_it_draws_no_two_divisions_of_a_level_overlapping(ctx, level):
    polys = shapes(Division.objects.filter(level=level))
    tree = STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    worst = max((polys[i].intersection(polys[j]).area for i, j in zip(left, right, strict=True) if i < j), default=0)
    assert worst <= OVERLAP_TOLERANCE


def test_it_keeps_each_child_inside_its_parent(ctx):
    parents = {d.pk: parse_polygon(d.polygon) for d in Division.objects.filter(level__in=[2, 3, 4])}
    outside = [d.code for d in Division.objects.filter(level__gte=Level.VILLAGE)
               if parse_polygon(d.polygon).difference(parents[d.parent_id]).area > OVERLAP_TOLERANCE]
    assert outside == []


def test_it_keeps_the_two_towns_apart(ctx):
    boli, xinan = parse_polygon(ctx.boli.division.polygon), parse_polygon(ctx.xinan.division.polygon)
    assert not boli.intersects(xinan)


def test_it_types_every_base_grid(ctx):
    assert Division.objects.filter(level=Level.BASE_GRID, grid_type="").count() == 0


def test_it_draws_the_same_grids_from_the_same_seed():
    outline = geometry.outline(random.Random(1), lat=35.95, lon=119.95, area_km2=30, aspect=1.4)
    first, second = (geometry.tile(outline, 7, random.Random(2)) for _ in range(2))
    assert [p.wkb for p in first] == [p.wkb for p in second]


# The register

def test_it_registers_a_few_thousand_residents_in_households(ctx):
    total = Resident.objects.count()
    assert (3000 <= total <= 6000, Resident.objects.filter(household__isnull=True).count()) == (True, 0)


def test_it_gives_every_household_exactly_one_head(ctx):
    heads = Resident.objects.filter(relation=Resident.Relation.HEAD).values_list("household_id", flat=True)
    assert sorted(heads) == sorted(Household.objects.values_list("id", flat=True))


def test_it_gives_residents_valid_ids_that_match_their_sex_and_birth_date(ctx):
    wrong = [idn for idn, sex, birth in Resident.objects.values_list("id_number", "sex", "birth_date")
             if parse_resident_id(idn) != (birth, sex)]
    assert wrong == []


def test_it_registers_each_resident_in_a_base_grid_of_their_own_town(ctx):
    misplaced = Resident.objects.exclude(grid__level=Level.BASE_GRID).count() + sum(
        Resident.objects.filter(town=t.division).exclude(grid__town=t.division).count() for t in ctx.towns.values())
    assert misplaced == 0


def test_it_tags_residents_who_need_attention(ctx):
    tags = set(Resident.objects.values_list("tag_rows__tag", flat=True))
    assert {"dibao", "elderly_alone", "party_member", "floating"} <= tags


# Personas

def test_it_lets_the_grid_worker_of_one_grid_see_only_that_grids_residents(ctx):
    worker = ctx.boli.user("worker01")
    grid = next(g for g, u in ctx.boli.grid_worker.items() if u.pk == worker.pk)
    visible = Resident.objects.restrict(worker, "view")
    assert (visible.exists(), visible.exclude(grid_id=grid).exists()) == (True, False)


def test_it_keeps_the_boli_leader_out_of_xinan(ctx):
    leader = ctx.boli.user("leader")
    assert not Enterprise.objects.restrict(leader, "view").filter(town=ctx.xinan.division).exists()


def test_it_signs_in_every_printed_persona_with_the_one_demo_password(ctx):
    # One argon2 hash is shared by every demo account: checking it once checks them all.
    hashes = set(User.objects.filter(username__in=[u for _p, u, _w in ctx.logins]).values_list("password", flat=True))
    assert [check_password(DEMO_PASSWORD, h) for h in hashes] == [True]


def test_it_prints_a_login_for_each_persona(demo):
    text = "\n".join(demo[1])
    wanted = ["boli_leader", "boli_admin", "boli_gridleader01", "boli_worker01", "boli_worker02", "boli_safety01",
              "boli_yingji01", "boli_desk01", "boli_approver01", "boli_secretary01", "boli_resident01",
              "xinan_leader", "xinan_ent01", DEMO_PASSWORD]
    assert [w for w in wanted if w not in text] == []


def test_it_links_the_resident_account_to_a_registered_resident(ctx):
    user, resident = ctx.boli.resident_accounts[0]
    assert (user.display_name, user.phone) == (resident.name, resident.phone)


# Audit and idempotence

def test_it_audits_every_seeded_row(ctx):
    audited = set(ChangeRecord.objects.filter(model="register.resident").values_list("object_id", flat=True))
    assert audited == {str(pk) for pk in Resident.objects.values_list("id", flat=True)}


def test_it_leaves_an_audit_chain_that_verifies(ctx):
    seal()
    result = verify()
    assert (result.ok, result.unsealed, result.checked >= ChangeRecord.objects.count()) == (True, 0, True)


def test_it_changes_nothing_on_a_second_run(ctx):
    before = row_counts()
    run_demo(out=lambda _line: None)
    assert row_counts() == before


def test_it_says_that_a_second_gridgov_demo_changed_nothing(ctx):
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "nothing changed" in out.getvalue()


def test_it_dates_app_history_on_weekdays_in_the_last_year(ctx):
    moments = [ctx.past(random.Random(i)) for i in range(50)]
    assert [m for m in moments if m > ctx.now or (ctx.now - m).days > 366 or timezone.localtime(m).weekday() > 4] == []


def test_it_hands_each_app_seed_the_built_towns(ctx, monkeypatch):
    seen = []
    module = types.ModuleType("gridgov.register.demo")
    module.__spec__ = ModuleSpec("gridgov.register.demo", None)
    module.seed = lambda c: seen.append((len(c.boli.grid_worker), len(c.xinan.grids) > 0, c.system.username))
    monkeypatch.setitem(sys.modules, "gridgov.register.demo", module)
    run_demo(out=lambda _line: None)
    assert seen == [(45, True, "system")]


def test_it_audits_what_an_app_seed_adds_through_the_context(ctx, monkeypatch):
    module = types.ModuleType("gridgov.register.demo")
    module.__spec__ = ModuleSpec("gridgov.register.demo", None)

    def seed(c):
        if not Department.objects.filter(town=c.xinan.division, code="DX").exists():
            c.bulk_create([Department(town=c.xinan.division, code="DX", name="演示部门")])

    module.seed = seed
    monkeypatch.setitem(sys.modules, "gridgov.register.demo", module)
    before = ChangeRecord.objects.count()
    run_demo(out=lambda _line: None)
    seal()
    assert (ChangeRecord.objects.count() - before, verify().ok) == (1, True)


def test_it_keeps_demo_names_unique_within_a_town(ctx):
    names = list(Division.objects.filter(level=Level.BASE_GRID).values_list("town_id", "name"))
    assert len(names) == len(set(names))




def test_it_finds_the_foundation_here_and_each_apps_seed_after_it():
    """`gridgov demo` (core) imports no app: it finds gridgov.demo's foundation and the seeds of cases and party
    through their demo.py, as the menu finds nav.py."""
    from gridgov.core.demo import demo_hooks

    layer, seeds = demo_hooks()
    assert (layer.label, [h.label for h in seeds if h.label in ("cases", "party")]) == ("demo", ["cases", "party"])
