"""What `gridgov demo` hands to each app's demo seed: `DemoContext`, with one `DemoTown` per jurisdiction."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from faker import Faker

from gridgov.core import audit
from gridgov.core.bulk import can_fast_insert, fast_insert

if TYPE_CHECKING:
    from gridgov.accounts.models import User
    from gridgov.network.models import Department, Division
    from gridgov.register.models import Enterprise, Resident

    from .data import TownSpec


@dataclass
class DemoTown:
    """One demo jurisdiction (泊里镇 or 辛安街道) as built by the foundation, read back from the database.

    - `key`: "boli" or "xinan" — also the prefix of every demo user name of the town (`boli_worker01`).
    - `division`: the town node (level TOWN); `code` is its 12-digit statistical code.
    - `villages`, `regions`, `grids`: the 村/社区, 片区网格 and 基础网格 nodes in code order; `grids` are the
      base grids (each with `polygon`, `grid_type`, `center_lat`/`center_lon`).
    - `departments`: by slug ("yingji", "shichang", ...; see gridgov.demo.data), each a network.Department.
    - `category_department`: ProCategory value -> the Department its events go to (部门下沉).
    - `users`: every demo account of the town by user name (staff, residents, enterprises).
    - `by_role`: accounts.roles.Role value -> staff holding that role in this town, in user-name order.
    - `grid_worker`: base grid id -> its 专职网格员; `grid_leader`: region grid id -> its 网格长.
    - `pro_workers`: ProCategory value -> the professional grid workers of that category.
    - `resident_accounts`: (User of kind resident, the register.Resident they are) pairs.
    - `enterprise_accounts`: (User of kind enterprise, the register.Enterprise they speak for) pairs.
    Residents, households and enterprises themselves are in the register: query them with
    `Resident.objects.filter(town=town.division)` etc.
    """

    key: str
    spec: TownSpec
    division: Division
    villages: list[Division] = field(default_factory=list)
    regions: list[Division] = field(default_factory=list)
    grids: list[Division] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)
    category_department: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    by_role: dict[str, list[User]] = field(default_factory=dict)
    grid_worker: dict[int, User] = field(default_factory=dict)
    grid_leader: dict[int, User] = field(default_factory=dict)
    pro_workers: dict[str, list[User]] = field(default_factory=dict)
    resident_accounts: list[tuple[User, Resident]] = field(default_factory=list)
    enterprise_accounts: list[tuple[User, Enterprise]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.division.name

    @property
    def code(self) -> str:
        return self.division.code

    def user(self, suffix: str) -> User:
        """The account `<key>_<suffix>`, e.g. `boli.user("worker01")`."""
        return self.users[f"{self.key}_{suffix}"]

    def role(self, role: str) -> list[User]:
        return self.by_role.get(role, [])


@dataclass
class DemoContext:
    """The contract between `gridgov demo` and the demo seed of each app.

    After the foundation (towns, grids, departments, staff, register) is in place, `gridgov demo` calls
    `seed(ctx)` of every installed gridgov app that has a module `<app>.demo` defining it, in INSTALLED_APPS
    order unless the module's `AFTER` (labels of apps whose seeds must run first) says otherwise
    (gridgov/core/demo.py), each in its own transaction (an exception rolls that app's seed back and stops the run). A seed must be idempotent: check a marker first (for example "does
    any row of mine exist for `ctx.boli.division`?") and return when its data is already there, so a second
    `gridgov demo` changes nothing. Write through `ctx.bulk_create` (bulk insert, audited with actor
    `ctx.system`) or through your services with a persona as `acting_user` (e.g. `ctx.boli.user("admin")`,
    `ctx.boli.user("worker01")`: their audit records then name that persona), so the audit chain covers
    every seeded row. `ctx.system` holds no roles: services that re-check scope refuse it.

    - `seed`: the demo seed (an int). Use `ctx.rng_for("cases")` / `ctx.faker_for("cases")` for a random
      stream of your own: it does not depend on what other apps drew, so your data stays the same when
      another app changes its seed.
    - `rng`, `faker`: shared streams (random.Random, Faker zh_CN) — fine for throwaway choices only.
    - `now`: an aware datetime, the moment the run started; put history "over the last 12 months" before it.
      `today`: its date in Asia/Shanghai. `reference_date`: the fixed date ages in the register count from.
    - `district`: 黄岛区 (level DISTRICT). `towns`: {"boli": DemoTown, "xinan": DemoTown}; also `ctx.boli`,
      `ctx.xinan`.
    - `system`: the inactive "system" user that is the actor of every seeded audit record.
    - `password`: the single demo password of every demo account; `password_hash`: its hash, computed once
      (argon2 is slow): set `User.password = ctx.password_hash` when creating accounts in bulk.
    - `past(rng, days=365)`: a weekday office-hours moment in the last `days` days, for history.
    - `logins`: (persona, user name, where) rows printed at the end; `ctx.add_login(...)` to add yours.
    - `out(text)`: write a progress line to the console.
    """

    seed: int
    rng: random.Random
    faker: Faker
    now: dt.datetime
    today: dt.date
    reference_date: dt.date
    district: Division
    towns: dict[str, DemoTown]
    system: User
    password: str
    out: Callable[[str], None] = print
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    _password_hash: str = field(default="", repr=False)

    @property
    def password_hash(self) -> str:
        """Hash of `password`, computed on first use (argon2 takes most of a second)."""
        if not self._password_hash:
            from django.contrib.auth.hashers import make_password

            self._password_hash = make_password(self.password)
        return self._password_hash

    @property
    def boli(self) -> DemoTown:
        return self.towns["boli"]

    @property
    def xinan(self) -> DemoTown:
        return self.towns["xinan"]

    def rng_for(self, name: str) -> random.Random:
        """A random stream of your own, fixed by the demo seed and `name`."""
        return random.Random(f"{self.seed}:{name}")

    def faker_for(self, name: str) -> Faker:
        # One instance reseeded per name: building a Faker (its providers) costs more than the names it makes.
        fk = self.__dict__.get("_named_faker")
        if fk is None:
            fk = self.__dict__["_named_faker"] = Faker("zh_CN")
        fk.seed_instance(f"{self.seed}:{name}")
        return fk

    def past(self, rng: random.Random, *, days: int = 365) -> dt.datetime:
        """A moment in the last `days` days before `now`, on a weekday between 09:00 and 17:30 Shanghai time
        (when staff work), for history such as reports, meetings and inspections."""
        from django.utils import timezone

        local_now = timezone.localtime(self.now)
        for _i in range(100):
            day = local_now.date() - dt.timedelta(days=rng.randint(0, days))
            moment = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 510))
            aware = timezone.make_aware(moment)
            if day.weekday() < 5 and aware <= self.now:
                return aware
        return self.now

    def add_login(self, persona: str, username: str, where: str = "") -> None:
        self.logins.append((persona, username, where))

    def bulk_create(self, objs: Sequence[models.Model] | Iterable[models.Model], *,
                    batch_size: int = 1000, keep_times: bool = False) -> list[Any]:
        """Insert rows of one model in batches and add an audit "create" record for each (actor: system).
        `keep_times`: rows of past history keep the created_at/updated_at set on them."""
        objs = list(objs)
        if not objs:
            return objs
        model = type(objs[0])
        if can_fast_insert(model, objs):  # the seed inserts ~400,000 rows: skip bulk_create's per-value compiler
            fast_insert(model, objs, keep_times=keep_times)
            created = objs
        else:
            created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        audit.record_many(created, "create", actor=self.system)
        return created
