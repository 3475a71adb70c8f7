"""Grid boundaries from surveyors (issue 15, item 4b): the administrator imports the tree's polygons from GeoJSON
or a Shapefile in WGS-84 or GCJ-02, sees every feature's errors, nothing saved on an error unless asked, and
exports the tree as a GeoJSON FeatureCollection — page, API and `gridgov boundaries`."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
import shapefile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import shape

from gridgov.core.geo import wgs84_to_gcj02
from gridgov.core.models import ChangeRecord
from gridgov.network.models import Division

REGION = "370211107201001"
GRID_C = "370211107201001003"


def ring(lon: float, lat: float, w: float, h: float) -> list[list[float]]:
    return [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]


def feature(code: str, name: str, coords: list, parent: str = REGION) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name, "parent_code": parent},
            "geometry": {"type": "Polygon", "coordinates": [coords]}}


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def upload(client, data: bytes, name: str = "grids.geojson", crs: str = "wgs84", save_valid: str = "0"):
    return client.post("/network/boundaries/import/", {"file": SimpleUploadedFile(name, data), "crs": crs,
                                                       "save_valid": save_valid})


def report_of(html: str) -> str:
    return html[html.index('id="boundary-report"'):]


# The top half of the region (the world's grids A and B fill its bottom half): grid C closes the gap.
TOP_HALF = ring(120.0, 35.91, 0.02, 0.01)


def test_the_administrator_imports_a_new_base_grid_under_its_region(world, client_for):
    resp = upload(client_for("admin"), collection(feature(GRID_C, "网格C", TOP_HALF)))
    grid = Division.objects.get(code=GRID_C)
    assert resp.status_code == 302 and grid.parent == world.region and grid.town == world.town
    assert ChangeRecord.objects.filter(model="network.division", object_id=str(grid.pk), action="create").exists()


def test_a_gcj02_file_is_stored_in_wgs84(world, client_for):
    gcj = [list(reversed(wgs84_to_gcj02(lat, lon))) for lon, lat in TOP_HALF]
    gcj[-1] = gcj[0]
    upload(client_for("admin"), collection(feature(GRID_C, "网格C", gcj)), crs="gcj02")
    stored = shape(json.loads(Division.objects.get(code=GRID_C).polygon))
    assert stored.symmetric_difference(shape({"type": "Polygon", "coordinates": [TOP_HALF]})).area < 1e-9


def test_a_self_intersecting_polygon_is_named_and_nothing_is_saved(world, client_for):
    bowtie = [[120.0, 35.91], [120.02, 35.92], [120.02, 35.91], [120.0, 35.92], [120.0, 35.91]]
    resp = upload(client_for("admin"), collection(feature(GRID_C, "网格C", bowtie)))
    assert resp.status_code == 422 and "自相交" in report_of(resp.content.decode())
    assert not Division.objects.filter(code=GRID_C).exists()


def test_an_overlap_with_a_neighbour_is_named(world, client_for):
    resp = upload(client_for("admin"), collection(feature(GRID_C, "网格C", ring(120.005, 35.905, 0.015, 0.015))))
    assert "与已有的相邻区划“网格A”重叠" in report_of(resp.content.decode())


def test_two_features_of_the_file_overlapping_each_other_are_both_named(world, client_for):
    resp = upload(client_for("admin"), collection(
        feature(GRID_C, "网格C", ring(120.0, 35.91, 0.012, 0.01)),
        feature("370211107201001004", "网格D", ring(120.01, 35.91, 0.01, 0.01))))
    report = report_of(resp.content.decode())
    assert "与相邻区划 #2" in report and "与相邻区划 #1" in report


def test_an_unknown_parent_code_is_named(world, client_for):
    resp = upload(client_for("admin"), collection(
        feature("370211107299001001", "网格X", TOP_HALF, parent="370211107299001")))
    assert "上级代码 370211107299001 不存在" in report_of(resp.content.decode())


def test_a_gap_the_grids_leave_in_their_region_is_named(world, client_for):
    resp = upload(client_for("admin"), collection(feature(GRID_C, "网格C", ring(120.0, 35.91, 0.01, 0.01))))
    assert "空隙" in report_of(resp.content.decode()) and not Division.objects.filter(code=GRID_C).exists()


def test_asked_to_it_saves_the_features_without_errors(world, client_for):
    resp = upload(client_for("admin"), collection(
        feature(REGION, "第一片区网格", ring(120.0, 35.9, 0.02, 0.02), parent="370211107201"),
        feature(GRID_C, "网格C", [[120.0, 35.91], [120.02, 35.92], [120.02, 35.91], [120.0, 35.92], [120.0, 35.91]])),
        save_valid="1")
    assert resp.status_code == 302 and not Division.objects.filter(code=GRID_C).exists()
    world.region.refresh_from_db()
    assert world.region.version == 2  # redrawn (the same square), audited as an update


def test_it_reads_a_zipped_shapefile(world, client_for):
    shp, shx, dbf = io.BytesIO(), io.BytesIO(), io.BytesIO()
    with shapefile.Writer(shp=shp, shx=shx, dbf=dbf, shapeType=shapefile.POLYGON, encoding="gbk") as w:
        w.field("CODE", "C", 18)
        w.field("NAME", "C", 50)
        w.field("PARENT", "C", 18)
        w.poly([list(reversed(TOP_HALF))])  # a Shapefile's outer ring runs clockwise
        w.record(GRID_C, "网格C", REGION)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for ext, part in (("shp", shp), ("shx", shx), ("dbf", dbf)):
            z.writestr(f"grids/grids.{ext}", part.getvalue())
        z.writestr("grids/grids.cpg", "GBK")
    upload(client_for("admin"), archive.getvalue(), name="grids.zip")
    assert Division.objects.get(code=GRID_C).name == "网格C"


def test_an_administrator_of_another_town_cannot_redraw_this_towns_grid(world):
    from gridgov.network.tests.test_department_settings import other_admin

    resp = upload(other_admin(world), collection(feature("370211107201001001", "网格A", ring(120.0, 35.9, 0.01, 0.01))))
    assert resp.status_code == 422 and "管辖范围以外" in report_of(resp.content.decode())


def test_the_export_is_a_feature_collection_of_the_administrators_tree(world, client_for):
    doc = json.loads(client_for("admin").get("/network/boundaries/export/").content)
    codes = {f["properties"]["code"]: f for f in doc["features"]}
    assert doc["type"] == "FeatureCollection" and "370211004001001001" not in codes
    assert codes["370211107201001001"]["geometry"]["type"] == "Polygon"
    assert codes["370211107201001001"]["properties"]["parent_code"] == REGION


def test_an_export_reimports_without_errors(world, client_for):
    c = client_for("admin")
    upload(c, collection(feature(GRID_C, "网格C", TOP_HALF)))  # closes the world's gap above grids A and B
    exported = c.get("/network/boundaries/export/?crs=gcj02").content
    grids = json.loads(exported)
    grids["features"] = [f for f in grids["features"] if f["properties"]["level"] == 5]
    resp = c.post("/api/v1/boundaries/import", {"file": SimpleUploadedFile("t.geojson", json.dumps(grids).encode()),
                                                "crs": "gcj02"})
    assert resp.status_code == 200 and resp.json()["updated"] == 3


def test_the_api_refuses_a_file_with_errors_naming_each_feature(world, client_for):
    resp = client_for("admin").post("/api/v1/boundaries/import", {
        "file": SimpleUploadedFile("t.geojson", collection(feature(GRID_C, "网格C", [[120.0, 35.9]])))})
    assert resp.status_code == 422 and "features.1" in resp.json()["errors"]


def test_a_grid_worker_may_not_import(world, client_for):
    resp = client_for("worker_a").post("/api/v1/boundaries/import", {
        "file": SimpleUploadedFile("t.geojson", collection(feature(GRID_C, "网格C", TOP_HALF)))})
    assert resp.status_code == 403 and not Division.objects.filter(code=GRID_C).exists()


def test_the_command_imports_and_exports(world, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_bytes(collection(feature(GRID_C, "网格C", TOP_HALF)))
    call_command("boundaries", "import", str(path), "--user", world.admin.username, stdout=io.StringIO())
    out = tmp_path / "out.geojson"
    call_command("boundaries", "export", "--user", world.admin.username, "-o", str(out))
    assert GRID_C in out.read_text(encoding="utf-8")


def test_the_command_stops_on_errors(world, tmp_path):
    path = tmp_path / "grids.geojson"
    path.write_bytes(collection(feature(GRID_C, "网格C", ring(120.0, 35.91, 0.01, 0.01))))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("boundaries", "import", str(path), "--user", world.admin.username, stderr=io.StringIO())


def test_a_damaged_shapefile_is_named_under_the_file_field(world, client_for):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("g.shp", b"\x00" * 120)
        z.writestr("g.shx", b"\x00" * 20)
        z.writestr("g.dbf", b"\x03garbage")
    resp = upload(client_for("admin"), archive.getvalue(), name="g.zip")
    assert resp.status_code == 422 and "无法读取 Shapefile" in resp.content.decode()
