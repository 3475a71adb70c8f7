"""Network pages: the map, the division tree and the polygon edit form."""

from __future__ import annotations

import json

import pytest

from gridgov.testing import square


@pytest.mark.parametrize("who", ["worker_a", "grid_leader", "leader", "admin"])
def test_it_renders_the_map_for_staff(world, client_for, who):
    resp = client_for(who).get("/network/map/")
    assert resp.status_code == 200 and b'id="grids-data"' in resp.content


def test_it_puts_only_the_workers_grid_on_the_map_with_the_town_outline(world, client_for):
    resp = client_for("worker_a").get("/network/map/")
    grids = json.loads(resp.content.decode().split('id="grids-data" type="application/json">')[1].split("</script>")[0])
    outlines = resp.context["outlines"]
    assert [g["name"] for g in grids] == ["网格A"] and [o["name"] for o in outlines] == ["泊里镇"]


def test_it_shows_the_tree_of_the_leaders_town_only(world, client_for):
    html = client_for("leader").get("/network/divisions/").content.decode()
    assert "网格A" in html and "辛安" not in html


def test_it_answers_404_for_a_division_of_another_town(world, client_for):
    assert client_for("leader").get(f"/network/divisions/{world.other_grid.pk}/").status_code == 404


def test_it_forbids_the_edit_form_to_a_leader(world, client_for):
    assert client_for("leader").get(f"/network/divisions/{world.grid_a.pk}/edit/").status_code == 403


def _edit(client, d, **data):
    form = {"name": d.name, "grid_type": d.grid_type, "polygon": d.polygon, "version": d.version, **data}
    return client.post(f"/network/divisions/{d.pk}/edit/", form)


def test_it_rejects_a_polygon_overlapping_a_neighbour_next_to_the_field(world, client_for):
    resp = _edit(client_for("admin"), world.grid_a, polygon=square(120.005, 35.9, 0.01))
    html = resp.content.decode()
    assert resp.status_code == 422 and "重叠" in html[html.index('data-field="polygon"'):]


def test_it_rejects_a_polygon_that_is_not_closed(world, client_for):
    ring = [[120.0, 35.9], [120.01, 35.9], [120.01, 35.91], [120.0, 35.91]]
    resp = _edit(client_for("admin"), world.grid_a, polygon=json.dumps({"type": "Polygon", "coordinates": [ring]}))
    assert resp.status_code == 422 and "未闭合" in resp.content.decode()


def test_it_saves_a_new_name_and_type(world, client_for):
    resp = _edit(client_for("admin"), world.grid_a, name="网格甲", grid_type="urban")
    world.grid_a.refresh_from_db()
    assert resp.status_code == 302 and (world.grid_a.name, world.grid_a.grid_type) == ("网格甲", "urban")


def test_the_public_report_page_draws_every_towns_outline_and_no_grid(world, client_for):
    """A resident with no account pins the place on a map that shows the jurisdiction without tiles: each
    town's outline, never its grids."""
    from gridgov.network.models import Division, Level

    # Two more grids of 泊里镇 east of 网格B, drawn by hand: a hairline gap (a millionth of a metre) between
    # them and 网格B must not split the town's outline.
    gap = 120.02 + 1e-11
    Division.objects.create(parent=world.region, level=Level.BASE_GRID, code="370211107201001090", name="边界网格",
                            town=world.town, path=f"{world.region.path}x/", polygon=square(gap, 35.9, 0.01))
    resp = client_for(None).get("/cases/report/")
    outlines = {o["name"]: json.loads(o["geojson"]) for o in resp.context["outlines"]}
    assert sorted(outlines) == ["泊里镇", "辛安街道"]
    html = resp.content.decode()
    assert 'id="grids-data"' not in html and "网格A" not in html and "边界网格" not in html
    boli = outlines["泊里镇"]
    assert boli["type"] == "Polygon" and len(boli["coordinates"]) == 1  # one piece, no hole


def test_the_department_clerks_case_map_shows_the_outline_of_the_departments_town(world, client_for):
    """部门科员丁 sees no grid, but the cases of her department lie in 泊里镇: the map draws that town's outline
    (and no other town's) so the points do not float on a blank page."""
    resp = client_for("clerk").get("/cases/map/")
    assert resp.status_code == 200
    assert [o["name"] for o in resp.context["outlines"]] == ["泊里镇"]
    assert 'id="grids-data"' not in resp.content.decode()
