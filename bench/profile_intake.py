"""CPU cost of one case intake on the server's side, in process, on PostgreSQL: the Python half of what
bench_case_intake.py measures under load, without the load (a busy machine does not inflate it).

    .venv/bin/python bench/profile_intake.py                 # best and median of 6 rounds × 200 reports
    .venv/bin/python bench/profile_intake.py --profile 25    # and cProfile's 25 most expensive functions

Each request goes through gridgov's WSGI application exactly as gunicorn calls it (same settings, middleware
and URLs as the bench's server, DEBUG off, the audit sealer in its background thread), one thread, and is timed with time.thread_time: this thread's CPU,
which leaves out the time PostgreSQL spends in its own process and the waits on the socket. The no-op endpoint
of the bench's server is measured the same way for scale.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ["DJANGO_SETTINGS_MODULE"] = "intake_settings"

from _cases_seed import setup_django  # noqa: E402
from bench_case_intake import DB_URL, intake_world  # noqa: E402


def environ(path: str, body: bytes) -> dict:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="print cProfile's N top functions")
    args = parser.parse_args()
    setup_django(DB_URL)
    points = intake_world()
    from gridgov.wsgi import application as app  # as gunicorn loads it: the audit sealer in its own thread

    rnd = random.Random(7)

    def call(path: str, body: bytes) -> str:
        status = []
        for _ in app(environ(path, body), lambda s, h, *a: status.append(s)):
            pass
        return status[0]

    def report() -> bytes:
        lat0, lon0 = points[rnd.randrange(len(points))]
        return json.dumps({"category": "0102", "lat": lat0 + rnd.random() * 0.009, "lon": lon0 + rnd.random() * 0.009,
                           "description": "bench", "force_new": True}).encode()

    def one_round(path: str, make_body) -> float:
        bodies = [make_body() for _ in range(args.n)]
        t0 = time.thread_time()
        for body in bodies:
            status = call(path, body)
            if not status.startswith(("200", "201")):
                raise SystemExit(f"{path}: {status}")
        return (time.thread_time() - t0) / args.n * 1000

    for _ in range(50):  # warm: imports, the connection, the locator's caches
        call("/api/v1/cases/public/cases", report())
        call("/bench/noop/", b"{}")
    for label, path, make_body in (("no-op", "/bench/noop/", lambda: b"{}"),
                                   ("intake", "/api/v1/cases/public/cases", report)):
        ms = [one_round(path, make_body) for _ in range(args.rounds)]
        print(f"{label:7s} CPU per request: best {min(ms):.3f} ms, median {statistics.median(ms):.3f} ms "
              f"({args.rounds} × {args.n}, one thread, time.thread_time)")
    if args.profile:
        prof = cProfile.Profile(time.thread_time)  # CPU of this thread, as the rounds above
        bodies = [report() for _ in range(args.n)]
        prof.enable()
        for body in bodies:
            call("/api/v1/cases/public/cases", body)
        prof.disable()
        pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(args.profile)


if __name__ == "__main__":
    main()
