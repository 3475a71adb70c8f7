"""Bench: `gridgov demo` for both towns on a fresh database, against the 60 s target (issue 2).

    python bench/bench_demo.py                      # fresh SQLite file in a temporary GRIDGOV_HOME
    python bench/bench_demo.py --postgres postgres://postgres@127.0.0.1:5432/gg_demo_bench
                                                    # also on PostgreSQL (that database is dropped and recreated)

Prints the wall-clock seconds of the first run (build) and of a second run (idempotent: nothing to do), the ratio
of the first run to the target, and the CPU seconds of the gridgov process with the machine's load average (on a
shared machine the wall clock mostly measures waiting). Exit status 1 when the first run misses the target.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

TARGET_S = 60.0


def gridgov(env: dict[str, str], *args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gridgov.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {name!r}: name a bench database of your own")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def bench(label: str, env: dict[str, str]) -> bool:
    gridgov(env, "migrate", "-v0")
    cpu0 = cpu_of_children()
    first = gridgov(env, "demo", "--foundation-only")
    cpu = cpu_of_children() - cpu0  # of the gridgov process only: the database server's work is not in it
    full = gridgov(env, "demo")  # the apps' seeds on top of the foundation (nothing more once they ran)
    again = gridgov(env, "demo")
    total = first + full
    print(f"{label:<11} first run {first:6.1f} s (foundation) + {full:5.1f} s (app seeds) = {total:6.1f} s, "
          f"second run {again:5.1f} s (idempotent) | ratio to {TARGET_S:.0f} s target: {total / TARGET_S:.2f} "
          f"| foundation CPU {cpu:.1f} s, load average {os.getloadavg()[0]:.1f}")
    return total < TARGET_S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", ""),
                        help="also bench on this PostgreSQL database (dropped and recreated first)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-demo-") as home:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"GRIDGOV_HOME": home}
        ok &= bench("SQLite", env)
        if args.postgres:
            fresh_postgres(args.postgres)
            ok &= bench("PostgreSQL", env | {"DATABASE_URL": args.postgres})
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
