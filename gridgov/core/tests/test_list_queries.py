"""List pages and API lists issue the same number of SQL queries for 10 rows and for 100 rows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.validators import credit_code_check_char, org_code_check_char, resident_id_check_char
from gridgov.network.models import Department, Division, GridType, Level
from gridgov.register.models import Enterprise, Household, Resident, ResidentTag, Sex


def _credit_code(n: int) -> str:
    org8 = f"MB{n:06d}"
    first17 = "91370211" + org8 + org_code_check_char(org8)
    return first17 + credit_code_check_char(first17)


def _seed(world, kind: str, start: int, n: int) -> None:
    """n more rows of `kind` in grid A (or town 泊里镇), each with the relations its list shows."""
    import datetime as dt

    town, grid = world.town, world.grid_a
    rng = range(start, start + n)
    if kind in ("residents", "households"):
        hs = Household.objects.bulk_create([Household(number=f"Q{i:05d}", address=f"{i}号", grid=grid, town=town)
                                            for i in rng])
        if kind == "residents":
            rs = Resident.objects.bulk_create([Resident(
                name=f"居民{i}", id_number=(f := f"37021119800101{i:03d}") + resident_id_check_char(f),
                sex=Sex.MALE, birth_date=dt.date(1980, 1, 1), phone="13800000000", household=h, grid=grid, town=town)
                for i, h in zip(rng, hs, strict=True)])
            ResidentTag.objects.bulk_create([ResidentTag(resident=r, tag="dibao") for r in rs]
                                            + [ResidentTag(resident=r, tag="veteran") for r in rs])
    elif kind == "enterprises":
        dept = world.department
        Enterprise.objects.bulk_create([Enterprise(
            name=f"企业{i}", credit_code=_credit_code(i), industry="制造业", scale="small", legal_representative="法人",
            legal_rep_phone="13900000000", address="地址", lat=35.905, lon=120.005, grid=grid, town=town,
            department=dept) for i in rng])
    elif kind == "divisions":
        for i in rng:
            code = f"{world.region.code}{i + 100:03d}"
            Division.objects.create(parent=world.region, level=Level.BASE_GRID, code=code, name=f"网格{i}",
                                    path=world.region.path + code + "/", town=town, grid_type=GridType.RURAL)
    elif kind == "departments":
        Department.objects.bulk_create([Department(town=town, code=f"Q{i:03d}", name=f"部门{i}") for i in rng])


ROUTES = [
    ("residents", "/api/v1/register/residents?limit=200"),
    ("households", "/api/v1/register/households?limit=200"),
    ("enterprises", "/api/v1/register/enterprises?limit=200"),
    ("divisions", "/api/v1/divisions?limit=200"),
    ("departments", "/api/v1/departments?limit=200"),
    ("residents", "/register/residents/?size=200"),
    ("households", "/register/households/?size=200"),
    ("enterprises", "/register/enterprises/?size=200"),
    ("divisions", "/network/divisions/"),
]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind,url", ROUTES)
def test_it_issues_the_same_queries_for_10_and_100_rows(world, client_for, kind, url):
    c = client_for("leader")
    _seed(world, kind, 1, 10)
    c.get(url)  # warm caches that are per process, not per row
    ten = _count(c, url)
    _seed(world, kind, 11, 90)
    rows = c.get(url).json()["count"] if url.startswith("/api/") else 100
    assert (_count(c, url), rows >= 100) == (ten, True)
