"""A grid worker on foot, or a resident's phone, sends a point: gridgov answers which base grid holds it."""

from gridgov.core.geo import wgs84_to_gcj02


def test_it_locates_a_point_in_grid_a(world, client_for):
    lat, lon = world.point_a
    body = client_for("leader").get(f"/api/v1/grids/locate?lat={lat}&lon={lon}").json()
    assert (body["grid_code"], body["town"]) == (world.grid_a.code, "泊里镇")


def test_it_converts_gcj02_coordinates_from_chinese_map_apps(world, client_for):
    glat, glon = wgs84_to_gcj02(*world.point_b)
    body = client_for("leader").get(f"/api/v1/grids/locate?lat={glat}&lon={glon}&crs=gcj02").json()
    assert body["grid_id"] == world.grid_b.pk


def test_it_says_a_point_outside_every_grid_is_outside_the_jurisdiction(world, client_for):
    lat, lon = world.point_outside
    resp = client_for("leader").get(f"/api/v1/grids/locate?lat={lat}&lon={lon}")
    assert resp.status_code == 422 and "超出辖区范围" in resp.json()["errors"]["location"][0]


def test_it_does_not_reveal_another_towns_grid(world, client_for):
    lat, lon = world.point_other
    resp = client_for("leader").get(f"/api/v1/grids/locate?lat={lat}&lon={lon}")
    assert resp.status_code == 422 and "辛安" not in resp.content.decode()


def test_it_rejects_latitude_out_of_range(world, client_for):
    assert client_for("leader").get("/api/v1/grids/locate?lat=95&lon=120").status_code == 422


def test_it_sees_a_redrawn_grid_at_once(world):
    """Another process changed a polygon: GeoState moves, so the cached locator is rebuilt."""
    from gridgov.network import services
    from gridgov.network.selectors import locate
    from gridgov.testing import square

    assert locate(lat=35.905, lon=120.015).pk == world.grid_b.pk
    # Shrink B and grow A over the same area (B first, so they never overlap).
    services.division_update(acting_user=world.admin, division=world.grid_b,
                             data={"polygon": square(120.015, 35.9, 0.005)})
    a_bigger = ('{"type":"Polygon","coordinates":[[[120.0,35.9],[120.015,35.9],[120.015,35.91],'
                '[120.0,35.91],[120.0,35.9]]]}')
    services.division_update(acting_user=world.admin, division=world.grid_a, data={"polygon": a_bigger})
    assert locate(lat=35.905, lon=120.012).pk == world.grid_a.pk
