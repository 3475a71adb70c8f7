"""Working-day deadlines (issue 14): ≥ 100,000 deadlines a second for day limits of 1–250 working days.

    .venv/bin/python bench/bench_calendar.py        # BENCH_N=200000 deadlines per figure

On a fresh PostgreSQL database (BENCH_CALENDAR_DATABASE_URL, default gg_bench_calendar) with one town's own
working hours and a few holiday overrides, times `gridgov.cases.deadlines.add_working_time` (what the case
engine calls, with a town) and `gridgov.core.calendar.add_working_time` (default hours) on random starts in
2025–2027 and random limits of 1–250 working days; for reference also limits of 1–40 working hours. The
calendar is warm (each year's table loaded once) as it is in a serving process; the best of 3 rounds counts.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from _cases_seed import setup_django

DB_URL = os.environ.get("BENCH_CALENDAR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_calendar")
N = int(os.environ.get("BENCH_N", "200000"))
TARGET = 100_000
TOWN = "370211107000"


def rate(label: str, fn: Callable[[dt.datetime, int], object], starts: list[dt.datetime],
         amounts: list[int]) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for s, a in zip(starts, amounts, strict=True):
            fn(s, a)
        best = min(best, time.perf_counter() - t0)
    per_s = len(starts) / best
    print(f"{label:<62} {per_s:>10,.0f} /s  ({best / len(starts) * 1e6:5.2f} µs each)")
    return per_s


def main() -> None:
    setup_django(DB_URL)
    from gridgov.cases import deadlines
    from gridgov.core import calendar
    from gridgov.core.models import WorkdayOverride, WorkingHoursConfig

    WorkingHoursConfig.objects.create(jurisdiction=TOWN, periods="08:30-12:00,14:00-18:00")
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 27), is_working_day=False, note="台风停工")
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 28), is_working_day=True, note="调休")

    rnd = random.Random(14)
    sh = ZoneInfo("Asia/Shanghai")
    base = dt.datetime(2025, 1, 1, tzinfo=sh)
    starts = [base + dt.timedelta(minutes=rnd.randrange(3 * 365 * 24 * 60)) for _ in range(N)]
    days = [rnd.randint(1, 250) for _ in range(N)]
    hours = [rnd.randint(1, 40) for _ in range(N)]
    for s, a in zip(starts[:1000], days[:1000], strict=True):  # warm: every year's table loaded once
        deadlines.add_working_time(s, a, "days", town=TOWN)

    print(f"{N:,} random starts 2025–2027, best of 3 rounds, PostgreSQL calendar tables")
    town = rate("cases.deadlines.add_working_time, 1–250 days, a town's hours",
                lambda s, a: deadlines.add_working_time(s, a, "days", town=TOWN), starts, days)
    core = rate("core.calendar.add_working_time, 1–250 days, default hours",
                lambda s, a: calendar.add_working_time(s, a, "days"), starts, days)
    rate("cases.deadlines.add_working_time, 1–40 hours (reference)",
         lambda s, a: deadlines.add_working_time(s, a, "hours", town=TOWN), starts, hours)
    worst = min(town, core)
    print(f"day limits: {worst:,.0f} deadlines/s (target ≥ {TARGET:,}, {worst / TARGET:.2f}x)")


if __name__ == "__main__":
    main()
