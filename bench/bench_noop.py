"""gridgov's no-op through gridgov's whole middleware stack against a plain Django no-op (`startproject`'s
middleware), the same view, the same gunicorn settings and the same wrk client (issue 14: ≥ 0.9).

    .venv/bin/python bench/bench_noop.py        # ROUNDS=3 alternating rounds; knobs of bench/_wrk.py

Both servers run side by side (idle sync workers cost nothing) and are loaded in turn, ROUNDS times, so a
change in the machine's load touches both alike; the medians and the median of the per-round ratios are
printed, and the servers' CPU time per request (from /proc), which the other load on the machine barely
moves. GET /bench/noop/ answers {"ok": true} in both (bench/noop_views.py). No database is touched.
"""

from __future__ import annotations

import os
import statistics
import subprocess

import _wrk

ROUNDS = int(os.environ.get("ROUNDS", "3"))
DB_URL = os.environ.get("BENCH_NOOP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_noop")
TARGET = 0.9


def main() -> None:
    _wrk.need_wrk()
    env = {"DATABASE_URL": DB_URL, "GRIDGOV_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    with _wrk.serve("intake_settings", "/bench/noop/", env) as ours, \
            _wrk.serve("noop_plain_settings", "/bench/noop/", env, app="django.core.wsgi:get_wsgi_application()") \
            as plain:
        servers = {"gridgov": ours, "plain": plain}
        urls = {name: f"http://127.0.0.1:{port}/bench/noop/" for name, port in servers.items()}
        for url in urls.values():
            _wrk.run_wrk(url, _wrk.WARMUP)
        runs: dict[str, list[dict]] = {"gridgov": [], "plain": []}
        for i in range(ROUNDS):
            for name in (("plain", "gridgov") if i % 2 else ("gridgov", "plain")):
                runs[name].append(_wrk.run_wrk(urls[name], server=servers[name]))
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"{_wrk.server_settings()}; {_wrk.client_settings()}, {ROUNDS} alternating rounds; {load}")
    for name, label in (("gridgov", "gridgov no-op (gridgov's middleware)"), ("plain", "plain Django no-op")):
        for r in runs[name]:
            print(_wrk.row(label, r))
    ratios = [g["rps"] / p["rps"] for g, p in zip(runs["gridgov"], runs["plain"], strict=True)]
    g = statistics.median(r["rps"] for r in runs["gridgov"])
    p = statistics.median(r["rps"] for r in runs["plain"])
    ratio = statistics.median(ratios)
    cpu = {name: statistics.median(r["cpu_us"] for r in rs) for name, rs in runs.items()}
    print(f"median: gridgov {g:.1f} req/s, plain Django {p:.1f} req/s; ratio per round "
          f"{', '.join(f'{x:.3f}' for x in ratios)}; median {ratio:.3f} (target ≥ {TARGET}, {ratio / TARGET:.2f}x)")
    print(f"server CPU per request (median): gridgov {cpu['gridgov']:.0f} µs, plain Django {cpu['plain']:.0f} µs; "
          f"plain / gridgov {cpu['plain'] / cpu['gridgov']:.3f} (the ratio with the machine's other load left out)")


if __name__ == "__main__":
    main()
