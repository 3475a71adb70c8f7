"""Shared set-up of the case benches: a fresh PostgreSQL database, the test world plus 45 base grids and 15
departments, and N cases written by one INSERT … SELECT generate_series (server-side, no Python loop).

    BENCH_DATABASE_URL   default postgres://postgres@127.0.0.1:5432/gg_bench
    BENCH_CASES          number of cases (default 1,000,000; e.g. 100000 for a quick run)
    BENCH_REUSE=1        keep the seeded database as a PostgreSQL template (`<name>_tpl`) and start later runs
                         from a copy of it (CREATE DATABASE … TEMPLATE, then migrate): seeding 1,000,000 cases
                         once, not on every run
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench")
N_CASES = int(os.environ.get("BENCH_CASES", "1000000"))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")


def setup_django(db_url: str = DB_URL, fresh: bool = True) -> None:
    """Point Django at the bench database (re-created when `fresh`) and migrate it."""
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    admin_url = db_url.rsplit("/", 1)[0] + "/postgres"
    if fresh:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = db_url
    # The test settings: production's plus the tests' second flow (errands), which the sweep and inbox
    # benches seed beside the cases.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.test_settings")
    os.environ.setdefault("GRIDGOV_HOME", "/tmp/gg_bench_home")
    os.environ.setdefault("GRIDGOV_DEBUG", "0")
    os.environ.setdefault("GRIDGOV_SECRET_KEY", "bench-only-" + "x" * 50)  # production settings refuse none
    os.environ.setdefault("GRIDGOV_SSL_REDIRECT", "0")  # plain http on loopback: the TLS proxy in front redirects, not Django
    os.environ.setdefault("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def build(n_grids: int = 45, n_departments: int = 15) -> dict[str, Any]:
    """The test world (two towns, personas) plus more base grids and departments in 泊里镇."""
    from gridgov.cases.models import Category
    from gridgov.network.models import Department, Division, Level
    from gridgov.testing import build_world

    w = build_world()
    grids = [w.grid_a, w.grid_b]
    for i in range(3, n_grids + 1):
        code = f"370211107201001{i:03d}"
        grids.append(Division.objects.create(parent=w.region, level=Level.BASE_GRID, code=code, name=f"网格{i}",
                                             path=w.region.path + code + "/", town=w.town, grid_type="rural"))
    departments = [w.department] + [Department.objects.create(town=w.town, code=f"D{i:02d}", name=f"部门{i}")
                                    for i in range(2, n_departments + 1)]
    env = Category.objects.create(code="01", name="市容环境")
    cats = [Category.objects.create(code=f"01{i:02d}", name=f"小类{i}", parent=env, deadline_amount=5,
                                    deadline_unit="days") for i in range(1, 11)]
    return {"world": w, "grids": grids, "departments": departments, "categories": cats}


def _default_sql(field: Any) -> str:
    from django.db import models

    if field.null:
        return "NULL"
    if isinstance(field, models.BooleanField):
        return "false"
    if isinstance(field, models.IntegerField | models.FloatField):
        return "0"
    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    return "''"


def seed_cases(env: dict[str, Any], n: int, *, open_share: float = 0.1, overdue_share: float = 0.0,
               chunk: int = 250_000) -> float:
    """Insert `n` cases over the last 365 days: `open_share` still open (the rest closed, 80% on time),
    and among the open ones `overdue_share` past their step deadline and not yet marked. Rows are written in
    the order they were reported, as a live system writes them (the table's physical order follows time).
    Returns seconds."""
    from django.db import connection

    from gridgov.cases.models import Case

    grids = "ARRAY[" + ",".join(str(g.pk) for g in env["grids"]) + "]::bigint[]"
    deps = "ARRAY[" + ",".join(str(d.pk) for d in env["departments"]) + "]::bigint[]"
    cats = "ARRAY[" + ",".join(str(c.pk) for c in env["categories"]) + "]::bigint[]"
    town = env["world"].town.pk
    worker = env["world"].clerk.pk
    # r: a per-row random in [0,1); o: whether the row is open; c: created time
    exprs = {
        "version": "1", "created_at": "c", "updated_at": "c",
        "number": "'SJ' || lpad(g::text, 14, '0')", "kind": "CASE WHEN g % 10 = 0 THEN 'complaint' ELSE 'grid_event' END",
        "category_id": f"({cats})[1 + g % 10]", "title": "'暴露垃圾'", "lat": "35.905", "lon": "120.005",
        "grid_id": f"({grids})[1 + g % {len(env['grids'])}]", "town_id": str(town),
        "department_id": f"({deps})[1 + (g / 7) % {len(env['departments'])}]",
        "assignee_id": f"CASE WHEN g % 3 = 0 THEN {worker} ELSE NULL END",
        "channel": "'patrol'", "follow_token": "md5(g::text)",
        "stage": "CASE WHEN o THEN (ARRAY['reported','filed','dispatched','handling','verifying'])[1 + g % 5] "
                 "ELSE 'closed' END",
        "status": "CASE WHEN o THEN 'open' ELSE 'closed' END",
        "deadline": "c + interval '5 days'",
        "step_deadline": f"CASE WHEN NOT o THEN NULL WHEN r < {overdue_share} THEN now() - interval '1 hour' "
                         "ELSE now() + (r * interval '10 days') END",
        # Nothing is filed, dispatched or closed in the future: a case reported in the last hours is filed now.
        "filed_at": "LEAST(c + interval '30 minutes', now())", "dispatched_at": "LEAST(c + interval '1 hour', now())",
        "closed_at": "CASE WHEN o THEN NULL ELSE LEAST(c + interval '4 days', now()) END",
        "on_time": "CASE WHEN o THEN NULL ELSE r < 0.8 END",
        "dispatch_on_time": "r < 0.9", "verify_on_time": "CASE WHEN o THEN NULL ELSE r < 0.85 END",
        "response_on_time": "CASE WHEN g % 10 = 0 THEN r < 0.95 ELSE NULL END",
        "rework_count": "CASE WHEN r > 0.95 THEN 1 ELSE 0 END",
        "extension_count": "CASE WHEN r > 0.97 THEN 1 ELSE 0 END",
        "returned_count": "CASE WHEN r > 0.98 THEN 1 ELSE 0 END",
        "deferred": "false",
        "rating": "CASE WHEN g % 10 = 0 AND NOT o THEN 3 + (g % 3) ELSE NULL END",
    }
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key and not f.generated]
    cols = ", ".join(f'"{f.column}"' for f in fields)
    values = ", ".join(exprs.get(f.attname, _default_sql(f)) for f in fields)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for start in range(1, n + 1, chunk):
            stop = min(n, start + chunk - 1)
            cur.execute(f"""
                INSERT INTO {Case._meta.db_table} ({cols})
                SELECT {values} FROM (
                    SELECT g, r, (r2 < {open_share}) AS o,
                           now() - ((1 - g::float8 / {n}) * interval '365 days') - (r3 * interval '1 hour') AS c
                    FROM (SELECT g, random() AS r, random() AS r2, random() AS r3
                          FROM generate_series({start}, {stop}) AS g) s0) s""")
        # Steady state of a live system (autovacuum): statistics and the visibility map are current, so an
        # index-only scan (the capped counts) does not visit the table. VACUUM cannot run in a transaction.
        cur.execute(f"{'VACUUM ANALYZE' if connection.in_atomic_block is False else 'ANALYZE'} "
                    f"{Case._meta.db_table}")
    return time.perf_counter() - t0


def _admin_url(db_url: str) -> str:
    return db_url.rsplit("/", 1)[0] + "/postgres"


def prepared(label: str, n: int, seed: Any, db_url: str = DB_URL) -> tuple[dict[str, Any], float | None]:
    """The bench database with its world and `n` cases seeded by `seed(env, n)`. With BENCH_REUSE, a template
    labelled `label` and `n` is kept after the first run and copied on later ones (then migrated: new
    migrations apply to the copy). Returns (env, seconds seeding took, or None when copied)."""
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    tpl = f"{name}_tpl"
    tag = f"{label} n={n}"
    if REUSE:
        with psycopg.connect(_admin_url(db_url), autocommit=True) as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                               [tpl]).fetchone()
            if row and row[0] == tag:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
                setup_django(db_url, fresh=False)
                from django.core.management import call_command
                from django.db import connection
                from django.db.migrations.executor import MigrationExecutor

                executor = MigrationExecutor(connection)
                if executor.migration_plan(executor.loader.graph.leaf_nodes()):
                    call_command("migrate", verbosity=0)
                    _keep(db_url, name, tpl, tag)  # the next run copies the migrated database
                return reload_env(), None
    setup_django(db_url, fresh=True)
    env = build()
    seconds = seed(env, n)
    if REUSE:
        _keep(db_url, name, tpl, tag)
    return env, seconds


def _keep(db_url: str, name: str, tpl: str, tag: str) -> None:
    """Copy the bench database to the template `tpl` (Django reconnects on its next query)."""
    import psycopg
    from django.db import connection

    connection.close()
    with psycopg.connect(_admin_url(db_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{tpl}"')
        conn.execute(f'CREATE DATABASE "{tpl}" TEMPLATE "{name}"')
        conn.execute(f"COMMENT ON DATABASE \"{tpl}\" IS '{tag}'")


def reload_env() -> dict[str, Any]:
    """The `build()` result read back from a copied bench database."""
    from gridgov.accounts.models import User
    from gridgov.cases.models import Category
    from gridgov.network.models import Department, Division, Level
    from gridgov.testing import World

    d = {x.code: x for x in Division.objects.all()}
    deps = list(Department.objects.filter(town=d["370211107000"]).order_by("id"))
    w = World(d["370211"], d["370211107000"], d["370211107201"], d["370211107201001"], d["370211107201001001"],
              d["370211107201001002"], d["370211004000"], d["370211004001001001"], deps[0],
              Department.objects.get(town=d["370211004000"], code="D01"))
    w.people = {u.username: u for u in User.objects.all()}
    grids = sorted((x for x in d.values() if x.level == Level.BASE_GRID and x.town_id == w.town.pk),
                   key=lambda x: x.code)
    cats = list(Category.objects.filter(parent__code="01", code__startswith="01").order_by("code"))
    return {"world": w, "grids": grids, "departments": deps, "categories": cats}


def seed_errands(env: dict[str, Any], n: int, *, assignee: Any = None, overdue_share: float = 0.0,
                 chunk: int = 250_000) -> float:
    """Insert `n` open errands of the tests' second flow (gridgov/core/tests/flowapp), half 办理中 and half
    待验收, `overdue_share` past their step deadline; assigned to `assignee` (default the clerk). Seconds."""
    from django.db import connection

    from gridgov.core.tests.flowapp.models import Errand

    who = (assignee or env["world"].clerk).pk
    town = env["world"].town.pk
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for start in range(1, n + 1, chunk):
            stop = min(n, start + chunk - 1)
            cur.execute(f"""
                INSERT INTO {Errand._meta.db_table} (version, created_at, updated_at, stage, status, step_deadline,
                    overdue, urge_count, number, title, town_id, assignee_id, amount)
                SELECT 1, now(), now(), CASE WHEN g % 2 = 0 THEN 'doing' ELSE 'checking' END, 'open',
                       CASE WHEN r < {overdue_share} THEN now() - interval '1 hour'
                            ELSE now() + (r * interval '10 days') END,
                       false, 0, 'CS' || lpad(g::text, 14, '0'), '清点物资' || g, {town}, {who}, 0
                FROM (SELECT g, random() AS r FROM generate_series({start}, {stop}) AS g) s""")
        cur.execute(f"ANALYZE {Errand._meta.db_table}")
    return time.perf_counter() - t0
