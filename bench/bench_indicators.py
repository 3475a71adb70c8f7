"""Indicators by grid × month over BENCH_CASES cases (default 1,000,000) on PostgreSQL: < 500 ms and within
1.5× of one hand-written SQL GROUP BY over the same data (issue 3).

    BENCH_CASES=100000 .venv/bin/python bench/bench_indicators.py      # quick
    .venv/bin/python bench/bench_indicators.py                         # full size

Times `case_indicators(by="grid_month")` (the page's and the API's selector: one GROUP BY with conditional
counts, 立案数 included, then the labels) and its query alone, against hand-written SQL computing the same
应结案 counts; checks that the numbers agree. Medians of 5 interleaved runs after one warm-up each.
"""

from __future__ import annotations

import statistics
import time

from _cases_seed import N_CASES, build, seed_cases, setup_django

RUNS = 5


def interleaved(fns: dict[str, object]) -> dict[str, tuple[float, object]]:
    """Median ms of each function, run in turn (a, b, c, a, b, c, …) so that a shared machine's changing
    load falls on all of them alike; one warm-up each first."""
    results: dict[str, object] = {name: fn() for name, fn in fns.items()}
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(RUNS):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            results[name] = fn()
            samples[name].append((time.perf_counter() - t0) * 1000)
    return {name: (statistics.median(samples[name]), results[name]) for name in fns}


HAND_SQL = """
SELECT grid_id, date_trunc('month', deadline AT TIME ZONE 'Asia/Shanghai') AS month,
       count(*) AS due,
       count(*) FILTER (WHERE closed_at IS NOT NULL) AS closed,
       count(*) FILTER (WHERE closed_at IS NOT NULL AND on_time) AS closed_on_time,
       count(*) FILTER (WHERE deferred) AS deferred,
       count(*) FILTER (WHERE rework_count > 0) AS reworked,
       count(*) FILTER (WHERE extension_count > 0) AS extended,
       count(*) FILTER (WHERE dispatch_on_time) AS dispatched_on_time,
       count(*) FILTER (WHERE dispatched_at IS NOT NULL AND returned_count = 0) AS dispatched_accurately,
       count(*) FILTER (WHERE verify_on_time) AS verified_on_time,
       count(*) FILTER (WHERE kind = 'complaint') AS complaints,
       count(*) FILTER (WHERE kind = 'complaint' AND response_on_time) AS responded,
       count(*) FILTER (WHERE kind = 'complaint' AND closed_at IS NOT NULL AND on_time) AS solved,
       count(*) FILTER (WHERE kind = 'complaint' AND rating IS NOT NULL) AS rated,
       count(*) FILTER (WHERE kind = 'complaint' AND rating >= 4) AS satisfied
FROM cases_case
WHERE town_id = %s AND deadline >= %s AND deadline < %s AND NOT voided AND merged_into_id IS NULL
GROUP BY 1, 2 ORDER BY 1, 2
"""


def main() -> None:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from gridgov.cases.indicators import Period, case_indicators, counts_query
    from gridgov.cases.models import Case

    env = build()
    seconds = seed_cases(env, N_CASES)
    print(f"seeded {N_CASES:,} cases in {seconds:.1f} s")
    leader = env["world"].leader
    period = Period.parse(None, None)
    now = timezone.now()
    lo, hi = period.bounds()

    def hand():
        with connection.cursor() as cur:
            cur.execute(HAND_SQL, [env["world"].town.pk, lo, min(hi, now)])
            return cur.fetchall()

    base = Case.objects.restrict(leader, "view")
    r = interleaved({
        "sql": hand,
        "main": lambda: list(counts_query(base, "grid_month", period, now, with_filed=False)),
        "rates": lambda: case_indicators(user=leader, by="grid_month", period=period, now=now, with_filed=False),
        "full": lambda: case_indicators(user=leader, by="grid_month", period=period, now=now),
    })
    (sql_ms, hand_rows), (main_ms, _rows) = r["sql"], r["main"]
    (rates_ms, result), (full_ms, full) = r["rates"], r["full"]
    agree = [(r["key"]["grid_id"], r["key"]["month"], r["counts"]["due"], r["counts"]["closed_on_time"])
             for r in result["rows"]] == [(g, m.strftime("%Y-%m"), d, ot) for g, m, d, _c, ot, *_ in hand_rows]
    agree_full = [r["counts"]["due"] for r in full["rows"] if r["counts"]["due"]] == [r[2] for r in hand_rows]
    print(f"grid × month groups: {len(result['rows'])}; every count agrees with the hand-written SQL: "
          f"{agree and agree_full}")
    print(f"hand-written SQL GROUP BY: {sql_ms:.0f} ms")
    print(f"its ORM query in case_indicators: {main_ms:.0f} ms  ratio {main_ms / sql_ms:.2f}x (target ≤ 1.5x)")
    print(f"case_indicators(by='grid_month') whole call (query, labels, rates): {rates_ms:.0f} ms  "
          f"ratio {rates_ms / sql_ms:.2f}x (target ≤ 1.5x); target < 500 ms: {500 / rates_ms:.2f}x")
    print(f"  … with 立案数 in the same scan (page/API default): {full_ms:.0f} ms  ratio {full_ms / sql_ms:.2f}x")

if __name__ == "__main__":
    main()
