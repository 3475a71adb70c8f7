"""A complaint walked through its pages as the people of the 三度工作法 use them: the resident on a phone,
the 12345 operator (综合受理窗口), the dispatcher, the department clerk and the call-back."""

import re

import pytest

from gridgov.cases.models import Case, Category


@pytest.fixture
def component_0101(case_world):
    """The 部件 tree reuses the 事件 codes: 部件 0101 上水井盖 beside 事件 0101 私搭乱建."""
    parent = Category.objects.create(tree="component", code="01", name="公用设施")
    return Category.objects.create(tree="component", code="0101", name="上水井盖", parent=parent)


def offered(html: str, name: str) -> str:
    """The value the report form sends for the category option showing `name`."""
    return re.search(r'<option value="([^"]*)"[^>]*>[^<]*' + re.escape(name) + "</option>", html).group(1)


def test_it_records_the_event_category_a_resident_picks_even_when_a_component_shares_its_code(
        case_world, client_for, component_0101):
    resident = client_for(None)
    value = offered(resident.get("/cases/report/").content.decode(), "私搭乱建")
    lat, lon = case_world.point_a
    resident.post("/cases/report/", {"category": value, "lat": lat, "lon": lon, "description": "楼下违建"})
    assert Case.objects.get().category == case_world.cats["illegal_building"]


def test_it_records_a_component_a_resident_picks_by_its_own_entry(case_world, client_for, component_0101):
    resident = client_for(None)
    value = offered(resident.get("/cases/report/").content.decode(), "上水井盖")
    lat, lon = case_world.point_a
    resident.post("/cases/report/", {"category": value, "lat": lat, "lon": lon, "description": "井盖丢了"})
    assert Case.objects.get().category == component_0101


def test_it_reads_a_bare_code_as_the_event_category(case_world, report, component_0101):
    assert report("worker_a", category="0101").category == case_world.cats["illegal_building"]
