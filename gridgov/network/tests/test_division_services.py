"""An administrator redraws grids; overlapping or broken polygons are refused and nothing changes."""

import json

import pytest

from gridgov.core.errors import NotFound, ValidationFailed
from gridgov.core.models import ChangeRecord
from gridgov.network import services
from gridgov.network.models import Division, Level
from gridgov.testing import square


def test_it_refuses_a_polygon_overlapping_a_neighbour_and_names_it(world):
    with pytest.raises(ValidationFailed) as exc:
        services.division_update(acting_user=world.admin, division=world.grid_a,
                                 data={"polygon": square(120.005, 35.9, 0.01)})
    assert "网格B" in exc.value.errors["polygon"][0]
    world.grid_a.refresh_from_db()
    assert world.grid_a.polygon == square(120.0, 35.9, 0.01)


def test_it_refuses_a_polygon_that_is_not_closed(world):
    ring = [[120.0, 35.9], [120.01, 35.9], [120.01, 35.91], [120.0, 35.91], [120.0, 35.905]]
    with pytest.raises(ValidationFailed) as exc:
        services.division_update(acting_user=world.admin, division=world.grid_a,
                                 data={"polygon": json.dumps({"type": "Polygon", "coordinates": [ring]})})
    assert "未闭合" in exc.value.errors["polygon"][0]


def test_it_accepts_a_grid_touching_its_neighbour_along_an_edge(world):
    services.division_update(acting_user=world.admin, division=world.grid_a,
                             data={"polygon": square(120.0, 35.9, 0.01), "name": "网格A（新）"})
    assert Division.objects.get(pk=world.grid_a.pk).name == "网格A（新）"


def test_a_grid_worker_cannot_redraw_their_grid(world):
    with pytest.raises(NotFound):
        services.division_update(acting_user=world.worker_a, division=world.grid_a, data={"name": "改名"})


def test_another_towns_admin_cannot_touch_this_towns_grid(world):
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    RoleAssignment.objects.create(user=world.other_leader, role=Role.ADMIN, division=world.other_town)
    with pytest.raises(NotFound):
        services.division_update(acting_user=world.other_leader, division=world.grid_a, data={"name": "改名"})


def test_it_creates_a_base_grid_with_its_path_town_and_area_and_audits_it(world):
    g = services.division_create(acting_user=world.admin, parent=world.region, level=Level.BASE_GRID,
                                 code="370211107201001003", name="网格C", polygon=square(120.0, 35.91, 0.01),
                                 grid_type="urban")
    assert (g.path, g.town_id, round(g.area_km2, 1)) == (world.region.path + "370211107201001003/",
                                                         world.town.pk, 1.0)
    assert ChangeRecord.objects.filter(model="network.division", object_id=str(g.pk), action="create").exists()


def test_it_refuses_a_base_grid_without_a_boundary(world):
    with pytest.raises(ValidationFailed) as exc:
        services.division_create(acting_user=world.admin, parent=world.region, level=Level.BASE_GRID,
                                 code="370211107201001003", name="网格C")
    assert "polygon" in exc.value.errors
