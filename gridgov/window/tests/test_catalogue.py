"""The catalogue: search in Chinese and by pinyin initials, what each reader sees, revisions that applications
keep, and the .xlsx round trip."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gridgov.core.errors import ValidationFailed
from gridgov.window import selectors, services
from gridgov.window.models import Catalogue, ServiceItem

from .conftest import apply_online


def test_it_gives_pinyin_initials_of_an_item_name():
    assert services.initials_of("城乡居民基本医疗保险参保登记") == "cxjmjbylbxcbdj"


def test_it_finds_an_item_by_pinyin_initials_and_by_chinese(world, window):
    assert [i.name for i in selectors.item_list(user=world.admin, filters={"q": "yhbz"})] == ["烟花爆竹经营（零售）许可"]
    assert [i.name for i in selectors.item_list(user=world.admin, filters={"q": "应急预案"})] == ["生产经营单位应急预案备案"]


def test_it_shows_a_resident_the_catalogue_of_their_own_town_only(world, window):
    names = {i.name for i in selectors.item_list(user=world.resident, filters={})}
    assert "烟花爆竹经营（零售）许可" in names and "辛安烟花爆竹经营许可" not in names


def test_it_shows_the_department_clerk_the_items_of_their_department(world, window):
    assert {i.department_id for i in selectors.item_list(user=world.clerk, filters={})} == {world.department.pk}


def test_it_keeps_an_application_on_the_revision_it_was_made_under(world, window):
    app = apply_online(world, window.licence)
    new = services.item_revise(acting_user=world.admin, item=window.licence, expected_version=window.licence.version,
                               data={"promised_days": 5})
    app.refresh_from_db()
    assert (app.item_id, app.item.promised_days, new.revision, new.promised_days) == (window.licence.pk, 10, 2, 5)
    assert [m.name for m in new.materials.all()] == [m.name for m in window.licence.materials.all()]
    assert ServiceItem.objects.get(pk=window.licence.pk).is_current is False


def test_it_refuses_a_promise_longer_than_the_law(world, window):
    with pytest.raises(ValidationFailed) as exc:
        services.item_revise(acting_user=world.admin, item=window.licence, expected_version=window.licence.version,
                             data={"promised_days": 30})
    assert exc.value.errors == {"promised_days": ["承诺时限不能长于法定时限"]}


def test_it_lets_no_one_but_the_towns_administrator_revise_its_items(world, window):
    from gridgov.core.errors import NotFound

    with pytest.raises(NotFound):
        services.item_revise(acting_user=world.clerk, item=window.licence, expected_version=1, data={})


def test_it_exports_the_catalogue_as_xlsx_and_imports_it_into_another_town(world, window, client_for):
    response = client_for("admin").get("/window/items/export/?format=xlsx")
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("目录", "事项编码", "事项名称") and len(rows) == 1 + 3
    # Into 辛安街道 under new codes, by its administrator.
    from gridgov.accounts.models import RoleAssignment
    from gridgov.accounts.roles import Role

    RoleAssignment.objects.create(user=world.other_leader, role=Role.ADMIN, division=world.other_town)
    wb = load_workbook(io.BytesIO(body))
    ws = wb.active
    for r in range(2, ws.max_row + 1):
        ws.cell(r, 2).value = f"XA{r:03d}"
        ws.cell(r, 5).value = "辛安应急办"
    out = io.BytesIO()
    wb.save(out)
    n = services.catalogue_import(acting_user=world.other_leader, town=world.other_town,
                                  file=SimpleUploadedFile("c.xlsx", out.getvalue()))
    assert n == 3 and ServiceItem.objects.filter(town=world.other_town, code__startswith="XA").count() == 3


def test_it_refuses_an_import_naming_each_bad_row_and_writes_nothing(world, window):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(services.IMPORT_COLUMNS))
    ws.append(["行政审批事项", "NEW1", "新事项", "行政许可", "应急管理办公室", "", 20, 10])
    ws.append(["行政审批事项", "NEW2", "新事项二", "行政许可", "应急管理办公室", "", 10, 20])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ValidationFailed) as exc:
        services.catalogue_import(acting_user=world.admin, town=world.town, file=SimpleUploadedFile("c.xlsx", out.getvalue()))
    assert exc.value.errors["file"] == ["第 3 行：承诺时限 承诺时限不能长于法定时限"]
    assert not ServiceItem.objects.filter(code__startswith="NEW").exists()


def test_it_searches_the_catalogue_page_in_a_constant_number_of_queries(world, window, client_for,
                                                                       django_assert_max_num_queries):
    from gridgov.window.tests.conftest import make_item

    for n in range(30):
        make_item(world.town, world.department, f"GEN{n:03d}", f"演示生成事项{n:03d}", catalogue=Catalogue.PUBLIC)
    c = client_for("admin")
    c.get("/window/?q=ysc")  # warm the session and menus
    with django_assert_max_num_queries(20):
        assert c.get("/window/?q=ysc").status_code == 200
