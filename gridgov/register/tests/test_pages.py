"""Register pages with the test client: who sees which page, 404 out of scope, form errors next to fields
with the input kept, and constant SQL queries on the lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.core.validators import credit_code_check_char, org_code_check_char, resident_id_check_char
from gridgov.register.models import Enterprise, Household, Resident, ResidentTag, Tag


def valid_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def valid_credit_code(n: int) -> str:
    org8 = f"{n:08d}"
    org = org8 + org_code_check_char(org8)
    first17 = "91370211" + org
    return first17 + credit_code_check_char(first17)


def make_residents(world, grid, n: int, start: int = 0) -> None:
    rows = [Resident(name=f"居民{start + i}", id_number=valid_id(f"37021119900101{start + i:03d}"), sex="M",
                     birth_date="1990-01-01", phone="13812345678", grid=grid, town=world.town,
                     address=f"一号路{i}号") for i in range(n)]
    Resident.objects.bulk_create(rows)
    ResidentTag.objects.bulk_create([ResidentTag(resident=r, tag=Tag.DIBAO) for r in
                                     Resident.objects.filter(grid=grid)])


def make_households(world, grid, n: int) -> None:
    Household.objects.bulk_create([Household(number=f"H{i:05d}", address=f"二号路{i}号", grid=grid,
                                             town=world.town) for i in range(n)])


def make_enterprises(world, grid, n: int) -> None:
    Enterprise.objects.bulk_create([Enterprise(
        name=f"企业{i}", credit_code=valid_credit_code(i + 1), industry="制造业", scale="small",
        legal_representative="张三", legal_rep_phone="13912345678", address="园区路", lat=35.905, lon=120.005,
        grid=grid, town=world.town, department=world.department) for i in range(n)])


@pytest.mark.parametrize("url", ["/register/residents/", "/register/households/", "/register/enterprises/",
                                 "/register/residents/new/", "/register/households/new/",
                                 "/register/enterprises/new/"])
def test_it_renders_register_pages_for_a_grid_worker(world, client_for, url):
    assert client_for("worker_a").get(url).status_code == 200


@pytest.mark.parametrize("url", ["/register/residents/", "/register/enterprises/new/"])
def test_it_sends_anonymous_visitors_to_login(world, client_for, url):
    resp = client_for(None).get(url)
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_it_answers_404_for_a_resident_of_another_grid(world, client_for):
    make_residents(world, world.grid_a, 1)
    r = Resident.objects.get()
    assert client_for("worker_b").get(f"/register/residents/{r.pk}/").status_code == 404
    assert client_for("other_leader").get(f"/register/residents/{r.pk}/edit/").status_code == 404


def test_it_shows_the_checksum_error_next_to_the_field_and_keeps_the_input(world, client_for):
    resp = client_for("worker_a").post("/register/residents/new/", {
        "name": "王小明", "id_number": "110105194912310021", "phone": "13812345678", "grid": world.grid_a.pk})
    html = resp.content.decode()
    assert resp.status_code == 422
    field = html[html.index('data-field="id_number"'):]
    field = field[:field.index("</div>")]
    assert "校验" in field and 'value="110105194912310021"' in field and 'value="王小明"' in html


def test_it_registers_a_resident_and_shows_the_masked_id(world, client_for):
    c = client_for("worker_a")
    resp = c.post("/register/residents/new/", {"name": "王小明", "id_number": valid_id("37021119900101001"),
                                               "grid": world.grid_a.pk, "tags": ["dibao"]}, follow=True)
    assert resp.status_code == 200 and "370211********" in resp.content.decode()


def test_it_lists_only_the_grids_of_the_workers_scope_in_the_form(world, client_for):
    html = client_for("worker_a").get("/register/residents/new/").content.decode()
    assert world.grid_a.name in html and world.grid_b.name not in html


def test_it_keeps_the_filter_grid_choices_inside_the_users_town(world, client_for):
    html = client_for("leader").get("/register/residents/").content.decode()
    assert world.grid_a.name in html and world.other_grid.name not in html


def test_it_answers_htmx_with_the_rows_only(world, client_for):
    make_residents(world, world.grid_a, 3)
    resp = client_for("worker_a").get("/register/residents/?q=居民1", HTTP_HX_REQUEST="true")
    html = resp.content.decode()
    assert "<html" not in html and "居民1" in html and "居民2" not in html


def test_it_edits_a_resident_and_conflicts_on_a_stale_version(world, client_for):
    make_residents(world, world.grid_a, 1)
    r = Resident.objects.get()
    c = client_for("worker_a")
    form = {"name": "新名字", "id_number": r.id_number, "grid": world.grid_a.pk, "version": r.version}
    assert c.post(f"/register/residents/{r.pk}/edit/", form).status_code == 302
    assert c.post(f"/register/residents/{r.pk}/edit/", form).status_code == 409


def test_it_creates_and_edits_a_household(world, client_for):
    c = client_for("worker_a")
    resp = c.post("/register/households/new/", {"number": "H1", "address": "一号", "grid": world.grid_a.pk})
    h = Household.objects.get()
    assert resp.status_code == 302
    resp = c.post(f"/register/households/{h.pk}/edit/", {"number": "H2", "address": "二号",
                                                         "grid": world.grid_a.pk, "version": h.version})
    assert resp.status_code == 302 and Household.objects.get().number == "H2"


def test_it_rejects_a_duplicate_household_number_next_to_the_field(world, client_for):
    make_households(world, world.grid_a, 1)
    resp = client_for("worker_a").post("/register/households/new/", {
        "number": "H00000", "address": "一号", "grid": world.grid_a.pk})
    html = resp.content.decode()
    assert resp.status_code == 422 and "户编号已存在" in html[html.index('data-field="number"'):]


def test_it_registers_an_enterprise_from_gcj02_coordinates(world, client_for):
    from gridgov.core.geo import wgs84_to_gcj02

    lat, lon = wgs84_to_gcj02(*world.point_a)
    resp = client_for("worker_a").post("/register/enterprises/new/", {
        "name": "测试企业", "credit_code": "91350100M000100Y43", "industry": "制造业", "scale": "small",
        "legal_representative": "张三", "address": "园区路1号", "lat": f"{lat:.7f}", "lon": f"{lon:.7f}",
        "crs": "gcj02"})
    e = Enterprise.objects.get()
    assert resp.status_code == 302 and e.grid_id == world.grid_a.pk and abs(e.lat - world.point_a[0]) < 1e-5


def test_it_shows_a_point_outside_the_town_next_to_the_coordinates(world, client_for):
    resp = client_for("worker_a").post("/register/enterprises/new/", {
        "name": "测试企业", "credit_code": "91350100M000100Y43", "industry": "制造业", "scale": "small",
        "legal_representative": "张三", "address": "园区路1号", "lat": "30.0", "lon": "110.0", "crs": "wgs84"})
    html = resp.content.decode()
    assert resp.status_code == 422 and "超出辖区范围" in html[html.index('data-field="lat"'):]


def test_it_lets_a_department_clerk_edit_an_enterprise_without_moving_it(world, client_for):
    make_enterprises(world, world.grid_a, 1)
    e = Enterprise.objects.get()
    resp = client_for("clerk").post(f"/register/enterprises/{e.pk}/edit/", {
        "name": "改名企业", "credit_code": e.credit_code, "industry": e.industry, "scale": e.scale,
        "legal_representative": e.legal_representative, "address": e.address, "lat": str(e.lat),
        "lon": str(e.lon), "crs": "wgs84", "department": world.department.pk, "version": e.version})
    assert resp.status_code == 302 and Enterprise.objects.get().name == "改名企业"


def test_it_asks_for_a_reason_before_unmasking(world, client_for):
    make_residents(world, world.grid_a, 1)
    r = Resident.objects.get()
    c = client_for("worker_a")
    assert r.id_number not in c.get(f"/register/residents/{r.pk}/?unmask=1").content.decode()
    assert r.id_number in c.get(f"/register/residents/{r.pk}/?unmask=1&reason=入户核实").content.decode()


def test_it_shows_the_history_tab(world, client_for):
    c = client_for("worker_a")
    c.post("/register/residents/new/", {"name": "王小明", "id_number": valid_id("37021119900101001"),
                                        "grid": world.grid_a.pk})
    r = Resident.objects.get()
    html = c.get(f"/register/residents/{r.pk}/?tab=history").content.decode()
    assert "worker_a" in html and "新增" in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind, make", [("residents", make_residents), ("households", make_households),
                                        ("enterprises", make_enterprises)])
def test_it_runs_the_same_number_of_queries_for_10_and_100_rows(world, client_for, kind, make):
    c = client_for("worker_a")
    make(world, world.grid_a, 10)
    ten = _queries(c, f"/register/{kind}/?size=200")
    {"residents": Resident, "households": Household, "enterprises": Enterprise}[kind].objects.all().delete()
    make(world, world.grid_a, 100)
    assert _queries(c, f"/register/{kind}/?size=200") == ten
