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


def test_it_agrees_with_brute_force_on_irregular_grids_and_points_outside():
    import numpy as np
    import shapely

    rng = np.random.default_rng(3)
    side, step = 8, 0.01
    gx, gy = np.meshgrid(120 + np.arange(side + 1) * step, 35.9 + np.arange(side + 1) * step)
    gx[1:-1, 1:-1] += rng.uniform(-0.003, 0.003, (side - 1, side - 1))
    gy[1:-1, 1:-1] += rng.uniform(-0.003, 0.003, (side - 1, side - 1))
    polys = [shapely.Polygon([(gx[i, j], gy[i, j]), (gx[i, j + 1], gy[i, j + 1]), (gx[i + 1, j + 1], gy[i + 1, j + 1]),
                              (gx[i + 1, j], gy[i + 1, j])]) for i in range(side) for j in range(side)]
    loc = Locator(list(enumerate(polys, start=1)))
    lats, lons = rng.uniform(35.89, 35.99, 3000), rng.uniform(119.99, 120.09, 3000)
    expected = []
    for lat, lon in zip(lats, lons, strict=True):
        hits = [k for k, p in enumerate(polys, start=1) if p.contains(shapely.Point(lon, lat))]
        expected.append(hits[0] if hits else -1)
    assert list(loc.locate_many(lats, lons)) == expected
