"""CPU cost of the list pages, per request, on SQLite: the register lists at 100,000 residents and the case
list and work queues at 1,000,000 cases.

    .venv/bin/python bench/profile_list_page.py                       # seed (once) and measure every page
    .venv/bin/python bench/profile_list_page.py --rounds 5            # more samples
    .venv/bin/python bench/profile_list_page.py --profile residents   # cProfile of one page (a label below)
    .venv/bin/python bench/profile_list_page.py --cases 100000 --db /tmp/small.sqlite3   # quick

The database is a file (default /tmp/gg_pages_bench.sqlite3) seeded once and reused by later runs while its
sizes match (--fresh seeds again). Each page is requested through Django's test client with DEBUG off, after a
warm-up; the figures are this process's CPU time (time.process_time: a loaded machine does not inflate them),
split into the time spent inside SQL statements (SQLite runs in this process) and the rest (Django on the
Python side). Queries are counted at 20 and 100 rows per page: they must not grow with the page size.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PAGES = [  # label, persona, url
    ("residents", "leader", "/register/residents/"),
    ("residents-worker", "worker_a", "/register/residents/"),
    ("residents-rows", "leader", "/register/residents/?page=2&hx"),
    ("households", "leader", "/register/households/"),
    ("enterprises", "leader", "/register/enterprises/"),
    ("cases", "admin", "/cases/"),
    ("queue-file", "admin", "/cases/?queue=file"),
    ("queue-dispatch", "admin", "/cases/?queue=dispatch"),
    ("queue-handle", "clerk", "/cases/?queue=handle"),
    ("queue-verify", "worker_a", "/cases/?queue=verify"),
    ("cases-rows", "admin", "/cases/?page=2&hx"),
]


def setup(db: str, fresh: bool) -> bool:
    """Point Django at the SQLite file `db`; migrate it when it is new. Returns whether it must be seeded."""
    if fresh and os.path.exists(db):
        for suffix in ("", "-wal", "-shm", ".json"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
    new = not os.path.exists(db + ".json")
    os.environ["GRIDGOV_SQLITE"] = db
    os.environ.setdefault("GRIDGOV_HOME", "/tmp/gg_pages_home")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    os.environ["GRIDGOV_DEBUG"] = "0"
    os.environ.setdefault("GRIDGOV_SECRET_KEY", "bench-only-" + "x" * 50)  # production settings refuse none
    os.environ.setdefault("GRIDGOV_SSL_REDIRECT", "0")  # plain http on loopback: the TLS proxy in front redirects, not Django
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if new:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return new


def seed_register(env: dict[str, Any], residents: int, households: int, enterprises: int) -> None:
    """Residents (a third with a tag), households and enterprises spread over the bench grids of 泊里镇."""
    from bench_lists import seed_residents

    from gridgov.core.validators import credit_code_check_char, org_code_check_char
    from gridgov.register.models import Enterprise, Household

    world, grids = env["world"], env["grids"]
    seed_residents(residents, grids, world.town)
    batch = 5000
    Household.objects.bulk_create([Household(number=f"H{i:06d}", address=f"泊里镇{i % 300}号",
                                             grid=grids[i % len(grids)], town=world.town)
                                   for i in range(households)], batch_size=batch)

    def credit_code(n: int) -> str:
        org8 = f"MB{n:06d}"
        first17 = "91370211" + org8 + org_code_check_char(org8)
        return first17 + credit_code_check_char(first17)

    deps = env["departments"]
    Enterprise.objects.bulk_create([Enterprise(
        name=f"企业{i}", credit_code=credit_code(i), industry="制造业", scale="small", legal_representative="法人",
        legal_rep_phone="13900000000", address="地址", lat=35.905, lon=120.005, grid=grids[i % len(grids)],
        town=world.town, department=deps[i % len(deps)], is_key=i % 7 == 0) for i in range(enterprises)],
        batch_size=batch)


def seed_cases_sqlite(env: dict[str, Any], n: int, *, open_share: float = 0.1, chunk: int = 200_000) -> None:
    """bench/_cases_seed.seed_cases for SQLite: one INSERT … SELECT over a recursive counter per chunk."""
    from django.db import connection, models

    from gridgov.cases.models import Case

    def pick(pks: list[int], expr: str) -> str:
        return f"json_extract('{json.dumps(pks)}', '$[' || ({expr}) || ']')"

    def ts(jd: str) -> str:
        return f"strftime('%Y-%m-%d %H:%M:%f', {jd})"

    now = time.time() / 86400 + 2440587.5  # Julian day, UTC
    grids = [g.pk for g in env["grids"]]
    deps = [d.pk for d in env["departments"]]
    cats = [c.pk for c in env["categories"]]
    exprs = {
        "version": "1", "created_at": ts("c"), "updated_at": ts("c"),
        "number": "'SJ' || printf('%014d', g)",
        "kind": "CASE WHEN g % 10 = 0 THEN 'complaint' ELSE 'grid_event' END",
        "category_id": pick(cats, "g % 10"), "title": "'暴露垃圾'", "lat": "35.905", "lon": "120.005",
        "grid_id": pick(grids, f"g % {len(grids)}"), "town_id": str(env["world"].town.pk),
        "department_id": pick(deps, f"(g / 7) % {len(deps)}"),
        "assignee_id": f"CASE WHEN g % 3 = 0 THEN {env['world'].clerk.pk} ELSE NULL END",
        "channel": "'patrol'", "follow_token": "'t' || g",
        "stage": "CASE WHEN o THEN (CASE g % 5 WHEN 0 THEN 'reported' WHEN 1 THEN 'filed' WHEN 2 THEN 'dispatched' "
                 "WHEN 3 THEN 'handling' ELSE 'verifying' END) ELSE 'closed' END",
        "status": "CASE WHEN o THEN 'open' ELSE 'closed' END",
        "deadline": ts("c + 5"),
        "step_deadline": f"CASE WHEN NOT o THEN NULL ELSE {ts(f'{now} + r * 10')} END",
        "filed_at": ts("c + 1.0 / 48"), "dispatched_at": ts("c + 1.0 / 24"),
        "closed_at": f"CASE WHEN o THEN NULL ELSE {ts('c + 4')} END",
        "on_time": "CASE WHEN o THEN NULL ELSE r < 0.8 END",
        "dispatch_on_time": "r < 0.9", "verify_on_time": "CASE WHEN o THEN NULL ELSE r < 0.85 END",
        "response_on_time": "CASE WHEN g % 10 = 0 THEN r < 0.95 ELSE NULL END",
        "rework_count": "CASE WHEN r > 0.95 THEN 1 ELSE 0 END",
        "extension_count": "CASE WHEN r > 0.97 THEN 1 ELSE 0 END",
        "returned_count": "CASE WHEN r > 0.98 THEN 1 ELSE 0 END",
        "deferred": "g % 97 = 0",
        "rating": "CASE WHEN g % 10 = 0 AND NOT o THEN 3 + (g % 3) ELSE NULL END",
    }

    def default(f: Any) -> str:
        if f.null:
            return "NULL"
        if isinstance(f, models.BooleanField | models.IntegerField | models.FloatField):
            return "0"
        return "'{}'" if isinstance(f, models.JSONField) else "''"

    fields = [f for f in Case._meta.concrete_fields if not f.primary_key and not f.generated]
    cols = ", ".join(f'"{f.column}"' for f in fields)
    values = ", ".join(exprs.get(f.attname, default(f)) for f in fields)
    rnd = "(abs(random()) % 1000000) / 1000000.0"
    with connection.cursor() as cur:
        for lo in range(1, n + 1, chunk):
            hi = min(n, lo + chunk - 1)
            cur.execute(f"""
                INSERT INTO {Case._meta.db_table} ({cols})
                SELECT {values} FROM (
                    SELECT g, r, (r2 < {open_share}) AS o, {now} - (1 - g * 1.0 / {n}) * 365 - r3 / 24.0 AS c
                    FROM (WITH RECURSIVE s(g) AS (SELECT {lo} UNION ALL SELECT g + 1 FROM s WHERE g < {hi})
                          SELECT g, {rnd} AS r, {rnd} AS r2, {rnd} AS r3 FROM s))""")


def seed(db: str, args: argparse.Namespace) -> dict[str, Any]:
    from _cases_seed import build
    from django.db import connection

    t0 = time.perf_counter()
    env = build()
    seed_register(env, args.residents, args.households, args.enterprises)
    seed_cases_sqlite(env, args.cases)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    with open(db + ".json", "w") as f:
        json.dump(_sizes(args), f)
    print(f"seeded {_sizes(args)} in {time.perf_counter() - t0:.0f} s")
    return env


def _sizes(args: argparse.Namespace) -> dict[str, int]:
    return {"residents": args.residents, "households": args.households, "enterprises": args.enterprises,
            "cases": args.cases}


class SqlTimer:
    """Counts statements and the CPU time spent executing them (SQLite runs inside this process)."""

    def __init__(self) -> None:
        self.cpu = 0.0
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        c0 = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.cpu += time.process_time() - c0
            self.count += 1


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def _get(client: Any, url: str) -> Any:
    hx = url.endswith("&hx")
    resp = client.get(url.removesuffix("&hx"), **({"HTTP_HX_REQUEST": "true"} if hx else {}))
    assert resp.status_code == 200, (url, resp.status_code)
    return resp


def sample(client: Any, url: str, requests: int, into: dict[str, list[float]]) -> None:
    """`requests` requests of `url` after a warm-up: CPU, SQL CPU and wall ms of each, appended to `into`."""
    from django.db import connection

    _get(client, url)  # warm-up
    for _ in range(requests):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            t0, c0 = time.perf_counter(), time.process_time()
            _get(client, url)
            into["cpu"].append((time.process_time() - c0) * 1000)
            into["wall"].append((time.perf_counter() - t0) * 1000)
        into["sql"].append(timer.cpu * 1000)


def summary(s: dict[str, list[float]]) -> dict[str, float]:
    py = [c - q for c, q in zip(s["cpu"], s["sql"], strict=True)]
    return {"cpumin": min(s["cpu"]), "cpu50": statistics.median(s["cpu"]), "cpu95": _p95(s["cpu"]),
            "sql50": statistics.median(s["sql"]), "py50": statistics.median(py), "py95": _p95(py),
            "wall95": _p95(s["wall"])}


def queries_at(client: Any, url: str, size: int) -> int:
    from django.db import connection

    timer = SqlTimer()
    sep = "&" if "?" in url else "?"
    with connection.execute_wrapper(timer):
        _get(client, url.replace("&hx", "") + f"{sep}size={size}" + ("&hx" if url.endswith("&hx") else ""))
    return timer.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/gg_pages_bench.sqlite3")
    parser.add_argument("--fresh", action="store_true", help="seed again even if the file matches")
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--enterprises", type=int, default=5_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="requests per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="cProfile this page (a label) instead of measuring all")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key for --profile")
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args()

    sizes_file = args.db + ".json"
    fresh = args.fresh or (os.path.exists(sizes_file) and json.load(open(sizes_file)) != _sizes(args))
    if setup(args.db, fresh):
        seed(args.db, args)
    from _cases_seed import reload_env
    from django.test import Client

    world = reload_env()["world"]
    clients: dict[str, Client] = {}

    def client(persona: str) -> Client:
        if persona not in clients:
            clients[persona] = Client()
            clients[persona].force_login(world.people[persona])
        return clients[persona]

    pages = [p for p in PAGES if not args.profile or p[0] == args.profile]
    if not pages:
        sys.exit(f"no page {args.profile!r}; one of {', '.join(p[0] for p in PAGES)}")
    if args.profile:
        label, persona, url = pages[0]
        c = client(persona)
        _get(c, url)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.requests):
            _get(c, url)
        prof.disable()
        print(f"{label}: {persona} {url}, {args.requests} requests")
        pstats.Stats(prof).strip_dirs().sort_stats(args.sort).print_stats(args.lines)
        return
    load = os.getloadavg()[0]
    samples: dict[str, dict[str, list[float]]] = {p[0]: {"cpu": [], "sql": [], "wall": []} for p in pages}
    for _ in range(args.rounds):  # rounds interleave the pages: a burst of load on the machine hits them all
        for label, persona, url in pages:
            sample(client(persona), url, args.requests, samples[label])
    print(f"{_sizes(args)} on SQLite; load average {load:.1f}–{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"{args.rounds} × {args.requests} requests per page; CPU ms per request")
    print(f"{'page':<17} {'persona':<9} {'cpu min':>8} {'cpu p50':>8} {'cpu p95':>8} {'sql p50':>8} {'py p50':>7} "
          f"{'py p95':>7} {'wall p95':>9} {'queries 20/100 rows':>20}")
    for label, persona, url in pages:
        c = client(persona)
        m = summary(samples[label])
        q20, q100 = queries_at(c, url, 20), queries_at(c, url, 100)
        print(f"{label:<17} {persona:<9} {m['cpumin']:8.1f} {m['cpu50']:8.1f} {m['cpu95']:8.1f} {m['sql50']:8.1f} "
              f"{m['py50']:7.1f} {m['py95']:7.1f} {m['wall95']:9.1f} {q20:>10}/{q100}")


if __name__ == "__main__":
    main()
