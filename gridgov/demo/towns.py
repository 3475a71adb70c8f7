"""Build one demo town: its division tree with polygons, departments, staff with their roles, households,
residents and enterprises. Bulk inserts, one audit record per row, one random stream per town (so building
one town alone gives the same rows as building both)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F
from faker import Faker
from shapely.geometry import Polygon

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.core import audit
from gridgov.network.models import Department, Division, GeoState, GridType, Level
from gridgov.network.services import set_geometry_fields
from gridgov.register.models import Enterprise, Household, Resident, ResidentTag, Tag

from . import geometry
from .data import (
    COMPANY_SUFFIXES,
    COOPERATIVE_INDUSTRY,
    FLOATING_ADDRESS_CODES,
    INDUSTRIES,
    SMALL_INDUSTRIES,
    TRADE_NAME_FIRST,
    TRADE_NAME_SECOND,
    TownSpec,
)
from .identity import Issuer

CN_NUMBERS = "一二三四五六七八九十"
BATCH = 1000


@dataclass
class _Built:
    """What the town build keeps in memory while it inserts (rows carry their primary keys)."""

    town: Division
    villages: list[Division] = field(default_factory=list)
    regions: list[Division] = field(default_factory=list)
    grids: list[Division] = field(default_factory=list)
    shapes: dict[str, Polygon] = field(default_factory=dict)  # division code -> polygon


def _short(name: str) -> str:
    for suffix in ("新村", "社区", "村"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _division(parent: Division, level: int, code: str, name: str, poly: Polygon, town: Division | None,
              grid_type: str = "") -> Division:
    d = Division(parent=parent, level=level, code=code, name=name, path=parent.path + code + "/", town=town,
                 grid_type=grid_type, polygon=geometry.geojson(poly))
    set_geometry_fields(d, d.polygon)  # the same area and centre computation as network.services
    return d


def _save(objs: list[Any], actor: User) -> list[Any]:
    if not objs:
        return objs
    created = type(objs[0])._default_manager.bulk_create(objs, batch_size=BATCH)
    audit.record_many(created, "create", actor=actor)
    return created


def _tree(spec: TownSpec, district: Division, rng: random.Random, actor: User) -> _Built:
    town_poly = geometry.outline(rng, lat=spec.lat, lon=spec.lon, area_km2=spec.area_km2, aspect=spec.aspect)
    town = _division(district, Level.TOWN, spec.code, spec.name, town_poly, None)
    town.save(force_insert=True)
    town.town = town
    Division.objects.filter(pk=town.pk).update(town=town)
    audit.record_many([town], "create", actor=actor)
    built = _Built(town=town)

    village_polys = geometry.tile(town_poly, len(spec.villages), rng)
    villages = [_division(town, Level.VILLAGE, spec.code[:9] + v.code3, v.name, poly, town)
                for v, poly in zip(spec.villages, village_polys, strict=True)]
    built.villages = _save(villages, actor)

    region_rows: list[tuple[Division, Polygon, Any]] = []
    for vspec, village, vpoly in zip(spec.villages, built.villages, village_polys, strict=True):
        for k, poly in enumerate(geometry.tile(vpoly, len(vspec.regions), rng), start=1):
            name = f"{_short(village.name)}第{CN_NUMBERS[k - 1]}片区网格"
            region_rows.append((_division(village, Level.REGION_GRID, f"{village.code}{k:03d}", name, poly, town),
                                poly, vspec))
    built.regions = _save([r for r, _p, _v in region_rows], actor)

    grids: list[Division] = []
    per_village: dict[str, int] = {}
    for region, (_r, rpoly, vspec) in zip(built.regions, region_rows, strict=True):
        n = vspec.regions[int(region.code[-3:]) - 1]
        for j, poly in enumerate(geometry.tile(rpoly, n, rng), start=1):
            seq = per_village[region.parent.code] = per_village.get(region.parent.code, 0) + 1
            name = f"{_short(region.parent.name)}第{seq:02d}网格"
            grid = _division(region, Level.BASE_GRID, f"{region.code}{j:03d}", name, poly, town,
                             grid_type=rng.choice(vspec.grid_types))
            grids.append(grid)
            built.shapes[grid.code] = poly
    built.grids = _save(grids, actor)
    if not GeoState.objects.filter(pk=1).update(version=F("version") + 1):
        GeoState.objects.create(pk=1, version=1)
    return built


class _People:
    """Staff accounts and their role assignments, inserted together once departments exist."""

    def __init__(self, spec: TownSpec, town: Division, faker: Faker, issuer: Issuer, password_hash: str):
        self.spec, self.town, self.faker, self.issuer, self.hash = spec, town, faker, issuer, password_hash
        self.users: list[User] = []
        self.roles: list[tuple[User, str, dict[str, Any]]] = []

    def add(self, suffix: str, *, kind: str = User.Kind.STAFF, name: str | None = None, phone: str | None = None,
            role: str | None = None, **scope: Any) -> User:
        u = User(username=f"{self.spec.key}_{suffix}", password=self.hash, kind=kind, town=self.town,
                 display_name=name or self.faker.name(), phone=phone if phone is not None else self.issuer.mobile())
        self.users.append(u)
        if role:
            self.roles.append((u, role, scope))
        return u


def _staff(spec: TownSpec, built: _Built, people: _People) -> dict[str, list[User]]:
    """Create the staff (not yet saved); return department slug -> its staff, head first."""
    town = built.town
    for suffix, _title in spec.leaders:
        people.add(suffix, role=Role.LEADER, division=town)
    people.add("admin", role=Role.ADMIN, division=town)
    for i, region in enumerate(built.regions, start=1):
        people.add(f"gridleader{i:02d}", role=Role.GRID_LEADER, division=region)
    for i, grid in enumerate(built.grids, start=1):
        people.add(f"worker{i:02d}", role=Role.GRID_WORKER, division=grid)
    n = 0
    for category, count in spec.pro_workers.items():
        for k in range(1, count + 1):
            # Professional workers sink into the region grids (下沉网格), spread evenly over the town.
            people.add(f"{category}{k:02d}", role=Role.PRO_WORKER, division=built.regions[n % len(built.regions)],
                       category=category)
            n += 1
    dept_staff: dict[str, list[User]] = {}
    for d in spec.departments:
        dept_staff[d.slug] = [people.add(f"{d.slug}{k:02d}") for k in range(1, d.staff + 1)]
    for i in range(1, spec.front_desk + 1):
        people.add(f"desk{i:02d}", role=Role.FRONT_DESK, division=town)
    for i, village in enumerate(built.villages, start=1):
        people.add(f"secretary{i:02d}", role=Role.PARTY_SECRETARY, division=village)
    return dept_staff


def _departments(spec: TownSpec, built: _Built, people: _People, dept_staff: dict[str, list[User]],
                 actor: User) -> dict[str, Department]:
    departments = [Department(town=built.town, code=f"D{i:02d}", name=d.name, head=dept_staff[d.slug][0])
                   for i, d in enumerate(spec.departments, start=1)]
    by_slug = dict(zip([d.slug for d in spec.departments], _save(departments, actor), strict=True))
    approver = 0
    for d in spec.departments:
        for u in dept_staff[d.slug]:
            people.roles.append((u, Role.DEPT_STAFF, {"department": by_slug[d.slug]}))
        if d.approves:
            approver += 1
            people.users.append(a := User(
                username=f"{spec.key}_approver{approver:02d}", password=people.hash, kind=User.Kind.STAFF,
                town=built.town, display_name=people.faker.name(), phone=people.issuer.mobile()))
            people.roles.append((a, Role.APPROVER, {"department": by_slug[d.slug]}))
    return by_slug


def _register(spec: TownSpec, built: _Built, rng: random.Random, faker: Faker, issuer: Issuer,
              reference: dt.date, actor: User) -> tuple[list[Resident], list[Any]]:
    """Households and their members with tags; returns the residents."""
    weight = {GridType.URBAN: 1.6, GridType.RURAL: 1.0, GridType.INDUSTRIAL: 0.35, GridType.SPECIAL: 0.4}
    grids = built.grids
    weights = [weight[GridType(g.grid_type)] for g in grids]
    villages = {v.pk: v for v in built.villages}
    region_village = {r.pk: villages[r.parent_id] for r in built.regions}
    households: list[Household] = []
    members: list[list[dict[str, Any]]] = []
    for h in range(1, spec.households + 1):
        grid = rng.choices(grids, weights)[0]
        village = region_village[grid.parent_id]
        floating = rng.random() < spec.floating_share
        area_code = rng.choice(FLOATING_ADDRESS_CODES) if floating else "370211"
        if grid.grid_type == GridType.RURAL:
            address = f"青岛市黄岛区{spec.name}{_short(village.name)}村{rng.randint(1, 420)}号"
        else:
            road = rng.choice(spec.roads)
            address = (f"青岛市黄岛区{spec.name}{road}{rng.randint(1, 399)}号{rng.randint(1, 24)}号楼"
                       f"{rng.randint(1, 4)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}户")
        households.append(Household(number=f"{spec.code[6:9]}{village.code[9:]}{h:05d}", address=address,
                                    grid=grid, town=built.town))
        size = rng.choices((1, 2, 3, 4, 5), (14, 28, 30, 18, 10))[0]
        family: list[dict[str, Any]] = []
        if size == 1:
            age = rng.choice((rng.randint(70, 93), rng.randint(22, 69)))
        else:
            age = rng.randint(26, 78)
        head_sex = "M" if rng.random() < 0.72 else "F"
        surname = faker.last_name()
        family.append({"relation": Resident.Relation.HEAD, "age": age, "sex": head_sex, "surname": surname})
        if size >= 2 and rng.random() < 0.88:
            family.append({"relation": Resident.Relation.SPOUSE, "age": max(20, age + rng.randint(-5, 4)),
                           "sex": "F" if head_sex == "M" else "M", "surname": None})
        while len(family) < size:
            if age < 60 and rng.random() < 0.25 and age + 24 < 95:
                family.append({"relation": Resident.Relation.PARENT, "age": min(96, age + rng.randint(24, 32)),
                               "sex": rng.choice("MF"), "surname": None})
            elif age - 20 >= 0:
                child_age = max(0, age - rng.randint(22, 36))
                family.append({"relation": Resident.Relation.CHILD, "age": child_age, "sex": rng.choice("MF"),
                               "surname": surname if head_sex == "M" else None})
            else:
                family.append({"relation": Resident.Relation.OTHER, "age": rng.randint(18, 60),
                               "sex": rng.choice("MF"), "surname": None})
        for m in family:
            m.update(area_code=area_code, floating=floating, rural=grid.grid_type == GridType.RURAL)
        members.append(family)
    households = _save(households, actor)

    residents: list[Resident] = []
    tag_plan: list[list[str]] = []
    for household, family in zip(households, members, strict=True):
        dibao = rng.random() < 0.035
        for m in family:
            birth = issuer.birth_date(age_from=m["age"], age_to=m["age"], on=reference)
            sex = m["sex"]
            surname = m["surname"]
            given = faker.first_name_male() if sex == "M" else faker.first_name_female()
            name = (surname or faker.last_name()) + given
            has_phone = 16 <= m["age"] <= 80 and rng.random() < (0.93 if m["age"] < 66 else 0.55)
            residents.append(Resident(
                name=name, id_number=issuer.resident_id(address_code=m["area_code"], birth=birth, sex=sex),
                sex=sex, birth_date=birth, phone=issuer.mobile() if has_phone else "", household=household,
                relation=m["relation"], address=household.address, grid=household.grid, town=built.town))
            tags = []
            if dibao:
                tags.append(Tag.DIBAO)
            if len(family) == 1 and m["age"] >= 70:
                tags.append(Tag.ELDERLY_ALONE)
            if m["age"] >= 18 and rng.random() < 0.09:
                tags.append(Tag.PARTY_MEMBER)
            if rng.random() < 0.02:
                tags.append(Tag.DISABLED)
            if sex == "M" and 28 <= m["age"] <= 75 and rng.random() < 0.05:
                tags.append(Tag.VETERAN)
            if m["rural"] and m["age"] < 16 and rng.random() < 0.2:
                tags.append(Tag.LEFT_BEHIND_CHILD)
            if m["age"] >= 18 and rng.random() < 0.006:
                tags.append(Tag.KEY_PERSON)
            if m["floating"]:
                tags.append(Tag.FLOATING)
            tag_plan.append(tags)
    residents = _save(residents, actor)
    tags = [ResidentTag(resident=r, tag=t) for r, ts in zip(residents, tag_plan, strict=True) for t in ts]
    tags = _save(tags, actor)
    return residents, tags


def _enterprises(spec: TownSpec, built: _Built, departments: dict[str, Department], rng: random.Random,
                 faker: Faker, issuer: Issuer, actor: User) -> list[Enterprise]:
    industrial = [g for g in built.grids if g.grid_type == GridType.INDUSTRIAL] or built.grids
    urban = [g for g in built.grids if g.grid_type in (GridType.URBAN, GridType.SPECIAL)] or built.grids
    safety = departments.get("anjian") or departments["yingji"]
    market = departments["shichang"]
    names: set[str] = set()

    def company_name(word: str) -> str:
        while True:
            trade = rng.choice(TRADE_NAME_FIRST) + rng.choice(TRADE_NAME_SECOND)
            if trade[0] == trade[1]:
                continue
            name = f"青岛{trade}{word}{rng.choice(COMPANY_SUFFIXES)}"
            if name not in names:
                names.add(name)
                return name

    def place(grid: Division) -> tuple[float, float]:
        shape = built.shapes[grid.code]
        while True:
            lon, lat = geometry.random_point_in(shape, rng, margin=0.0002)
            lon, lat = round(lon, 6), round(lat, 6)
            if geometry.shapely.contains_xy(shape, lon, lat):
                return lat, lon

    rows: list[Enterprise] = []

    def add(*, name: str, credit_code: str, industry: str, scale: str, grid: Division, key: bool,
            department: Department | None) -> None:
        lat, lon = place(grid)
        rows.append(Enterprise(
            name=name, credit_code=credit_code, industry=industry, scale=scale,
            legal_representative=faker.name(), legal_rep_phone=issuer.mobile(),
            address=f"青岛市黄岛区{spec.name}{rng.choice(spec.roads)}{rng.randint(1, 899)}号", lat=lat, lon=lon,
            grid=grid, town=built.town, department=department, is_key=key))

    for _i in range(spec.enterprises):
        industry, words = rng.choice(INDUSTRIES)
        grid = rng.choice(industrial) if rng.random() < 0.78 else rng.choice(built.grids)
        scale = rng.choices(("large", "medium", "small", "micro"), (8, 32, 48, 12))[0]
        dept = market if industry in ("食品加工", "医药") else safety
        add(name=company_name(rng.choice(words)), credit_code=issuer.credit_code(), industry=industry, scale=scale,
            grid=grid, key=True, department=dept)
    for _i in range(spec.small_enterprises):
        industry, words = rng.choice(SMALL_INDUSTRIES)
        add(name=company_name(rng.choice(words)), credit_code=issuer.credit_code(), industry=industry,
            scale=rng.choice(("small", "micro", "micro")), grid=rng.choice(urban), key=False, department=market)
    for i, village_name in enumerate(spec.cooperatives):
        village = built.villages[i % len(built.villages)]
        grids = [g for g in built.grids if g.path.startswith(village.path)]
        # 股份经济合作社: registered by the agriculture authority (N) as village collectives (2).
        add(name=f"青岛市黄岛区{spec.name}{village_name}股份经济合作社", credit_code=issuer.credit_code(authority="N",
            kind="2"), industry=COOPERATIVE_INDUSTRY, scale="micro", grid=rng.choice(grids), key=False,
            department=departments.get("jingji"))
    return _save(rows, actor)


def build_town(spec: TownSpec, *, district: Division, actor: User, password_hash: str, seed: int,
               reference: dt.date) -> dict[str, int]:
    """Build the whole town. Run inside one transaction; returns row counts for the console."""
    rng = random.Random(f"{seed}:{spec.code}")
    faker = Faker("zh_CN")
    faker.seed_instance(f"{seed}:{spec.code}")
    issuer = Issuer(rng)

    built = _tree(spec, district, rng, actor)
    people = _People(spec, built.town, faker, issuer, password_hash)
    dept_staff = _staff(spec, built, people)
    staff = _save(list(people.users), actor)  # saved before departments, which name their heads
    departments = _departments(spec, built, people, dept_staff, actor)
    staff += _save(people.users[len(staff):], actor)  # the approvers, added with their departments
    residents, tags = _register(spec, built, rng, faker, issuer, reference, actor)
    enterprises = _enterprises(spec, built, departments, rng, faker, issuer, actor)

    # Accounts of residents and enterprises: the people themselves (found again by phone / by name).
    heads = [r for r in residents if r.phone and r.relation == Resident.Relation.HEAD]
    accounts = [User(username=f"{spec.key}_resident{i:02d}", password=password_hash, kind=User.Kind.RESIDENT,
                     town=built.town, display_name=r.name, phone=r.phone)
                for i, r in enumerate(rng.sample(heads, 5), start=1)]
    keyed = [e for e in enterprises if e.is_key]
    accounts += [User(username=f"{spec.key}_ent{i:02d}", password=password_hash, kind=User.Kind.ENTERPRISE,
                      town=built.town, display_name=e.name, phone=e.legal_rep_phone)
                 for i, e in enumerate(rng.sample(keyed, min(len(keyed), 10)), start=1)]
    accounts = _save(accounts, actor)

    assignments = _save([RoleAssignment(user=u, role=role, category=scope.get("category", ""),
                                        division=scope.get("division"), department=scope.get("department"))
                         for u, role, scope in people.roles], actor)
    return {
        "villages": len(built.villages), "region grids": len(built.regions), "base grids": len(built.grids),
        "departments": len(departments), "staff": len(staff), "role assignments": len(assignments),
        "households": len({r.household_id for r in residents}), "residents": len(residents), "tags": len(tags),
        "enterprises": len(enterprises), "accounts": len(accounts),
    }
