"""Finding the grid of a point, and coordinates from Chinese map apps."""

import json

import pytest
from django.core.exceptions import ValidationError

from gridgov.core.geo import Locator, gcj02_to_wgs84, parse_polygon, wgs84_to_gcj02
from gridgov.testing import square


def _locator():
    return Locator([(1, parse_polygon(square(120.0, 35.9, 0.01))), (2, parse_polygon(square(120.01, 35.9, 0.01)))])


def test_it_finds_the_grid_holding_a_point():
    assert _locator().locate(35.905, 120.015) == 2


def test_it_answers_none_outside_every_grid():
    assert _locator().locate(30.0, 110.0) is None


def test_it_locates_a_batch_the_same_as_one_by_one():
    loc = _locator()
    lats, lons = [35.905, 35.905, 30.0], [120.005, 120.015, 110.0]
    assert list(loc.locate_many(lats, lons)) == [1, 2, -1]


def test_it_puts_a_point_on_a_shared_edge_in_exactly_one_grid():
    assert _locator().locate(35.905, 120.01) in (1, 2)


def test_it_round_trips_gcj02_within_a_centimetre():
    lat, lon = 35.9051, 120.0153
    g = wgs84_to_gcj02(lat, lon)
    assert g != (lat, lon)
    back = gcj02_to_wgs84(*g)
    assert abs(back[0] - lat) < 1e-7 and abs(back[1] - lon) < 1e-7


def test_it_rejects_a_polygon_that_is_not_closed():
    ring = [[120, 35], [121, 35], [121, 36], [120, 36]]
    with pytest.raises(ValidationError, match="未闭合"):
        parse_polygon(json.dumps({"type": "Polygon", "coordinates": [ring + [[120.5, 35.5]]]}))


def test_it_rejects_a_self_intersecting_polygon():
    ring = [[120, 35], [121, 36], [121, 35], [120, 36], [120, 35]]
    with pytest.raises(ValidationError, match="自相交"):
        parse_polygon({"type": "Polygon", "coordinates": [ring]})
