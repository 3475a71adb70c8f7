"""The demo's foundation: build the demo towns once and hand back the context each app's seed receives
(`gridgov demo` itself, which runs the seeds and prints the logins, is gridgov/core/demo.py)."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from gridgov.accounts.models import RoleAssignment, User
from gridgov.accounts.roles import Role
from gridgov.core import audit
from gridgov.network.models import Department, Division, Level
from gridgov.register.models import Enterprise, Resident

from .context import DemoContext, DemoTown
from .data import (
    CATEGORY_DEPARTMENT,
    DEMO_PASSWORD,
    DEMO_SEED,
    DISTRICT_CODE,
    DISTRICT_NAME,
    REFERENCE_DATE_ISO,
    TOWNS,
)
from .towns import build_town

SYSTEM_USERNAME = "system"


def system_user() -> User:
    """The inactive account that is the actor of seeded data (it cannot sign in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = User(username=SYSTEM_USERNAME, display_name="系统（演示数据）", kind=User.Kind.STAFF,
                    is_active=False, password=make_password(None))
        user.save()
        audit.record(user, "create", actor=user)
    return user


def _district(actor: User) -> Division:
    district = Division.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        district = Division(level=Level.DISTRICT, code=DISTRICT_CODE, name=DISTRICT_NAME, path=DISTRICT_CODE + "/")
        district.save(force_insert=True)
        audit.record(district, "create", actor=actor)
    return district


def load_town(key: str) -> DemoTown | None:
    """Read a built demo town back from the database (None when it is not there)."""
    spec = next(s for s in TOWNS if s.key == key)
    division = Division.objects.filter(code=spec.code).first()
    if division is None:
        return None
    town = DemoTown(key=key, spec=spec, division=division)
    nodes = list(Division.objects.filter(town=division).exclude(pk=division.pk).order_by("code"))
    town.villages = [d for d in nodes if d.level == Level.VILLAGE]
    town.regions = [d for d in nodes if d.level == Level.REGION_GRID]
    town.grids = [d for d in nodes if d.level == Level.BASE_GRID]
    by_name = {d.name: d for d in Department.objects.filter(town=division)}
    town.departments = {d.slug: by_name[d.name] for d in spec.departments if d.name in by_name}
    town.category_department = {c: town.departments[slug] for c, slug in CATEGORY_DEPARTMENT[key].items()
                                if slug in town.departments}
    users = User.objects.filter(town=division, username__startswith=f"{key}_").order_by("username")
    town.users = {u.username: u for u in users}
    assignments = (RoleAssignment.objects.filter(user__in=list(town.users.values()))
                   .order_by("user__username", "id"))
    by_pk = {u.pk: u for u in town.users.values()}
    for a in assignments:
        user = by_pk[a.user_id]
        town.by_role.setdefault(a.role, []).append(user)
        if a.role == Role.GRID_WORKER:
            town.grid_worker[a.division_id] = user
        elif a.role == Role.GRID_LEADER:
            town.grid_leader[a.division_id] = user
        elif a.role == Role.PRO_WORKER:
            town.pro_workers.setdefault(a.category, []).append(user)
    residents = {r.phone: r for r in Resident.objects.filter(
        town=division, phone__in=[u.phone for u in users if u.kind == User.Kind.RESIDENT])}
    enterprises = {e.name: e for e in Enterprise.objects.filter(
        town=division, name__in=[u.display_name for u in users if u.kind == User.Kind.ENTERPRISE])}
    for u in town.users.values():
        if u.kind == User.Kind.RESIDENT and u.phone in residents:
            town.resident_accounts.append((u, residents[u.phone]))
        elif u.kind == User.Kind.ENTERPRISE and u.display_name in enterprises:
            town.enterprise_accounts.append((u, enterprises[u.display_name]))
    return town


PERSONAS = (  # (town key, persona, user name): one login per persona of the article
    ("boli", "泊里镇 镇领导 (town leader)", "boli_leader"),
    ("boli", "泊里镇 管理员 (administrator)", "boli_admin"),
    ("boli", "网格长 (grid leader)", "boli_gridleader01"),
    ("boli", "专职网格员 (grid worker)", "boli_worker01"),
    ("boli", "专职网格员 (another grid worker)", "boli_worker02"),
    ("boli", "专业网格员 (professional worker, 安全生产)", "boli_safety01"),
    ("boli", "部门工作人员 (department clerk)", "boli_yingji01"),
    ("boli", "综合受理窗口 / 12345 热线受理 (front desk: enters phone complaints, records ratings given by phone)",
     "boli_desk01"),
    ("boli", "审批人员 (approver)", "boli_approver01"),
    ("boli", "支部书记 (party secretary)", "boli_secretary01"),
    ("xinan", "辛安街道 领导 (subdistrict leader)", "xinan_leader"),
    ("boli", "群众 (resident)", "boli_resident01"),
    ("xinan", "企业 (enterprise)", "xinan_ent01"),
)


def _persona_logins(ctx: DemoContext) -> list[tuple[str, str, str]]:
    """The personas' logins with where each works (its scope) or who it is; missing accounts are left out."""
    rows = []
    for key, persona, username in PERSONAS:
        town = ctx.towns.get(key)
        user = town.users.get(username) if town else None
        if town is None or user is None:
            continue
        where = user.display_name if user.kind != User.Kind.STAFF else _scope_of(town, username)
        rows.append((persona, username, where))
    return rows


def _scope_of(town: DemoTown, username: str) -> str:
    a = (RoleAssignment.objects.filter(user=town.users.get(username)).select_related("division", "department")
         .first())
    return str(a.division or a.department) if a else ""


def foundation(*, seed: int | None = None, out: Callable[[str], None] = print) -> DemoContext:
    """Lay whatever part of the foundation is missing (黄岛区, then each town in its own transaction) and
    return the context every app's demo seed receives. `gridgov demo` (gridgov/core/demo.py) calls it through
    gridgov/demo/demo.py, then the seeds."""
    seed = DEMO_SEED if seed is None else seed
    reference = dt.date.fromisoformat(REFERENCE_DATE_ISO)
    with transaction.atomic():
        actor = system_user()
        district = _district(actor)
    password_hash = ""
    for spec in TOWNS:
        if Division.objects.filter(code=spec.code).exists():
            out(f"{spec.name}（{spec.code}）已存在，未改动 / already present, unchanged")
            continue
        password_hash = password_hash or make_password(DEMO_PASSWORD)  # argon2 once for every account
        t0 = time.monotonic()
        with transaction.atomic(), audit.collecting(actor):
            counts = build_town(spec, district=district, actor=actor, password_hash=password_hash, seed=seed,
                                reference=reference)
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        out(f"{spec.name}（{spec.code}）: {summary} — {time.monotonic() - t0:.1f} s")

    now = timezone.now()
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    towns = {spec.key: town for spec in TOWNS if (town := load_town(spec.key)) is not None}
    ctx = DemoContext(seed=seed, rng=random.Random(seed), faker=faker, now=now, today=timezone.localdate(now),
                      reference_date=reference, district=district, towns=towns, system=actor,
                      password=DEMO_PASSWORD, out=out, _password_hash=password_hash)
    ctx.logins.extend(_persona_logins(ctx))
    return ctx
