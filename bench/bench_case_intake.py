"""Case intake through the API on a live server, 32 clients driven by wrk (issue 14): at least 0.6 of the least
durable report the stack can make, and at least 6x django-helpdesk's ticket creation in the same minutes.

    .venv/bin/python bench/bench_case_intake.py     # knobs of bench/_wrk.py: WORKERS=4 WORKER_CLASS=sync
                                                    # GTHREADS=1 KEEPALIVE=2 CONNS=32 THREADS=2 DURATION=20s
    PEER=0 …                                        # without the django-helpdesk side-by-side

Serves gridgov with gunicorn on loopback against PostgreSQL (a fresh database, the test world plus the
category the clients report) and loads it with wrk (bench/wrk/*.lua), phase by phase:
- POST /bench/noop/: the same middleware, no work (for scale);
- POST /bench/noop-write/: the same middleware writing one row durably (one INSERT, committed before the
  answer): the least any durable report costs on this machine;
- POST /bench/ninja-write: the least durable report the stack DESIGN.md prescribes (Django, django-ninja) can
  make: the report's JSON validated against a schema, one row saved through the ORM in a transaction, the
  answer rendered from a schema; the same body as the intake's. **The issue's ratio is intake over this.**
- POST /api/v1/cases/public/cases: the public intake (locate, duplicate check, first step deadline, case
  number, timeline, audit, notifications), a random place in grid A or B for each request.
Then, unless PEER=0, ../shared/bench/peer-helpdesk/run.sh (its setup.sh must have run once) with the same
gunicorn settings and the same wrk client: django-helpdesk's ticket creation through its API.

Where pgbench is installed, also the ceiling the database sets on its own: the statements of one intake
transaction (as the server sent them, captured from a report; the case id, number and follow token made
fresh per run) replayed by pgbench with 16 clients, no Python anywhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import _wrk
from _cases_seed import ROOT, setup_django

DB_URL = os.environ.get("BENCH_INTAKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_intake")
PEER = os.environ.get("PEER", "1") not in ("", "0")
PEER_DIR = os.environ.get("PEER_DIR", os.path.join(os.path.dirname(ROOT), "..", "shared", "bench", "peer-helpdesk"))
SECONDS = int(_wrk.DURATION.rstrip("s"))


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


def peer_helpdesk() -> dict | None:
    """django-helpdesk's ticket creation and its no-op, by its own run.sh, with this bench's gunicorn and wrk
    settings (the same environment variables)."""
    run = os.path.join(os.path.realpath(PEER_DIR), "run.sh")
    if not os.path.exists(run):
        print(f"no {run}: the side-by-side with django-helpdesk left out")
        return None
    results = f"/tmp/gg_bench_peer_{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH")}
    r = subprocess.run(["bash", run], capture_output=True, text=True, env=dict(env, RESULTS_DIR=results))
    if r.returncode != 0:
        print(f"peer run.sh failed ({r.returncode}): {(r.stderr or r.stdout)[-600:]}")
        return None
    (stamp,) = os.listdir(results)
    with open(os.path.join(results, stamp, "summary.json")) as f:
        return json.load(f)


def main() -> None:
    _wrk.need_wrk()
    setup_django(DB_URL)
    from gridgov.cases.models import Case

    points = intake_world()
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_noop_write (id bigserial PRIMARY KEY, "
                       "at timestamptz NOT NULL DEFAULT now(), body text NOT NULL)")
    connections.close_all()

    env = {"DATABASE_URL": DB_URL, "GRIDGOV_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    report = {"BENCH_POINTS": ";".join(f"{lat},{lon}" for lat, lon in points)}
    empty = {"BENCH_METHOD": "POST", "BENCH_BODY": "{}"}
    with _wrk.serve("intake_settings", "/bench/noop/", env) as port:
        base = f"http://127.0.0.1:{port}"
        # warm every worker (imports, connections, the locator)
        _wrk.run_wrk(f"{base}/api/v1/cases/public/cases", _wrk.WARMUP, "post_report.lua", report)
        _wrk.run_wrk(f"{base}/bench/ninja-write", _wrk.WARMUP, "post_report.lua", report)
        noop = _wrk.run_wrk(f"{base}/bench/noop/", env=empty, server=port)
        noop_write = _wrk.run_wrk(f"{base}/bench/noop-write/", env=empty, server=port)
        ninja_write = _wrk.run_wrk(f"{base}/bench/ninja-write", script="post_report.lua", env=report, server=port)
        before = Case.objects.count()
        intake = _wrk.run_wrk(f"{base}/api/v1/cases/public/cases", script="post_report.lua", env=report,
                              server=port)
        time.sleep(1)  # requests in flight when wrk stopped
        made = Case.objects.count() - before
        connections.close_all()
    peer = peer_helpdesk() if PEER else None
    ceiling = pgbench_ceiling(intake_transaction_script(points))
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{_wrk.client_settings()}, {_wrk.server_settings()}, PostgreSQL; {load}")
    print(_wrk.row("no-op", noop))
    print(_wrk.row("no-op writing one row", noop_write))
    print(_wrk.row("the stack's least durable report", ninja_write))
    print(_wrk.row("intake", intake) + f"  cases created {made}")
    ratio = intake["rps"] / ninja_write["rps"]
    print(f"intake / the stack's least durable report: {ratio:.2f} (target ≥ 0.60, {ratio / 0.6:.2f}x); "
          f"intake / no-op {intake['rps'] / noop['rps']:.2f}; intake / one row {intake['rps'] / noop_write['rps']:.2f}")
    if peer is not None:
        tickets = peer["post_ticket"]["rps"]
        times = intake["rps"] / tickets
        print(f"django-helpdesk (its run.sh, same gunicorn and wrk settings): ticket creation {tickets:.1f} req/s "
              f"(non-2xx {peer['post_ticket']['non2xx']}), its no-op {peer['noop']['rps']:.1f} req/s")
        print(f"intake / helpdesk ticket creation: {times:.2f}x (target ≥ 6x, {times / 6:.2f} of it); "
              f"gridgov no-op / helpdesk no-op {noop['rps'] / peer['noop']['rps']:.2f}")
    if ceiling is not None:
        print(f"database alone (pgbench, the intake's transaction, 16 clients): {ceiling:7.1f} tx/s = "
              f"{ceiling / noop['rps']:.2f} of the no-op")


if __name__ == "__main__":
    main()
