"""Serving a WSGI app with gunicorn and loading it with Debian's `wrk` (a C load generator with Lua scripts),
as ../shared/bench/peer-helpdesk/run.sh measures django-helpdesk: the clients take far less of the two cores
than Python clients do.

Knobs (env), the same names as the peer's run.sh: WORKERS=4 WORKER_CLASS=sync GTHREADS=1 KEEPALIVE=2 (gunicorn),
THREADS=2 CONNS=32 DURATION=20s WARMUP=3s (wrk).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKERS = int(os.environ.get("WORKERS", "4"))
WORKER_CLASS = os.environ.get("WORKER_CLASS", "sync")
GTHREADS = int(os.environ.get("GTHREADS", "1"))
KEEPALIVE = int(os.environ.get("KEEPALIVE", "2"))
THREADS = int(os.environ.get("THREADS", "2"))
CONNS = int(os.environ.get("CONNS", "32"))
DURATION = os.environ.get("DURATION", "20s")
WARMUP = os.environ.get("WARMUP", "3s")

# Production settings (GRIDGOV_DEBUG=0) refuse to start without a key; the benches bring their own.
BENCH_SECRET_KEY = "bench-only-" + "x" * 50


def server_settings() -> str:
    return f"gunicorn {WORKERS} {WORKER_CLASS} workers × {GTHREADS} threads, keep-alive {KEEPALIVE}"


def client_settings(duration: str = DURATION) -> str:
    return f"wrk -t{THREADS} -c{CONNS} -d{duration}"


def need_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: `make bench-tools` (apt-get install wrk)")
    return wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master `master` and its workers: per request,
    a figure the other agents' load on the machine barely moves, unlike req/s."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry) == master or int(fields[1]) == master:  # fields[1]: the parent's pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


class Server(int):
    """The port a served app listens on (an int), with the gunicorn master's pid."""

    master: int


@contextlib.contextmanager
def serve(settings_module: str, probe: str, env: dict[str, str] | None = None,
          app: str = "gridgov.wsgi:application") -> Iterator[Server]:
    """gunicorn serving `app` with `settings_module` (bench/ and the repository on the path) until the block
    ends; yields the port once `probe` answers 2xx."""
    port = free_port()
    full = dict(os.environ, **(env or {}), DJANGO_SETTINGS_MODULE=settings_module, GRIDGOV_DEBUG="0",
                GRIDGOV_SSL_REDIRECT=os.environ.get("GRIDGOV_SSL_REDIRECT", "0"),  # plain http on loopback: the TLS proxy in front redirects, not Django
                GRIDGOV_SECRET_KEY=os.environ.get("GRIDGOV_SECRET_KEY", BENCH_SECRET_KEY),
                PYTHONPATH=os.pathsep.join([HERE, ROOT, *os.environ.get("BENCH_PYTHONPATH", "").split(os.pathsep)]))
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    log = open(f"/tmp/gg_bench_gunicorn_{port}.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([gunicorn, app, "-b", f"127.0.0.1:{port}", "-w", str(WORKERS), "-k", WORKER_CLASS,
                               "--threads", str(GTHREADS), "--keep-alive", str(KEEPALIVE),
                               "--log-level", "warning"], env=full, start_new_session=True, cwd=HERE,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            if server.poll() is not None:
                sys.exit(f"gunicorn ({settings_module}) exited with {server.returncode}: see {log.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", probe)
                if c.getresponse().status < 300:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            sys.exit(f"gunicorn ({settings_module}) not answering on {probe}: see {log.name}")
        served = Server(port)
        served.master = server.pid
        yield served
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def run_wrk(url: str, duration: str = DURATION, script: str = "count.lua", env: dict[str, str] | None = None,
            server: Server | None = None) -> dict:
    """One wrk run; the fields of the script's BENCH line (rps, p50_ms, p99_ms, ok2xx, non2xx, …), and with
    `server` the server's CPU time per request (cpu_us)."""
    cpu0 = server_cpu(server.master) if server is not None else 0.0
    r = subprocess.run([need_wrk(), f"-t{THREADS}", f"-c{CONNS}", f"-d{duration}", "--timeout", "30s", "--latency",
                        "-s", os.path.join(HERE, "wrk", script), url],
                       capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    line = next((x for x in r.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk failed on {url}: {r.stdout[-800:]} {r.stderr[-800:]}")
    out: dict = {}
    for part in line.split()[1:]:
        key, _, value = part.partition("=")
        out[key] = float(value) if "." in value else int(value)
    out["stderr"] = r.stderr.strip()
    if server is not None:
        out["cpu_us"] = (server_cpu(server.master) - cpu0) / max(out["requests"], 1) * 1e6
    return out


def row(label: str, r: dict) -> str:
    return (f"{label:<44} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
            f"2xx {r['ok2xx']}  non-2xx {r['non2xx']}" + (f"  server CPU {r['cpu_us']:5.0f} µs/req" if "cpu_us" in r else ""))
