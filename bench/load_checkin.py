"""Check-in load (issue 4): 4,000 members checking in to one 主题党日 within one minute against a live server on
loopback, with no failed and no duplicated check-in. Bounded: each member posts once, then 200 of them post a
second time (each must be refused with 422); the run stops by itself.

    .venv/bin/python bench/load_checkin.py [--members 4000] [--workers 32] [--port 8765]
                                           [--server gunicorn|waitress|run] [--processes 2]

Uses the database of the environment (DATABASE_URL, else the SQLite file GRIDGOV_SQLITE / var/) with the party
demo seeded (`gridgov demo`). It schedules a joint 主题党日 of 泊里镇党委 open now, creates sessions for the first
N members directly in the session table (logging 4,000 people in through argon2 is not what is measured),
starts a server on 127.0.0.1 (gunicorn with one process per core and threads for the clients, as in production;
or waitress, one process; or `gridgov run`), posts `/api/v1/party/checkin`, stops the server and prints the figures.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, ".")
# The server runs production settings (GRIDGOV_DEBUG=0), which refuse to start without a key; the sessions made
# here must be signed with the server's key, so both take it from the environment.
os.environ.setdefault("GRIDGOV_SECRET_KEY", "bench-only-" + "x" * 50)
TARGET = 60.0


def arg(name: str, default: int) -> int:
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main() -> None:
    n, workers, port = arg("--members", 4000), arg("--workers", 32), arg("--port", 8765)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from gridgov.party.models import Attendance, Meeting, MeetingKind, Member, PartyOrganisation

    root = PartyOrganisation.objects.filter(parent=None, town__code="370211107000").first()
    if root is None:
        sys.exit("seed the demo first: gridgov demo")
    members = list(Member.objects.filter(org__path__startswith=root.path, user__isnull=False, active=True,
                                         status__in=("full", "probationary")).select_related("user")
                   .order_by("id")[:n])
    if len(members) < n:  # top up with bench members in the first branch (older seeds had fewer full members)
        from gridgov.accounts.models import User

        branch = PartyOrganisation.objects.filter(path__startswith=root.path, kind="branch").order_by("path").first()
        users = User.objects.bulk_create([User(username=f"loadcheckin{secrets.token_hex(5)}", display_name="负载测试党员",
                                               password="!") for _ in range(n - len(members))])
        Member.objects.bulk_create([Member(name="负载测试党员", user=u, org=branch, town=root.town, status="full")
                                    for u in users])
        members = list(Member.objects.filter(org__path__startswith=root.path, user__isnull=False, active=True,
                                             status__in=("full", "probationary")).select_related("user")
                       .order_by("id")[:n])
    now = timezone.now()
    meeting = Meeting.objects.create(org=root, town=root.town, kind=MeetingKind.THEME_DAY,
                                     title=f"负载测试联合主题党日 {now:%H%M%S}", starts_at=now - dt.timedelta(minutes=5),
                                     ends_at=now + dt.timedelta(hours=1), checkin_token=secrets.token_urlsafe(24))
    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[0] if getattr(settings, "AUTHENTICATION_BACKENDS", None) \
        else "django.contrib.auth.backends.ModelBackend"
    expire = now + dt.timedelta(hours=2)
    sessions, keys = [], []
    for m in members:
        key = secrets.token_hex(16)
        data = {SESSION_KEY: str(m.user.pk), BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: m.user.get_session_auth_hash()}
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys.append(key)
    Session.objects.bulk_create(sessions, batch_size=2000)

    env = dict(os.environ, GRIDGOV_DEBUG="0", GRIDGOV_ALLOWED_HOSTS="127.0.0.1,localhost",
               GRIDGOV_SSL_REDIRECT=os.environ.get("GRIDGOV_SSL_REDIRECT", "0"))  # plain http on loopback: the TLS proxy in front redirects, not Django
    # GRIDGOV_LOAD_LOG=path keeps the server's console (tracebacks of any 500) for reading afterwards.
    log = open(os.environ["GRIDGOV_LOAD_LOG"], "w") if os.environ.get("GRIDGOV_LOAD_LOG") else subprocess.DEVNULL
    # Default: gunicorn, one process per core (`--processes`), threads for the clients between them, as in
    # production behind a proxy. `--server waitress`: one process with one thread per client. `--server run`:
    # `gridgov run` (Django's development server, whose small listen backlog resets some connections).
    bindir = os.path.dirname(sys.executable)
    kind = sys.argv[sys.argv.index("--server") + 1] if "--server" in sys.argv else "gunicorn"
    processes = arg("--processes", os.cpu_count() or 2)
    if kind == "run":
        cmd = [os.path.join(bindir, "gridgov"), "run", f"127.0.0.1:{port}"]
    elif kind == "gunicorn":
        cmd = [os.path.join(bindir, "gunicorn"), "gridgov.wsgi:application", "-b", f"127.0.0.1:{port}",
               "-w", str(processes), "-k", "gthread", "--threads", str(max(1, workers // processes)),
               "--backlog", "1024", "--log-level", "warning"]
    else:
        cmd = [os.path.join(bindir, "waitress-serve"), f"--listen=127.0.0.1:{port}", f"--threads={workers}",
               "--backlog=1024", "--connection-limit=1000", "gridgov.wsgi:application"]
    server = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    csrf = secrets.token_hex(16)

    def post(key: str) -> int:
        req = urllib.request.Request(
            f"{base}/api/v1/party/checkin", method="POST",
            data=json.dumps({"token": meeting.checkin_token}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf, "Referer": base + "/",
                     "Cookie": f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={csrf}"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    try:
        for _ in range(100):  # wait for the server, at most ~20 s
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        t0 = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            codes = list(pool.map(post, keys))
        secs = time.perf_counter() - t0
        with ThreadPoolExecutor(workers) as pool:
            again = list(pool.map(post, keys[:200]))
    finally:
        server.terminate()
        server.wait(timeout=30)
        Session.objects.filter(session_key__in=keys).delete()
    rows = Attendance.objects.filter(meeting=meeting).count()
    failed = sum(1 for c in codes if c != 201)
    print(f"server: {' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd))}")
    print(f"{n} check-ins in {secs:.1f} s ({n / secs:.0f}/s) with {workers} clients: {failed} failed "
          f"(codes {sorted(set(codes))}); second attempts refused: {sum(1 for c in again if c == 422)}/200; "
          f"attendance rows for the meeting: {rows} (expected {n})")
    print(f"ratio to the 60 s target: {secs / TARGET:.2f}; duplicates: {max(0, rows - n)}")


if __name__ == "__main__":
    main()
