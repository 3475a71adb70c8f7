"""Import figure (issue 2): 100,000 residents from .xlsx with validation in < 60 s and < 500 MB peak memory.

    .venv/bin/python bench/bench_import.py [N_ROWS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gg_imports .venv/bin/python bench/bench_import.py

Writes an .xlsx of N valid residents of one town (openpyxl write-only, streaming) with household numbers,
relations, tags and phones, then imports it in a child process into a fresh SQLite database (and a fresh
PostgreSQL database `<name>_bench` when DATABASE_URL is set) through `services.resident_import` — the
same path as the page, the API and `gridgov import`. Each child prints the import's wall time and the
process's peak resident memory (ru_maxrss, which includes Django and the migrations) as ratios to the targets.
The import's CPU time is printed too: on a machine shared with other work, wall time exceeds it by the load.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 60.0
TARGET_MB = 500.0
HEADER = ["姓名", "身份证号", "手机号", "网格代码", "户编号", "与户主关系", "住址", "标签"]
N_HOUSEHOLDS = 30_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
TAGS = ["", "", "", "", "党员", "低保", "独居老人", "残疾人、低保", "退役军人", "流动人口"]
RELATIONS = ["户主", "配偶", "子女", "父母", "其他"]


def _id(n: int) -> str:
    from gridgov.core.validators import resident_id_check_char

    # 370211 + a birth date between 1940 and 2015 + a 3-digit sequence: unique for n < 27,740,000
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=n % 27_740)
    first17 = f"370211{birth:%Y%m%d}{n // 27_740:03d}"
    return first17 + resident_id_check_char(first17)


def write_file(path: Path, n: int, grid_codes: list[str]) -> None:
    from openpyxl import Workbook

    rng = random.Random(42)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(HEADER)
    for i in range(n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 2 else "")
        hh = i % (N_HOUSEHOLDS + 10_000)
        household = f"H{hh:06d}" if hh < N_HOUSEHOLDS else ""
        ws.append([name, _id(i), f"13{rng.randrange(10**9):09d}", grid_codes[i % len(grid_codes)], household,
                   RELATIONS[i % 5] if household else "", f"泊里镇第{i % 400}号", TAGS[i % len(TAGS)]])
    wb.save(path)


def child(path: str) -> None:
    """Fresh database, one town with two base grids and 30,000 households, then the measured import."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from gridgov.register import services
    from gridgov.register.models import Household, Resident
    from gridgov.testing import build_world

    world = build_world()
    grids = [world.grid_a, world.grid_b]
    Household.objects.bulk_create(
        [Household(number=f"H{i:06d}", address=f"泊里镇第{i % 400}号", grid=grids[i % 2], town=world.town)
         for i in range(N_HOUSEHOLDS)], batch_size=5000)
    t0, c0 = time.perf_counter(), time.process_time()
    result = services.resident_import(acting_user=world.admin, file=path)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.error_count == 0, result.errors[:5]
    print(json.dumps({"rows": result.total_rows, "imported": result.imported, "seconds": seconds,
                      "cpu": cpu, "peak_mb": peak_mb, "count": Resident.objects.count()}))


def _fresh_pg(url: str) -> str:
    import psycopg

    base, _, name = url.rpartition("/")
    bench_name = (name or "gridgov") + "_bench"
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_name}"')
        conn.execute(f'CREATE DATABASE "{bench_name}"')
    return f"{base}/{bench_name}"


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "residents.xlsx"
        t0 = time.perf_counter()
        write_file(path, n, ["370211107201001001", "370211107201001002"])  # grids A and B of gridgov.testing
        print(f"wrote {n:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        targets = [("sqlite", {"GRIDGOV_SQLITE": str(Path(tmp) / "bench.sqlite3"), "DATABASE_URL": ""})]
        if os.environ.get("DATABASE_URL"):
            targets.append(("postgresql", {"DATABASE_URL": _fresh_pg(os.environ["DATABASE_URL"])}))
        for label, env in targets:
            out = subprocess.run([sys.executable, __file__, "--child", str(path)], env={**os.environ, **env,
                                 "GRIDGOV_HOME": tmp}, capture_output=True, text=True, cwd=ROOT)
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                raise SystemExit(f"{label}: import failed")
            r = json.loads(out.stdout.strip().splitlines()[-1])
            ok = r["seconds"] < TARGET_SECONDS and r["peak_mb"] < TARGET_MB
            print(f"{label:10s} imported {r['imported']:,} of {r['rows']:,} rows in {r['seconds']:.1f} s "
                  f"({r['seconds'] / TARGET_SECONDS:.2f} of the 60 s target; CPU {r['cpu']:.1f} s = "
                  f"{r['cpu'] / TARGET_SECONDS:.2f}), peak memory {r['peak_mb']:.0f} MB "
                  f"({r['peak_mb'] / TARGET_MB:.2f} of the 500 MB target) {'OK' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
