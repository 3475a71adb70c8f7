"""Queue and list pages at BENCH_CASES cases (default 1,000,000) on PostgreSQL: p95 < 50 ms, and SQL
queries per page independent of page size (issue 3).

    BENCH_CASES=100000 .venv/bin/python bench/bench_case_lists.py    # quick

10% of the cases are open. Each page and API list is requested BENCH_REQUESTS times (default 30) after a
warm-up, in process through Django's test client (the whole view, template or schema, no network), as the
person whose queue it is.
"""

from __future__ import annotations

import os
import statistics
import time

from _cases_seed import N_CASES, build, seed_cases, setup_django

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    env = build()
    seconds = seed_cases(env, N_CASES, open_share=0.1)
    print(f"seeded {N_CASES:,} cases (10% open) in {seconds:.1f} s")
    w = env["world"]
    clients = {}
    for key in ("admin", "clerk", "worker_a", "leader"):
        c = Client()
        c.force_login(w.people[key])
        clients[key] = c
    pages = [
        ("admin", "/cases/", "case list page (town)"),
        ("admin", "/cases/?queue=file", "queue 待立案 page"),
        ("admin", "/cases/?queue=dispatch", "queue 待派遣 page"),
        ("clerk", "/cases/?queue=handle", "queue 待处置 page (department)"),
        ("worker_a", "/cases/?queue=verify", "queue 待核查 page (grid)"),
        ("admin", "/api/v1/cases/cases?limit=50", "API list"),
        ("admin", "/api/v1/cases/cases?queue=dispatch&limit=50", "API queue 待派遣"),
        ("admin", "/api/v1/cases/cases/queues", "API queue counts"),
    ]
    worst = 0.0
    for who, url, label in pages:
        c = clients[who]
        r = c.get(url)
        if r.status_code != 200:
            print(f"{label}: HTTP {r.status_code} {url}")
            continue
        samples, cpu = [], []
        for _ in range(REQUESTS):
            t0, c0 = time.perf_counter(), time.process_time()
            c.get(url)
            samples.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        cpu.sort()
        samples.sort()
        p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
        worst = max(worst, p95)
        sizes = []
        for size in (20, 100):
            sep = "&" if "?" in url else "?"
            param = f"limit={size}" if "/api/" in url else f"size={size}"
            with CaptureQueriesContext(connection) as ctx:
                c.get(f"{url}{sep}{param}")
            sizes.append(len(ctx))
        print(f"{label:34s} p50 {statistics.median(samples):7.1f} ms  p95 {p95:7.1f} ms  "
              f"target < 50 ms ratio {50 / p95:5.2f}x  app CPU p95 {cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))]:6.1f} ms  "
              f"queries at 20/100 rows: {sizes[0]}/{sizes[1]}")
    print(f"worst p95: {worst:.1f} ms  (target < 50 ms, ratio {50 / worst:.2f}x); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
