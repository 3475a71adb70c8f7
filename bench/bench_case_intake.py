"""Case intake through the API on a live server: ≥ 50% of the throughput of a no-op endpoint of the same
server under the same load, 32 concurrent clients, p99 < 100 ms (issue 3).

    .venv/bin/python bench/bench_case_intake.py          # BENCH_SECONDS=10 per phase, BENCH_CLIENTS=32

Serves gridgov with gunicorn (gthread; BENCH_WORKERS processes × BENCH_THREADS threads) on loopback
against PostgreSQL, then runs 32 clients (4 processes × 8 threads, keep-alive connections) for a bounded
time per phase: POST /bench/noop/ (the same middleware, no work) and POST /api/v1/cases/public/cases (the
public intake: locate, duplicate check, first step deadline, case number, timeline, audit, notifications).
Prints requests/s, p50/p99 and the ratio. A third phase, for reference and not the issue's figure: POST
/bench/noop-write/, the same middleware writing one row durably (one INSERT, committed before the answer);
intake over it says how far the intake is from the least a durable report costs on this machine. A fourth:
POST /bench/ninja-write, the least the prescribed stack (DESIGN.md: Django, django-ninja) does for a report:
the report's JSON validated against a schema, one row saved through the ORM in a transaction, the answer
rendered from a schema; the same body as the intake's.

Then, where pgbench is installed, the ceiling the database sets on its own: the statements of one intake
transaction (as the server sent them, captured from a report; the case id, number and follow token made
fresh per run) replayed by pgbench with 16 clients, no Python anywhere. Its transactions/s over the no-op's
requests/s is the ratio intake could reach if the Python side cost nothing (the seal after commit not
included).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

from _cases_seed import ROOT, setup_django

DB_URL = os.environ.get("BENCH_INTAKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_intake")
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
PROCS = 4
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
MAX_PER_CLIENT = 5000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client_proc(port: int, path: str, body_kind: str, threads: int, deadline: float, out: mp.Queue,
                points: list) -> None:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def run(seed: int) -> None:
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        for _ in range(MAX_PER_CLIENT):
            if time.time() >= deadline:
                break
            lat0, lon0 = points[rnd.randrange(len(points))]
            body = json.dumps({"category": "0102", "lat": lat0 + rnd.random() * 0.009,
                               "lon": lon0 + rnd.random() * 0.009, "description": "bench",
                               "force_new": True}) if body_kind == "intake" else "{}"
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status in (200, 201)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine.append((time.perf_counter() - t0) * 1000)
            bad += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    ts = [threading.Thread(target=run, args=(os.getpid() * 100 + i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((latencies, errors[0]))


def phase(port: int, path: str, kind: str, points: list) -> dict:
    out: mp.Queue = mp.Queue()
    start = time.time() + 0.5
    deadline = start + SECONDS
    per = CLIENTS // PROCS
    procs = [mp.Process(target=client_proc, args=(port, path, kind, per, deadline, out, points))
             for _ in range(PROCS)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    elapsed = SECONDS + 0.5 - 0.5  # clients stop at the deadline
    return {"n": len(lat), "errors": errors, "rps": len(lat) / elapsed, "p50": lat[len(lat) // 2],
            "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))]}


def intake_transaction_script(points: list) -> str:
    """A pgbench script of one intake's transaction (BEGIN … COMMIT) as the server sends it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    body = json.dumps({"category": "0102", "lat": points[0][0] + 0.001, "lon": points[0][1] + 0.001,
                       "description": "bench", "force_new": True})
    client.post("/api/v1/cases/public/cases", body, content_type="application/json")  # per-process tables
    with CaptureQueriesContext(connection) as ctx:
        answer = client.post("/api/v1/cases/public/cases", body, content_type="application/json").json()
    sqls = [q["sql"] for q in ctx.captured_queries]
    tx = sqls[sqls.index("BEGIN"):sqls.index("COMMIT") + 1]
    pk, number = str(answer["id"]), answer["number"]
    out = []
    for sql in tx:
        if sql.startswith("SELECT nextval("):
            out.append(sql + " AS cid \\gset")
            continue
        # Each run's own id, number and follow token (the rows go in as JSON parameters: pgbench substitutes
        # inside them, and a space keeps `":` from reading as a cast)
        sql = sql.replace(number, number[:-6] + " :cid")
        sql = re.sub(rf"(?<![\d.]){pk}(?![\d.])", " :cid", sql)
        sql = re.sub(r'"follow_token":"[A-Za-z0-9_-]{22}"', '"follow_token":"ft :cid"', sql)
        out.append(sql.replace("\n", " ") + ";")
    return "\n".join(out) + "\n"


