"""`gridgov sweep` over 1,000,000 open items of three flows on PostgreSQL: < 5 s (issue 14).

BENCH_CASES open cases (default 800,000: grid events and complaints, two flows of one model) and BENCH_ERRANDS
open errands (default 200,000: the tests' second flow, its own model and table, gridgov/core/tests/flowapp).

    BENCH_CASES=80000 BENCH_ERRANDS=20000 .venv/bin/python bench/bench_sweep.py   # quick
    BENCH_OVERDUE=0.05 .venv/bin/python bench/bench_sweep.py                    # share newly overdue (0.01)

1. One sweep over everything, BENCH_OVERDUE of it past its step deadline: each flow's declared overdue
   transition applied in bulk (timeline, audit, notifications) in batches.  2. The same sweep again: nothing
   left to do (idempotent).  3. Another share of the cases made overdue, then 4 `gridgov sweep` processes at
   once: every case urged exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from _cases_seed import DB_URL, ROOT, prepared, seed_cases, seed_errands

N_CASES = int(os.environ.get("BENCH_CASES", "800000"))
N_ERRANDS = int(os.environ.get("BENCH_ERRANDS", "200000"))

OVERDUE = float(os.environ.get("BENCH_OVERDUE", "0.01"))


def main() -> None:
    def seed(env, n):
        from gridgov.accounts.models import RoleAssignment
        from gridgov.accounts.roles import Role

        RoleAssignment.objects.create(user=env["world"].admin, role=Role.DEPT_STAFF,
                                      department=env["departments"][1])
        return (seed_cases(env, n, open_share=1.0, overdue_share=OVERDUE)
                + seed_errands(env, N_ERRANDS, overdue_share=OVERDUE))

    env, seconds = prepared(f"sweep, overdue {OVERDUE}, errands {N_ERRANDS}", N_CASES, seed)
    from django.db import connection
    from django.db.models import Max

    from gridgov.cases.models import Case, CaseEvent
    from gridgov.core.flow.sweep import sweep as case_sweep
    from gridgov.core.tests.flowapp.models import Errand

    due = Case.objects.filter(step_deadline__lt=time_now()).count()
    errands_due = Errand.objects.filter(step_deadline__lt=time_now()).count()
    print(f"{N_CASES:,} open cases ({due:,} past their step deadline) and {N_ERRANDS:,} open errands "
          f"({errands_due:,} past theirs) = {N_CASES + N_ERRANDS:,} items "
          + (f"seeded in {seconds:.1f} s" if seconds is not None else "copied from the kept template"))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    t0 = time.perf_counter()
    result = case_sweep()
    first = time.perf_counter() - t0
    print(f"sweep 1: marked {result.marked:,} ({', '.join(f'{k} {v:,}' for k, v in result.by_model.items())}) "
          f"in {result.batches} batch(es), {result.notified} notification(s): "
          f"{first:.2f} s  target < 5 s  ratio {5 / first:.2f}x")
    t0 = time.perf_counter()
    again = case_sweep()
    second = time.perf_counter() - t0
    print(f"sweep 2 (nothing new): marked {again.marked}: {second * 1000:.0f} ms")

    # Concurrency: another share becomes overdue; 4 processes sweep at once.
    with connection.cursor() as cur:
        cur.execute(f"UPDATE cases_case SET step_deadline = now() - interval '1 minute' WHERE id IN "
                    f"(SELECT id FROM cases_case WHERE NOT overdue ORDER BY id LIMIT {max(due, 1000)})")
        expected = cur.rowcount
    envs = dict(os.environ, DATABASE_URL=DB_URL, PYTHONPATH=ROOT)
    gridgov = os.path.join(os.path.dirname(sys.executable), "gridgov")
    t0 = time.perf_counter()
    procs = [subprocess.Popen([gridgov, "sweep", "--batch", "2000"], env=envs, stdout=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate()[0].strip() for p in procs]
    wall = time.perf_counter() - t0
    marked = sum(int(o.split("sweep: ")[1].split(" ")[0]) for o in outs if " case(s) marked" in o)
    max_urges = Case.objects.aggregate(m=Max("urge_count"))["m"]
    events = CaseEvent.objects.filter(transition="urge").count()
    cases_marked = result.by_model.get("cases.case", 0)
    print(f"4 concurrent sweeps: {' | '.join(o.split(', ')[0] for o in outs)}; wall {wall:.2f} s")
    print(f"  expected {expected:,}, marked {marked:,}, most urges on one case {max_urges}, "
          f"timeline entries {events:,} (= {cases_marked + marked:,}): "
          f"{'OK' if marked == expected and max_urges == 1 and events == cases_marked + marked else 'WRONG'}")


def time_now():
    from django.utils import timezone

    return timezone.now()


if __name__ == "__main__":
    main()
