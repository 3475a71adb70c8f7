"""Safety supervision figures (issue 18), on PostgreSQL:

- re-rating every enterprise of a town after a rules change (`services.rules_update`: the new bands applied to
  every profile, then the set-based `rating.recompute` of the town, history rows included): 420 enterprises
  (辛安街道's 400+) < 2 s, 20,000 (a district) < 30 s;
- a 120-item inspection form: the page rendered (GET /safety/inspections/<pk>/) < 200 ms, and the submit
  (`services.inspection_submit`: scoring, a hazard per 不符合 through the flow engine, the rating) < 300 ms.

    .venv/bin/python bench/bench_safety.py
    BENCH_SAFETY_BIG=20000 BENCH_SAFETY_HAZARDS=2 .venv/bin/python bench/bench_safety.py

Each enterprise has BENCH_SAFETY_HAZARDS hazards on average (open, overdue, major and closed ones mixed), so the
grouped queries have real rows to count.
"""

from __future__ import annotations

import os
import random
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
from _cases_seed import setup_django  # noqa: E402
from _timing import report

DB_URL = os.environ.get("BENCH_SAFETY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gg_bench_safety")
SMALL = int(os.environ.get("BENCH_SAFETY_SMALL", "420"))
BIG = int(os.environ.get("BENCH_SAFETY_BIG", "20000"))
HAZARDS = float(os.environ.get("BENCH_SAFETY_HAZARDS", "2"))
ROUNDS = int(os.environ.get("BENCH_SAFETY_ROUNDS", "20"))


def seed_town(w: Any, town: Any, grid: Any, n: int, start: int, rng: random.Random) -> list[int]:
    """n enterprises with profiles and about HAZARDS hazards each, by bulk inserts."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.core.validators import credit_code_check_char, org_code_check_char
    from gridgov.register.models import Enterprise
    from gridgov.safety.models import Hazard, SafetyProfile

    def code(i: int) -> str:
        org8 = f"MB{i:06d}"
        first17 = "91370211" + org8 + org_code_check_char(org8)
        return first17 + credit_code_check_char(first17)

    es = Enterprise.objects.bulk_create([Enterprise(
        name=f"企业{i}", credit_code=code(i), industry="机械制造", scale="small", legal_representative="法人",
        address="地址", lat=35.905, lon=120.005, grid=grid, town=town, is_key=True) for i in range(start, start + n)],
        batch_size=2000)
    ps = SafetyProfile.objects.bulk_create([SafetyProfile(
        enterprise=e, town=town, likelihood=rng.randint(1, 5), severity=rng.randint(1, 5)) for e in es],
        batch_size=2000)
    now = timezone.now()
    hazards = []
    for p in ps:
        for _k in range(int(HAZARDS * 2 * rng.random() + 0.5)):
            found = now - dt.timedelta(days=rng.randint(0, 400))
            closed = rng.random() < 0.6
            deadline = found + dt.timedelta(days=rng.choice([7, 15, 30]))
            hazards.append(Hazard(
                title="隐患", town=town, profile=p, level="major" if rng.random() < 0.05 else "general",
                found_at=found, found_by=w.admin, stage="closed" if closed else "rectifying",
                status="closed" if closed else "open", deadline=deadline, step_deadline=None if closed else deadline,
                is_repeat=rng.random() < 0.1))
    Hazard.objects.bulk_create(hazards, batch_size=5000)
    return [p.pk for p in ps]


def rules_change(w: Any, town: Any, n: int) -> float:
    from django.db import connection

    from gridgov.safety import services
    from gridgov.safety.models import RatingChange

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    before = RatingChange.objects.count()
    t0 = time.perf_counter()
    services.rules_update(acting_user=w.admin, town=town, version=None,
                          values={"score_orange": 4, "w_overdue": 3, "matrix_orange": 8})
    seconds = time.perf_counter() - t0
    changed = RatingChange.objects.count() - before
    target = 2.0 if n <= 1000 else 30.0
    print(f"rules change, {n:,} enterprises re-rated: {seconds:.2f} s (target < {target:.0f} s, ratio "
          f"{target / seconds:.1f}x), {changed:,} colour changes recorded")
    return seconds


def form(w: Any, town: Any, grid: Any) -> None:
    from django.test import Client

    from gridgov.register.models import Enterprise
    from gridgov.safety import services
    from gridgov.safety.models import ChecklistItem, InspectionAnswer, SafetyProfile

    sections = [{"title": f"第{s + 1}部分", "items": [
        {"content": f"检查内容 {s + 1}.{i + 1}：现场查看设施设备是否完好有效，台账是否齐全", "legal_basis": "《安全生产法》第四十一条",
         "method": "现场查看", "points": 2, "evidence": "none"} for i in range(12)]} for s in range(10)]
    t = services.template_create(acting_user=w.admin, town=town, code="bench120", name="120 项检查表",
                                 sections=sections)
    services.template_publish(acting_user=w.admin, template=t)
    e = Enterprise.objects.filter(grid=grid).first()
    p = SafetyProfile.objects.get(enterprise=e)
    items = list(ChecklistItem.objects.filter(template=t).order_by("order"))
    client = Client()
    client.force_login(w.admin)
    renders, submits = [], []
    for r in range(ROUNDS):
        i = services.inspection_start(acting_user=w.admin, profile_id=p.pk, template=t)
        InspectionAnswer.objects.bulk_create([InspectionAnswer(
            inspection=i, item=it, result="fail" if n % 12 == r % 12 else "pass", note="现场发现")
            for n, it in enumerate(items)])  # 10 不符合 of 120
        url = f"/safety/inspections/{i.pk}/"
        if r == 0:
            client.get(url)  # warm-up: templates compiled
        t0 = time.perf_counter()
        resp = client.get(url)
        renders.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, resp.status_code
        t0 = time.perf_counter()
        done, _new = services.inspection_submit(acting_user=w.admin, inspection=i)
        submits.append((time.perf_counter() - t0) * 1000)
        assert done.n_fail == 10
    for label, times, target in (("render 120-item form", renders, 200), ("submit (10 hazards, rating)", submits,
                                                                          300)):
        report(label, times, target)


def main() -> None:
    setup_django(DB_URL)
    from gridgov.accounts.models import RoleAssignment
    from gridgov.network.models import Division, Level
    from gridgov.safety.services import install_catalogue
    from gridgov.testing import build_world

    rng = random.Random(18)
    w = build_world()
    install_catalogue(town=w.other_town)
    seed_town(w, w.other_town, w.other_grid, SMALL, 1, rng)
    # A district's 20,000 enterprises in one town of their own (one rules row re-rates them all).
    district = Division.objects.create(parent=w.district, level=Level.TOWN, code="370211999000", name="区级汇总",
                                       path=w.district.path + "370211999000/")
    district.town = district
    district.save(update_fields=["town"])
    grid = Division.objects.create(parent=district, level=Level.BASE_GRID, code="370211999000001", name="汇总网格",
                                   path=district.path + "370211999000001/", town=district)
    RoleAssignment.objects.create(user=w.admin, role="admin", division=w.other_town)
    RoleAssignment.objects.create(user=w.admin, role="admin", division=district)
    w.admin._assignments_cache = None
    t0 = time.perf_counter()
    seed_town(w, district, grid, BIG, SMALL + 1, rng)
    print(f"seeded {SMALL + BIG:,} enterprises in {time.perf_counter() - t0:.1f} s")
    rules_change(w, w.other_town, SMALL)
    rules_change(w, district, BIG)
    form(w, w.other_town, w.other_grid)


if __name__ == "__main__":
    main()
