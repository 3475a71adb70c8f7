"""Rankings and the compliance board over all branches of both towns (issue 4): p95 < 100 ms each.

    .venv/bin/python bench/bench_party_board.py [ROUNDS]

Uses the database of the environment with the party demo seeded (`gridgov demo`), as a user who sees both
towns, and prints p50/p95 per read and the ratio of p95 to the 100 ms target.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, ".")
TARGET_MS = 100.0


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.party import selectors
    from gridgov.party.models import PartyOrganisation, PointYear

    user = User(pk=None, username="bench", is_superuser=True, is_active=True)  # sees both towns
    year = timezone.localdate().year
    branches = PartyOrganisation.objects.filter(kind__in=("branch", "general_branch")).count()
    reads = {
        "compliance board (all branches)": lambda: selectors.compliance_board(user=user, year=year),
        "compliance board (last year)": lambda: selectors.compliance_board(user=user, year=year - 1),
        "branch ranking": lambda: selectors.branch_ranking(user=user, year=year),
        "town ranking": lambda: selectors.town_ranking(user=user, year=year),
        "member ranking top 100": lambda: list(selectors.member_ranking(user=user, year=year)[:100]),
    }
    print(f"{branches} branches, {PointYear.objects.filter(year=year).count()} member scores in {year}")
    for name, fn in reads.items():
        fn()  # warm
        times, cpus = [], []
        for _ in range(rounds):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
        times.sort()
        cpus.sort()
        p95, cpu95 = times[int(0.95 * (len(times) - 1))], cpus[int(0.95 * (len(cpus) - 1))]
        print(f"{name:34s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  "
              f"ratio to 100 ms: {p95 / TARGET_MS:.2f}  (CPU p95 {cpu95:.1f} ms)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
