"""The one window on PostgreSQL (issue 17): catalogue search over every item of both towns, Chinese and pinyin
initials, p95 < 30 ms; the front desk's and an approver's queues with BENCH_APPLICATIONS applications (default
200,000), p95 < 50 ms, with the number of queries independent of the page size.

The catalogue is the demo's (泊里镇 110 / 135 / 85 / 58, 辛安街道 60 / 80 / 40 / 30 items, from
gridgov/window/demo.py); the applications are written by one INSERT … SELECT generate_series, spread over the
items, stages and channels. Timed through Django's test client after one warm-up request each:
GET /api/v1/window/items?q=… as a district administrator (who sees both towns), and the queues as the front
desk of 泊里镇 (待受理, its page and API) and the world's department clerk (审查决定).

    .venv/bin/python bench/bench_window.py
    BENCH_APPLICATIONS=50000 BENCH_REQUESTS=50 .venv/bin/python bench/bench_window.py
"""

from __future__ import annotations

import os
import time

from _cases_seed import build, setup_django
from _timing import queries_of, report, time_gets

DB_URL = os.environ.get("BENCH_WINDOW_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_window_bench")
N_APPS = int(os.environ.get("BENCH_APPLICATIONS", "200000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def seed_catalogue(env: dict) -> list:
    import datetime as dt

    from gridgov.window.demo import _spec_rows
    from gridgov.window.models import ServiceItem
    from gridgov.window.services import initials_of

    w = env["world"]
    items = []
    for key, town, depts in (("boli", w.town, env["departments"]), ("xinan", w.other_town, [w.other_department])):
        for n, r in enumerate(_spec_rows(key)):
            items.append(ServiceItem(
                town=town, catalogue=r["catalogue"], code=r["code"], name=r["name"], initials=initials_of(r["name"]),
                item_type=r["item_type"], department=depts[n % len(depts)], statutory_days=r["statutory"],
                promised_days=min(r["promised"], r["statutory"]), instant=r["instant"],
                valid_from=dt.date(2026, 1, 1)))
    return ServiceItem.objects.bulk_create(items)


def seed_applications(env: dict, n: int) -> None:
    from django.db import connection

    w = env["world"]
    with connection.cursor() as cur:
        cur.execute("SELECT id, department_id FROM window_serviceitem WHERE town_id = %s ORDER BY id", [w.town.pk])
        items = cur.fetchall()
        item_ids = [i for i, _d in items]
        dept_ids = [d for _i, d in items]
        cur.execute(f"""
            INSERT INTO window_application (version, created_at, updated_at, stage, status, step_deadline, overdue,
                urge_count, last_urged_at, number, title, item_id, town_id, division_id, division_path,
                department_id, channel, applicant_id, applicant_name, applicant_id_number, applicant_phone,
                entered_by_id, authorisation, answers, follow_token, received_at, accepted_at, deemed_accepted,
                accepted_by_id, corrections, missing, deadline, statutory_deadline, suspended_at, suspended_days,
                extension_requested, extended, decision, decision_reason, decided_at, decided_by_id, on_time,
                working_days, instant, delivery, delivered_at)
            SELECT 1, t, t, s, CASE WHEN s IN ('done', 'refused') THEN 'closed' ELSE 'open' END,
                CASE WHEN s IN ('done', 'refused') THEN NULL ELSE t + interval '10 days' END, false, 0, NULL,
                'SQB' || lpad(g::text, 9, '0'), '事项' || (g %% {len(item_ids)}),
                (%(items)s)[1 + g %% {len(item_ids)}], %(town)s,
                CASE WHEN g %% 10 = 0 THEN %(village)s ELSE %(town)s END,
                CASE WHEN g %% 10 = 0 THEN %(vpath)s ELSE %(tpath)s END,
                (%(depts)s)[1 + g %% {len(item_ids)}], CASE WHEN g %% 3 = 0 THEN 'online' ELSE 'window' END, NULL,
                '申请人' || g, '', '1390000' || lpad((g %% 10000)::text, 4, '0'), NULL, '', '{{}}',
                md5(g::text), t, NULL, false, NULL, 0, '[]', NULL, NULL, NULL, 0, false, false, '', '', NULL, NULL,
                NULL, NULL, false, '', NULL
            FROM (SELECT g, now() - (g %% 365) * interval '1 day' AS t,
                         (ARRAY['received','received','received','correcting','reviewing','reviewing','deciding',
                                'issuing','done','done'])[1 + g %% 10] AS s
                  FROM generate_series(1, %(n)s) g) x
        """, {"items": item_ids, "depts": dept_ids, "town": w.town.pk, "village": w.village.pk,
              "tpath": w.town.path, "vpath": w.village.path, "n": n})
        cur.execute("ANALYZE")


def timed(client, url: str, label: str, target: float) -> None:

    wall, cpu = time_gets(client, url, REQUESTS)
    report(f"{label:<44} GET {url}", wall, target, cpu=cpu, queries=queries_of(client, url))


def main() -> None:
    setup_django(DB_URL)
    from django.test import Client

    from gridgov.accounts.models import RoleAssignment, User
    from gridgov.accounts.roles import Role

    t0 = time.perf_counter()
    env = build()
    w = env["world"]
    items = seed_catalogue(env)
    seed_applications(env, N_APPS)
    desk = User.objects.create(username="desk", display_name="窗口", town=w.town)
    RoleAssignment.objects.create(user=desk, role=Role.FRONT_DESK, division=w.town)
    district_admin = User.objects.create(username="district_admin", display_name="区管理员", town=w.town)
    RoleAssignment.objects.create(user=district_admin, role=Role.ADMIN, division=w.district)
    # The world's clerk decides for 应急管理办公室; the catalogue's departments rotate, so about 1/15 of the
    # applications are theirs.
    print(f"{len(items)} service items in both towns, {N_APPS:,} applications (seeded in "
          f"{time.perf_counter() - t0:.1f} s)")

    admin = Client()
    admin.force_login(district_admin)
    for q in ("ylbx", "医疗保险", "yhbz", "个体工商户", "ysc", "演示生成"):
        timed(admin, f"/api/v1/window/items?q={q}&limit=20", f"catalogue search '{q}' (both towns)", 30)

    front = Client()
    front.force_login(desk)
    approver = Client()
    approver.force_login(w.clerk)
    for client, url, label in (
            (front, "/window/applications/?queue=desk", "front desk 待受理 page"),
            (front, "/api/v1/window/applications?queue=desk&limit=10", "front desk 待受理 API, 10 a page"),
            (front, "/api/v1/window/applications?queue=desk&limit=200", "front desk 待受理 API, 200 a page"),
            (approver, "/window/applications/?queue=review", "approver 审查决定 page"),
            (approver, "/api/v1/window/applications?queue=review&limit=10", "approver 审查决定 API, 10 a page"),
            (approver, "/api/v1/window/applications?queue=review&limit=200", "approver 审查决定 API, 200 a page")):
        timed(client, url, label, 50)


if __name__ == "__main__":
    main()