def pgbench_ceiling(script: str) -> float | None:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        return None
    path = "/tmp/gg_bench_intake.sql"
    with open(path, "w") as f:
        f.write(script)
    host, name = DB_URL.split("@", 1)[1].split("/", 1)
    host, port = host.split(":")
    user = DB_URL.split("//", 1)[1].split("@", 1)[0]
    r = subprocess.run([pgbench, "-h", host, "-p", port, "-U", user, "-n", "-c", "16", "-j", "2", "-T",
                        str(int(SECONDS)), "-f", path, name], capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+)", r.stdout)
    if r.returncode != 0 or m is None:
        print("pgbench failed:", (r.stderr or r.stdout)[-500:])
        return None
    return float(m.group(1))


def intake_world() -> list[tuple[float, float]]:
    """The test world plus the category the clients report (暴露垃圾, 4 working hours, 应急管理办公室) and its
    dispatch rule; returns the south-west corners of grids A and B, where the clients pin their reports."""
    from gridgov.cases.models import Category, DispatchRule
    from gridgov.testing import build_world

    w = build_world()
    env_cat = Category.objects.create(code="01", name="市容环境")
    Category.objects.create(code="0102", name="暴露垃圾", parent=env_cat, deadline_amount=4, deadline_unit="hours",
                            department_name="应急管理办公室")
    DispatchRule.objects.create(town=w.town, category=env_cat, department=w.department)
    return [(35.9005, 120.0005), (35.9005, 120.0105)]


def main() -> None:
    setup_django(DB_URL)
    from gridgov.cases.models import Case

    points = intake_world()
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_noop_write (id bigserial PRIMARY KEY, "
                       "at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)")

    connections.close_all()

    port = free_port()
    env = dict(os.environ, DATABASE_URL=DB_URL, DJANGO_SETTINGS_MODULE="intake_settings",
               PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "bench"), ROOT]), GRIDGOV_DEBUG="0")
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "gridgov.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(WORKERS),
                               "-k", "gthread", "--threads", str(THREADS), "--keep-alive", "30",
                               "--log-level", "warning"], env=env, start_new_session=True)
    try:
        for _ in range(120):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("POST", "/bench/noop/", body="{}")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        # warm every worker and thread (imports, connections, the locator)
        phase_seconds = SECONDS
        globals()["SECONDS"] = 2.0
        phase(port, "/api/v1/cases/public/cases", "intake", points)
        globals()["SECONDS"] = phase_seconds
        noop = phase(port, "/bench/noop/", "noop", points)
        noop_write = phase(port, "/bench/noop-write/", "noop", points)
        ninja_write = phase(port, "/bench/ninja-write", "intake", points)
        before = Case.objects.count()
        intake = phase(port, "/api/v1/cases/public/cases", "intake", points)
        made = Case.objects.count() - before
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ceiling = pgbench_ceiling(intake_transaction_script(points))
    print(f"{CLIENTS} clients, {SECONDS:.0f} s per phase, gunicorn {WORKERS}×{THREADS} (gthread), PostgreSQL")
    print(f"no-op : {noop['rps']:7.1f} req/s  p50 {noop['p50']:6.1f} ms  p99 {noop['p99']:6.1f} ms  "
          f"errors {noop['errors']}")
    print(f"no-op writing one row: {noop_write['rps']:7.1f} req/s  p50 {noop_write['p50']:6.1f} ms  "
          f"p99 {noop_write['p99']:6.1f} ms  errors {noop_write['errors']}")
    print(f"the stack's least report (django-ninja schema in, one ORM row, schema out): {ninja_write['rps']:7.1f} "
          f"req/s  p50 {ninja_write['p50']:6.1f} ms  p99 {ninja_write['p99']:6.1f} ms  errors {ninja_write['errors']}")
    print(f"intake: {intake['rps']:7.1f} req/s  p50 {intake['p50']:6.1f} ms  p99 {intake['p99']:6.1f} ms  "
          f"errors {intake['errors']}  cases created {made}")
    ratio = intake["rps"] / noop["rps"]
    print(f"throughput ratio intake/no-op: {ratio:.2f} (target ≥ 0.50, {ratio / 0.5:.2f}x); "
          f"intake p99 {intake['p99']:.0f} ms (target < 100 ms, {100 / intake['p99']:.2f}x)")
    print(f"for reference: intake / no-op writing one row durably: {intake['rps'] / noop_write['rps']:.2f}; "
          f"one row / no-op: {noop_write['rps'] / noop['rps']:.2f}; the stack's least report / no-op: "
          f"{ninja_write['rps'] / noop['rps']:.2f}; intake / the stack's least report: "
          f"{intake['rps'] / ninja_write['rps']:.2f}")
    if ceiling is not None:
        print(f"database alone (pgbench, the intake's transaction, 16 clients): {ceiling:7.1f} tx/s = "
              f"{ceiling / noop['rps']:.2f} of the no-op: the ratio's ceiling on this machine with no Python cost")


if __name__ == "__main__":
    main()
