"""Importing register files: every bad input gets a clear error naming row, column and reason, and a file
with a bad row imports nothing unless the user asks for the good rows only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from gridgov.core.errors import GridgovError, PermissionDenied, ValidationFailed
from gridgov.core.models import ChangeRecord
from gridgov.register import services
from gridgov.register.models import Enterprise, Household, ImportRun, Resident, ResidentTag

from .files import RESIDENT_HEADER, csv_file, ids, resident_row, xlsx


def run(world, who: str, file, partial: bool = False):
    return services.resident_import(acting_user=world.people[who], file=file, partial=partial)


def reasons(result) -> list[tuple[int, str, str]]:
    return [(row, column, reason) for row, column, _value, reason in result.errors]


def test_it_imports_a_valid_xlsx_deriving_sex_birth_and_tags(world):
    a = world.grid_a.code
    rows = [resident_row(a, i, 标签="党员、低保") for i in ids(3)]
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, rows))
    assert (result.imported, result.error_count) == (3, 0)
    r = Resident.objects.get(id_number=ids(1)[0])
    assert (r.sex, str(r.birth_date), r.grid_id, sorted(r.tags)) == ("M", "1990-01-02", world.grid_a.pk,
                                                                     ["dibao", "party_member"])


def test_it_audits_every_imported_row(world):
    run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, i) for i in ids(4)]))
    assert ChangeRecord.objects.filter(model="register.resident", action="create", actor="worker_a").count() == 4


def test_it_reads_csv_with_a_bom(world):
    f = csv_file(RESIDENT_HEADER, [resident_row(world.grid_a.code, i) for i in ids(2)])
    assert run(world, "worker_a", f).imported == 2


def test_it_reads_csv_saved_as_gb18030(world):
    f = csv_file(RESIDENT_HEADER, [resident_row(world.grid_a.code, i, name="张三丰") for i in ids(2)],
                 encoding="gb18030")
    run(world, "worker_a", f)
    assert set(Resident.objects.values_list("name", flat=True)) == {"张三丰"}


def test_it_rejects_the_whole_file_for_one_bad_checksum_naming_row_and_column(world):
    good = ids(2)
    rows = [resident_row(world.grid_a.code, good[0]), resident_row(world.grid_a.code, "110105194912310021"),
            resident_row(world.grid_a.code, good[1])]
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, rows))
    assert result.rejected and reasons(result) == [(3, "身份证号", "身份证号校验位错误")]
    assert Resident.objects.count() == 0 and ChangeRecord.objects.filter(model="register.resident").count() == 0


def test_it_rejects_an_impossible_birth_date(world):
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, "370211199002300011")]))
    assert "出生日期" in result.errors[0][3] and result.errors[0][1] == "身份证号" and Resident.objects.count() == 0


def test_it_rejects_a_phone_of_the_wrong_shape(world):
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0],
                                                                         手机号="12345")]))
    assert result.errors[0][1] == "手机号" and "11位" in result.errors[0][3] and Resident.objects.count() == 0


def test_it_rejects_a_duplicate_id_inside_the_file(world):
    one = ids(1)[0]
    rows = [resident_row(world.grid_a.code, one), resident_row(world.grid_a.code, one)]
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, rows))
    assert reasons(result) == [(3, "身份证号", "与第 2 行重复")] and Resident.objects.count() == 0


def test_it_rejects_an_id_already_registered_in_the_town(world):
    one = ids(1)[0]
    services.resident_create(acting_user=world.worker_b, data={"name": "李", "id_number": one,
                                                                 "grid": world.grid_b.pk})
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, one)]))
    assert reasons(result) == [(2, "身份证号", "该身份证号已在本镇街登记")] and Resident.objects.count() == 1


def test_it_rejects_a_grid_code_of_another_town(world):
    result = run(world, "admin",
                 xlsx(RESIDENT_HEADER, [resident_row(world.other_grid.code, ids(1)[0])]))
    assert result.errors[0][1] == "网格代码" and "不在您的管辖范围内" in result.errors[0][3]
    assert Resident.objects.count() == 0


def test_worker_b_cannot_import_into_grid_a(world):
    result = run(world, "worker_b", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0])]))
    assert result.rejected and result.errors[0][1] == "网格代码" and Resident.objects.count() == 0


def test_it_rejects_a_household_of_another_town(world):
    Household.objects.create(number="X1", address="辛安1号", grid=world.other_grid, town=world.other_town)
    result = run(world, "admin", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0], 户编号="X1")]))
    assert reasons(result) == [(2, "户编号", "户编号“X1”不存在或不属于本镇街")] and Resident.objects.count() == 0


def test_it_names_the_missing_columns_and_imports_nothing(world):
    header = ["姓名", "手机号", "住址"]
    with pytest.raises(ValidationFailed) as exc:
        run(world, "worker_a", xlsx(header, [["王", "13812345678", "一号"]]))
    assert "身份证号、网格代码" in exc.value.errors["columns"][0] and Resident.objects.count() == 0


def test_it_rejects_a_corrupt_xlsx(world):
    f = SimpleUploadedFile("residents.xlsx", b"PK\x03\x04 this is not really a zip at all")
    with pytest.raises(ValidationFailed) as exc:
        run(world, "worker_a", f)
    assert "损坏" in exc.value.errors["file"][0]


def test_it_rejects_a_file_that_is_not_a_spreadsheet(world):
    with pytest.raises(ValidationFailed) as exc:
        run(world, "worker_a", SimpleUploadedFile("residents.pdf", b"%PDF-1.4 ..."))
    assert "只接受 .xlsx 或 .csv" in exc.value.errors["file"][0]


def test_it_rejects_a_renamed_binary_as_csv(world):
    with pytest.raises(ValidationFailed) as exc:
        run(world, "worker_a", SimpleUploadedFile("residents.csv", b"\x00\x01\x02binary"))
    assert "CSV" in exc.value.errors["file"][0]


@override_settings(GRIDGOV_IMPORT_MAX_BYTES=1000)
def test_it_rejects_an_oversized_upload(world):
    rows = [resident_row(world.grid_a.code, i) for i in ids(40)]
    with pytest.raises(GridgovError) as exc:
        run(world, "worker_a", csv_file(RESIDENT_HEADER, rows))
    assert exc.value.status == 413 and "文件过大" in exc.value.errors["file"][0] and Resident.objects.count() == 0


def test_partial_mode_imports_only_the_good_rows(world):
    good = ids(2)
    rows = [resident_row(world.grid_a.code, good[0]), resident_row(world.grid_a.code, "110105194912310021"),
            resident_row(world.grid_a.code, good[1])]
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, rows), partial=True)
    assert (result.imported, result.error_count, result.rejected) == (2, 1, False)
    assert set(Resident.objects.values_list("id_number", flat=True)) == set(good)


def test_it_never_imports_half_a_row(world):
    rows = [resident_row(world.grid_a.code, ids(1)[0], 标签="党员、外星人")]
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, rows), partial=True)
    assert reasons(result) == [(2, "标签", "未知标签：外星人")]
    assert (Resident.objects.count(), ResidentTag.objects.count()) == (0, 0)


def test_it_keeps_a_report_of_the_run(world):
    result = run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, "110105194912310021")]))
    stored = ImportRun.objects.get(pk=result.run.pk)
    assert (stored.error_count, stored.errors[0][0], stored.errors[0][2]) == (1, 2, "110105********0021")


def test_a_leader_without_add_rights_cannot_import(world):
    with pytest.raises(PermissionDenied):
        run(world, "leader", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0])]))


def test_it_imports_households_and_then_residents_into_them(world):
    services.household_import(acting_user=world.worker_a, file=xlsx(
        ["户编号", "住址", "网格代码"], [["H1", "一号", world.grid_a.code]], name="h.xlsx"))
    run(world, "worker_a", xlsx(RESIDENT_HEADER, [resident_row(world.grid_a.code, ids(1)[0], 户编号="H1",
                                                                与户主关系="户主")]))
    r = Resident.objects.get()
    assert (r.household.number, r.relation) == ("H1", "head")


def test_it_rejects_an_enterprise_outside_the_town(world):
    header = ["企业名称", "统一社会信用代码", "行业", "规模", "法定代表人", "地址", "纬度", "经度"]
    row = ["某公司", "91350100M000100Y43", "制造业", "小型", "李四", "某地", *world.point_outside]
    result = services.enterprise_import(acting_user=world.admin, file=xlsx(header, [row], name="e.xlsx"))
    assert result.errors[0][1] == "纬度" and "超出辖区范围" in result.errors[0][3] and Enterprise.objects.count() == 0


def test_it_imports_an_enterprise_into_the_grid_of_its_location(world):
    header = ["企业名称", "统一社会信用代码", "行业", "规模", "法定代表人", "地址", "纬度", "经度", "重点企业"]
    row = ["某公司", "91350100M000100Y43", "制造业", "小型", "李四", "某地", *world.point_a, "是"]
    services.enterprise_import(acting_user=world.admin, file=xlsx(header, [row], name="e.xlsx"))
    e = Enterprise.objects.get()
    assert (e.grid_id, e.is_key, e.scale) == (world.grid_a.pk, True, "small")
