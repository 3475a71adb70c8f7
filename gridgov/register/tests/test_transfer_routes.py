"""Import and export through the API, the pages and the `gridgov import` / `gridgov export` commands: the
same services and selectors behind each."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from python_calamine import CalamineWorkbook

from gridgov.core.models import AccessLog
from gridgov.register import services
from gridgov.register.models import Household, ImportRun, Resident

from .files import RESIDENT_HEADER, csv_file, ids, resident_row, xlsx

BAD_ID = "110105194912310021"


def _bad_file(world):
    return xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0]),
                                  resident_row(world.grid_a.code, BAD_ID)])


def _body(resp) -> bytes:
    return b"".join(resp.streaming_content) if resp.streaming else resp.content


# ------------------------------------------------------------------------------------------------ API

def test_it_imports_through_the_api(world, client_for):
    f = xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, i) for i in ids(2)])
    resp = client_for("worker_a").post("/api/v1/register/residents/import", {"file": f})
    assert resp.status_code == 200, resp.content
    assert (resp.json()["code"], resp.json()["imported"]) == ("imported", 2)


def test_the_api_answers_422_with_row_errors_for_a_rejected_file(world, client_for):
    resp = client_for("worker_a").post("/api/v1/register/residents/import", {"file": _bad_file(world)})
    body = resp.json()
    assert resp.status_code == 422 and body["code"] == "rejected" and body["imported"] == 0
    assert body["row_errors"] == [{"row": 3, "column": "身份证号", "value": "110105********0021",
                                   "reason": "身份证号校验位错误"}]
    assert Resident.objects.count() == 0


def test_the_api_imports_good_rows_when_asked(world, client_for):
    resp = client_for("worker_a").post("/api/v1/register/residents/import",
                                       {"file": _bad_file(world), "partial": "true"})
    assert (resp.status_code, resp.json()["code"], Resident.objects.count()) == (200, "partial", 1)


def test_the_api_names_missing_columns(world, client_for):
    f = csv_file(["姓名", "住址"], [["王", "一号"]])
    resp = client_for("worker_a").post("/api/v1/register/residents/import", {"file": f})
    assert resp.status_code == 422 and "身份证号" in resp.json()["errors"]["columns"][0]


@override_settings(GRIDGOV_IMPORT_MAX_BYTES=500)
def test_the_api_refuses_an_oversized_upload(world, client_for):
    f = csv_file(RESIDENT_HEADER, [resident_row(world.grid_a.code, i) for i in ids(30)])
    resp = client_for("worker_a").post("/api/v1/register/residents/import", {"file": f})
    assert resp.status_code == 413 and "文件过大" in resp.json()["detail"]


def test_the_report_of_a_run_downloads_through_the_api_for_its_importer_only(world, client_for):
    run_id = client_for("worker_a").post("/api/v1/register/residents/import",
                                         {"file": _bad_file(world)}).json()["run_id"]
    mine = client_for("worker_a").get(f"/api/v1/register/imports/{run_id}/report?format=csv")
    theirs = client_for("worker_b").get(f"/api/v1/register/imports/{run_id}/report?format=csv")
    assert mine.status_code == 200 and "校验位" in _body(mine).decode("utf-8-sig") and theirs.status_code == 404


def test_it_exports_through_the_api_with_the_list_filters(world, client_for):
    services.resident_create(acting_user=world.admin, data={"name": "甲", "id_number": ids(1)[0],
                                                            "grid": world.grid_a.pk, "tags": ["dibao"]})
    services.resident_create(acting_user=world.admin, data={"name": "乙", "id_number": ids(1, 5)[0],
                                                            "grid": world.grid_a.pk})
    resp = client_for("leader").get("/api/v1/register/residents/export?format=csv&tag=dibao")
    text = _body(resp).decode("utf-8-sig")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert "甲" in text and "乙" not in text and AccessLog.objects.get().count == 1


def test_the_openapi_document_describes_the_file_routes(world, client_for):
    paths = client_for("admin").get("/api/v1/openapi.json").json()["paths"]
    export = paths["/api/v1/register/residents/export"]["get"]
    assert "multipart/form-data" in paths["/api/v1/register/residents/import"]["post"]["requestBody"]["content"]
    assert "text/csv" in export["responses"]["200"]["content"]
    assert {"format", "unmask", "reason", "tag"} <= {p["name"] for p in export["parameters"]}


# ---------------------------------------------------------------------------------------------- pages

def test_the_import_page_shows_the_columns_and_the_template(world, client_for):
    resp = client_for("worker_a").get("/register/residents/import/")
    assert resp.status_code == 200 and "身份证号" in resp.content.decode() and "template" in resp.content.decode()


def test_a_rejected_upload_leads_to_the_report_page(world, client_for):
    c = client_for("worker_a")
    resp = c.post("/register/residents/import/", {"file": _bad_file(world)})
    run = ImportRun.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/register/imports/{run.pk}/"
    page = c.get(resp["Location"]).content.decode()
    assert "未导入任何记录" in page and "身份证号校验位错误" in page


def test_the_report_page_downloads_as_xlsx(world, client_for):
    c = client_for("worker_a")
    c.post("/register/residents/import/", {"file": _bad_file(world)})
    resp = c.get(f"/register/imports/{ImportRun.objects.get().pk}/report/?format=xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(_body(resp))).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["行号", "列", "内容", "原因"] and sheet[1][3] == "身份证号校验位错误"


def test_the_import_page_names_a_corrupt_file(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client_for("worker_a").post("/register/residents/import/",
                                       {"file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04broken")})
    assert resp.status_code == 422 and "损坏" in resp.content.decode()


def test_the_list_page_offers_export_with_the_current_filters(world, client_for):
    page = client_for("leader").get("/register/residents/?tag=dibao").content.decode()
    assert "/register/residents/export/?tag=dibao&amp;format=xlsx" in page
    assert "/register/residents/import/" not in page  # a leader may not add residents


def test_the_export_page_route_streams_the_file(world, client_for):
    resp = client_for("leader").get("/register/households/export/?format=csv")
    assert resp.status_code == 200 and _body(resp).decode("utf-8-sig").startswith("户编号")


# ------------------------------------------------------------------------------------------------ CLI

def test_gridgov_import_imports_a_file_as_the_user(world, tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(csv_file(["户编号", "住址", "网格代码"], [["H9", "九号", world.grid_a.code]]).read())
    call_command("import", "households", str(path), "--as", "worker_a")
    assert Household.objects.get().number == "H9"


def test_gridgov_import_fails_naming_the_bad_row_and_writes_the_report(world, tmp_path):
    path, report = tmp_path / "r.xlsx", tmp_path / "errors.csv"
    path.write_bytes(_bad_file(world).read())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "residents", str(path), "--as", "worker_a", "--report", str(report), stdout=out)
    assert "第 3 行 身份证号" in out.getvalue() and "校验位" in report.read_text(encoding="utf-8-sig")
    assert Resident.objects.count() == 0


def test_gridgov_import_partial_imports_the_good_rows(world, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(_bad_file(world).read())
    with pytest.raises(CommandError):
        call_command("import", "residents", str(path), "--as", "worker_a", "--partial", stdout=io.StringIO())
    assert Resident.objects.count() == 1


def test_gridgov_export_writes_a_filtered_masked_file_and_logs_it(world, tmp_path):
    services.resident_create(acting_user=world.admin, data={"name": "甲", "id_number": ids(1)[0],
                                                            "grid": world.grid_a.pk, "tags": ["dibao"]})
    out = tmp_path / "out.csv"
    call_command("export", "residents", str(out), "--as", "leader", "--filter", "tag=dibao", stdout=io.StringIO())
    assert "********" in out.read_text(encoding="utf-8-sig") and AccessLog.objects.get().kind == "export"


def test_gridgov_export_refuses_clear_data_to_a_leader(world, tmp_path):
    with pytest.raises(CommandError):
        call_command("export", "residents", str(tmp_path / "o.xlsx"), "--as", "leader", "--unmask", "--reason",
                     "核查", stdout=io.StringIO(), stderr=io.StringIO())
