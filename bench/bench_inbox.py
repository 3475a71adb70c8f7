"""我的待办 of a department clerk with about 10,000 open items across flows (PostgreSQL): p95 < 50 ms (issue 14).

The clerk (部门科员丁, 应急管理办公室) has the open cases dispatched to the office waiting in 待签收/处置中 (two
flows: grid events and complaints) and errands of the tests' second flow assigned to them, among BENCH_CASES
cases of the town (default 400,000, half open). Timed: GET /api/v1/inbox (first page of 50 and the count) and
the /inbox/ page, through Django's test client, after one warm-up request.

    .venv/bin/python bench/bench_inbox.py
    BENCH_REQUESTS=50 .venv/bin/python bench/bench_inbox.py
"""

from __future__ import annotations

import os

from _cases_seed import prepared, seed_cases, seed_errands
from _timing import queries_of, report, time_gets

N_CASES = int(os.environ.get("BENCH_CASES", "400000"))
N_ERRANDS = int(os.environ.get("BENCH_ERRANDS", "4700"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def main() -> None:
    def seed(env, n):
        return seed_cases(env, n, open_share=0.5) + seed_errands(env, N_ERRANDS)

    env, seconds = prepared(f"inbox, errands {N_ERRANDS}", N_CASES, seed)
    from django.db import connection
    from django.test import Client

    from gridgov.core.flow.inbox import inbox_count

    clerk = env["world"].clerk
    waiting = inbox_count(user=clerk, cap=1_000_000)
    print(f"{N_CASES:,} cases, {N_ERRANDS:,} errands; the clerk's inbox holds {waiting:,} open items "
          + (f"(seeded in {seconds:.1f} s)" if seconds is not None else "(copied from the kept template)"))
    with connection.cursor() as cur:
        # What autovacuum does to a table after a load: statistics, and the visibility map that lets the
        # inbox read its sort keys from the index alone (index-only scan).
        cur.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(clerk)
    for url in ("/api/v1/inbox", "/inbox/"):
        # the warm-up fills per-process tables and the user's assignments
        wall, cpu = time_gets(client, url, REQUESTS)
        report(f"GET {url}", wall, 50, cpu=cpu, queries=queries_of(client, url))


if __name__ == "__main__":
    main()
