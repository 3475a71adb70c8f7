"""Register list figures (issue 2): p95 < 50 ms for the resident list page and API on 100,000 residents.

    .venv/bin/python bench/bench_lists.py [--residents 100000] [--requests 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gg_bench .venv/bin/python bench/bench_lists.py

Creates a throw-away database (Django's test database: `test_<name>` on PostgreSQL, a temporary file for
SQLite), migrates it, seeds the two test towns of gridgov.testing plus 40 more base grids and N residents with
tags by bulk insert, then requests each list through the Django test client as the town leader (the widest
scope: every resident) and as a grid worker, and prints p50/p95 per variant and p95 against the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time

from _timing import p95, time_gets

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
os.environ.setdefault("GRIDGOV_DEBUG", "0")
os.environ.setdefault("GRIDGOV_SECRET_KEY", "bench-only-" + "x" * 50)  # production settings refuse none
os.environ.setdefault("GRIDGOV_SSL_REDIRECT", "0")  # plain http on loopback: the TLS proxy in front redirects, not Django

TARGET_MS = 50.0


def seed_residents(n: int, grids: list, town: object) -> None:
    """N residents by bulk insert, spread over `grids`, a third of them with a tag (the profile script too)."""
    from gridgov.core.validators import resident_id_check_char
    from gridgov.register.models import Resident, ResidentTag, Sex, Tag

    tags = list(Tag.values)
    start = dt.date(1940, 1, 1)
    batch = 5000
    for lo in range(0, n, batch):
        rows = []
        for i in range(lo, min(n, lo + batch)):
            birth = start + dt.timedelta(days=i % 25000)
            first17 = f"370211{birth:%Y%m%d}{i // 25000:02d}{(i % 5) * 2 + 1}"
            rows.append(Resident(name=f"居民{i}", id_number=first17 + resident_id_check_char(first17),
                                 sex=Sex.MALE if i % 2 else Sex.FEMALE, birth_date=birth, phone=f"138{i:08d}",
                                 address=f"泊里镇{i % 300}号", grid=grids[i % len(grids)], town=town))
        made = Resident.objects.bulk_create(rows, batch_size=batch)
        ResidentTag.objects.bulk_create([ResidentTag(resident=r, tag=tags[(r.pk or 0) % len(tags)]) for r in made
                                         if (r.pk or 0) % 3 == 0], batch_size=batch)


def seed(n: int) -> dict:
    from gridgov.network.models import Division, GridType, Level
    from gridgov.testing import build_world, square

    world = build_world()
    grids = [world.grid_a, world.grid_b]
    for i in range(40):
        code = f"{world.region.code}{i + 3:03d}"
        grids.append(Division.objects.create(
            parent=world.region, level=Level.BASE_GRID, code=code, name=f"网格{i + 3}", path=world.region.path + code + "/",
            town=world.town, grid_type=GridType.RURAL, polygon=square(120.0 + i * 0.001, 35.95, 0.001)))
    seed_residents(n, grids, world.town)
    return {"world": world, "grid": grids[5]}


def measure(client, url: str, requests: int) -> tuple[float, float, float]:
    """p50 and p95 of wall time, and p95 of this process's CPU time (the app's own cost: on a shared,
    loaded machine the wall time also holds the time spent waiting for a core)."""
    wall, cpu = time_gets(client, url, requests)
    return statistics.median(wall), p95(wall), p95(cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    # As served: no test instrumentation of template rendering (setup_test_environment would add it).
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tmp = tempfile.TemporaryDirectory()
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(tmp.name, "bench.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        t0 = time.perf_counter()
        data = seed(args.residents)
        with connection.cursor() as cur:
            # Steady state of a live system (autovacuum): statistics and the visibility map are current.
            cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(f"seeded {args.residents:,} residents on {connection.vendor} in {time.perf_counter() - t0:.1f} s")
        world, grid = data["world"], data["grid"]
        variants = [("first page", ""), ("grid", f"grid={grid.pk}"), ("tag", "tag=dibao"),
                    ("age", "age_min=60&age_max=70")]
        worst = worst_cpu = 0.0
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} core(s)")
        print(f"{'persona':<10} {'list':<5} {'filter':<11} {'p50 ms':>8} {'p95 ms':>8} {'p95/50ms':>9} "
              f"{'cpu p95':>8}")
        for persona in ("leader", "worker_a"):
            client = Client()
            client.force_login(world.people[persona])
            for kind, base in (("page", "/register/residents/?"), ("api", "/api/v1/register/residents?")):
                for label, query in variants:
                    if persona == "worker_a" and label == "grid":
                        query = f"grid={world.grid_a.pk}"
                    p50, p95, cpu95 = measure(client, base + query, args.requests)
                    worst, worst_cpu = max(worst, p95), max(worst_cpu, cpu95)
                    print(f"{persona:<10} {kind:<5} {label:<11} {p50:8.1f} {p95:8.1f} {p95 / TARGET_MS:9.2f} "
                          f"{cpu95:8.1f}")
        print(f"worst p95 {worst:.1f} ms = {worst / TARGET_MS:.2f} × the {TARGET_MS:.0f} ms target: "
              f"{'MET' if worst < TARGET_MS else 'NOT MET'} (worst CPU p95 {worst_cpu:.1f} ms)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        tmp.cleanup()


if __name__ == "__main__":
    main()
