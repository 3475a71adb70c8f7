"""Exporting register lists: the list's filters, masked by default, in clear only for roles that may see
every exported row, and every export written to the access log."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from gridgov.core.errors import PermissionDenied, ValidationFailed
from gridgov.core.models import AccessLog
from gridgov.register import selectors, services

from .files import ids


def _resident(world, id_number: str, grid=None, tags=None, who="admin") -> None:
    services.resident_create(acting_user=world.people[who], data={
        "name": "王小明", "id_number": id_number, "phone": "13812345678", "grid": (grid or world.grid_a).pk,
        "tags": tags or []})


def rows_of(export) -> list[list[str]]:
    data = b"".join(export.chunks)
    if export.filename.endswith(".csv"):
        text = data.decode("utf-8-sig")
        return [line.split(",") for line in text.strip().splitlines()]
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return [[str(c) for c in row] for row in sheet]


@pytest.fixture
def two_residents(world):
    a, b = ids(2)
    _resident(world, a, tags=["dibao"])
    _resident(world, b, grid=world.grid_b)
    return a, b


def test_it_exports_masked_ids_and_phones_by_default(world, two_residents):
    rows = rows_of(selectors.export_list(user=world.leader, kind="residents", fmt="xlsx"))
    assert rows[0][:2] == ["姓名", "身份证号"] and {r[1] for r in rows[1:]} == {
        two_residents[0][:6] + "********" + two_residents[0][-4:],
        two_residents[1][:6] + "********" + two_residents[1][-4:]}
    assert {r[4] for r in rows[1:]} == {"138****5678"}


def test_it_logs_a_masked_export_with_count_and_fields(world, two_residents):
    b"".join(selectors.export_list(user=world.leader, kind="residents", fmt="csv").chunks)
    log = AccessLog.objects.get(user=world.leader)
    assert (log.kind, log.count, log.fields) == ("export", 2, "name,address,id_number(masked),phone(masked)")


def test_it_applies_the_list_filters(world, two_residents):
    rows = rows_of(selectors.export_list(user=world.leader, kind="residents", filters={"tag": "dibao"}, fmt="csv"))
    assert len(rows) == 2 and rows[1][1].endswith(two_residents[0][-4:])


def test_a_grid_leader_exports_in_clear_with_a_reason_and_it_is_logged(world, two_residents):
    rows = rows_of(selectors.export_list(user=world.grid_leader, kind="residents", fmt="xlsx", unmask=True,
                                         reason="低保复核"))
    assert {r[1] for r in rows[1:]} == set(two_residents)
    log = AccessLog.objects.get(user=world.grid_leader)
    assert (log.count, log.fields, log.reason) == (2, "name,address,id_number,phone", "低保复核")


def test_it_refuses_clear_export_without_a_reason(world, two_residents):
    with pytest.raises(ValidationFailed) as exc:
        selectors.export_list(user=world.grid_leader, kind="residents", unmask=True)
    assert "reason" in exc.value.errors and not AccessLog.objects.exists()


def test_a_leader_without_view_pii_cannot_export_in_clear(world, two_residents):
    with pytest.raises(PermissionDenied):
        selectors.export_list(user=world.leader, kind="residents", unmask=True, reason="核查")
    assert not AccessLog.objects.exists()


def test_a_grid_worker_without_export_rights_cannot_export(world, two_residents):
    with pytest.raises(PermissionDenied):
        selectors.export_list(user=world.worker_a, kind="residents")


def test_the_other_town_exports_none_of_our_rows(world, two_residents):
    rows = rows_of(selectors.export_list(user=world.other_leader, kind="residents", fmt="csv"))
    assert rows == [rows[0]]


def test_it_writes_csv_with_a_bom_for_excel(world, two_residents):
    data = b"".join(selectors.export_list(user=world.leader, kind="households", fmt="csv").chunks)
    assert data.startswith(b"\xef\xbb\xbf") and "户编号" in data.decode("utf-8-sig")


def test_an_exported_file_imports_back_unchanged(world, two_residents, tmp_path):
    data = b"".join(selectors.export_list(user=world.grid_leader, kind="residents", fmt="xlsx", unmask=True,
                                          reason="迁移").chunks)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.register.models import Resident

    Resident.objects.all().delete()
    result = services.resident_import(acting_user=world.grid_leader,
                                      file=SimpleUploadedFile("back.xlsx", data))
    assert (result.imported, result.ignored_columns) == (2, ["性别", "出生日期", "所属网格"])
    assert set(Resident.objects.values_list("id_number", flat=True)) == set(two_residents)


def test_the_template_has_every_column_and_an_example(world):
    rows = rows_of(selectors.import_template(kind="residents", fmt="xlsx"))
    assert rows[0] == ["姓名", "身份证号", "手机号", "网格代码", "户编号", "与户主关系", "住址", "标签"]
    assert rows[1][1] == "11010519491231002X"
