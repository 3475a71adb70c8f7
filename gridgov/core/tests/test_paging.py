"""Lists count at most a cap of rows: below it the count is exact, above it the page says "more than N" and
paging goes on past the cap. The town leader's list of a whole town's register then costs the same as a grid
worker's list of one grid (issue 2's 50 ms figure)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.paging import CappedPaginator, capped_count, capped_counts
from gridgov.core.tests.test_list_queries import _seed
from gridgov.register.models import Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap_of_5(settings):
    settings.GRIDGOV_COUNT_CAP = 5


def test_below_the_cap_the_count_is_exact(world):
    _seed(world, "residents", 0, 4)
    assert capped_count(Resident.objects.all(), 5) == (4, False)
    assert capped_count(Resident.objects.all(), 4) == (4, False)


def test_above_the_cap_the_count_stops_at_the_cap_and_says_so(world):
    _seed(world, "residents", 0, 7)
    assert capped_count(Resident.objects.all(), 5) == (5, True)


def test_several_capped_counts_take_one_query(world):
    _seed(world, "residents", 0, 7)
    with CaptureQueriesContext(connection) as ctx:
        got = capped_counts({"all": Resident.objects.all(), "grid_b": Resident.objects.filter(grid=world.grid_b),
                             "three": Resident.objects.filter(name__in=["居民0", "居民1", "居民2"])}, cap=5)
    assert got == {"all": (5, True), "grid_b": (0, False), "three": (3, False)}
    assert len(ctx.captured_queries) == 1


def test_the_paginator_pages_past_the_cap_until_the_rows_run_out(world):
    _seed(world, "residents", 0, 7)
    paginator = CappedPaginator(Resident.objects.order_by("id"), 2, cap=3)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    page3 = paginator.get_page(3)  # beyond the capped pages
    assert page3.number == 3 and len(page3.object_list) == 2 and page3.has_next()
    page4 = paginator.get_page(4)
    assert len(page4.object_list) == 1 and not page4.has_next()
    assert page4.start_index() == 7 and page4.end_index() == 7
    # a page after the last row falls back to the last page that the count reached
    assert paginator.get_page(99).number == 2


def test_without_the_cap_it_behaves_as_django_s_paginator(world):
    _seed(world, "residents", 0, 5)
    paginator = CappedPaginator(Resident.objects.order_by("id"), 2, cap=100)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, False, 3)
    assert paginator.get_page(3).has_next() is False
    assert paginator.get_page(99).number == 3
    assert paginator.get_page("x").number == 1


def test_the_town_leader_sees_more_than_the_cap_on_the_resident_list(world, client_for, cap_of_5):
    _seed(world, "residents", 0, 8)
    body = client_for("leader").get("/register/residents/?size=3").content.decode()
    assert "超过 5 条" in body and "下一页" in body
    page3 = client_for("leader").get("/register/residents/?size=3&page=3").content.decode()
    assert page3.count("/register/residents/") >= 2 and "下一页" not in page3


def test_the_grid_worker_below_the_cap_sees_the_exact_count(world, client_for, cap_of_5):
    _seed(world, "residents", 0, 4)
    body = client_for("worker_a").get("/register/residents/?size=3").content.decode()
    assert "共 4 条" in body


def test_the_api_says_when_the_count_is_capped(world, client_for, cap_of_5):
    _seed(world, "residents", 0, 8)
    got = client_for("leader").get("/api/v1/register/residents?limit=3&offset=6").json()
    assert (got["count"], got["count_capped"], len(got["items"])) == (5, True, 2)
    got = client_for("worker_b").get("/api/v1/register/residents?limit=3").json()
    assert (got["count"], got["count_capped"], got["items"]) == (0, False, [])
