"""A grid worker registers residents of their grid through the API; nobody else's grid leaks."""

import json

from gridgov.core.validators import resident_id_check_char


def valid_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_it_registers_a_resident_and_derives_sex_and_birth(world, client_for):
    c = client_for("worker_a")
    resp = post(c, "/api/v1/register/residents", {"name": "王小明", "id_number": valid_id("37021119900101001"),
                                                  "phone": "13812345678", "grid": world.grid_a.pk})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["sex"], body["birth_date"], body["phone"]) == ("M", "1990-01-01", "138****5678")


def test_it_rejects_a_bad_checksum_naming_the_field_in_chinese(world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/register/residents",
                {"name": "王小明", "id_number": "110105194912310021", "grid": world.grid_a.pk})
    assert resp.status_code == 422 and "校验位" in resp.json()["errors"]["id_number"][0]


def test_grid_worker_b_gets_404_for_a_resident_of_grid_a(world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/register/residents",
                {"name": "王小明", "id_number": valid_id("37021119900101001"), "grid": world.grid_a.pk})
    pk = resp.json()["id"]
    assert client_for("worker_b").get(f"/api/v1/register/residents/{pk}").status_code == 404


def test_a_stale_version_gets_409_and_keeps_the_first_edit(world, client_for):
    c = client_for("worker_a")
    pk = post(c, "/api/v1/register/residents", {"name": "王小明", "id_number": valid_id("37021119900101001"),
                                                "grid": world.grid_a.pk}).json()["id"]
    first = c.patch(f"/api/v1/register/residents/{pk}", data=json.dumps({"version": 1, "address": "一号"}),
                    content_type="application/json")
    second = c.patch(f"/api/v1/register/residents/{pk}", data=json.dumps({"version": 1, "address": "二号"}),
                     content_type="application/json")
    assert (first.status_code, second.status_code) == (200, 409)
    assert c.get(f"/api/v1/register/residents/{pk}").json()["address"] == "一号"
