"""Party demo seed figure (issue 4): both towns' 7,400+ members with a year of meetings, attendance and points
seeded in < 60 s. Prints the seconds and the ratio to the target.

    .venv/bin/python bench/bench_party_seed.py [--postgres postgres://postgres@127.0.0.1:5432/gg_party_bench]

Builds the foundation (`run_demo(with_apps=False)`) on a fresh SQLite file (or the given PostgreSQL database,
dropped and recreated), then times `gridgov.party.demo.seed(ctx)` alone, in one transaction as `gridgov demo`
runs it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

sys.path.insert(0, ".")
TARGET = 60.0


def main() -> None:
    pg = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    if pg:
        import psycopg

        base, name = pg.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = pg
    else:
        os.environ["GRIDGOV_SQLITE"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    import random

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from faker import Faker

    from gridgov.demo import run_demo, runner
    from gridgov.demo.context import DemoContext
    from gridgov.party import demo
    from gridgov.party.models import Attendance, Meeting, Member, PartyOrganisation, PointEntry

    call_command("migrate", verbosity=0)
    run_demo(with_apps=False, out=lambda s: None)
    now = timezone.now()
    towns = {k: runner.load_town(k) for k in ("boli", "xinan")}
    ctx = DemoContext(seed=runner.DEMO_SEED, rng=random.Random(1), faker=Faker("zh_CN"), now=now,
                      today=timezone.localdate(now), reference_date=now.date(), district=towns["boli"].division.parent,
                      towns=towns, system=runner.system_user(), password=runner.DEMO_PASSWORD, out=print)
    ctx.password_hash  # noqa: B018 — argon2 once, outside the timing (the foundation computes it too)
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction.atomic():
        demo.seed(ctx)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{PartyOrganisation.objects.count()} organisations, {Member.objects.count()} members, "
          f"{Meeting.objects.count()} meetings, {Attendance.objects.count()} check-ins, "
          f"{PointEntry.objects.count()} ledger lines")
    print(f"party seed ({'PostgreSQL' if pg else 'SQLite'}): {secs:.1f} s — ratio to the 60 s target: "
          f"{secs / TARGET:.2f}")
    # On a shared machine the wall clock waits for other processes; the CPU seconds of this process say what
    # the seed itself costs (with SQLite the database work runs in this process too).
    print(f"CPU seconds of this process: {cpu:.1f} s — ratio {cpu / TARGET:.2f}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
