"""Bad input gets a clear error naming the field and the reason (zh-Hans) and changes nothing."""

import pytest

from gridgov.core.errors import ValidationFailed
from gridgov.core.validators import credit_code_check_char, resident_id_check_char
from gridgov.register import services
from gridgov.register.models import Enterprise, Household, Resident


def vid(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def vcode(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


def _errors(fn, **kwargs):
    with pytest.raises(ValidationFailed) as exc:
        fn(**kwargs)
    return exc.value.errors


def test_an_impossible_birth_date_is_named(world):
    errs = _errors(services.resident_create, acting_user=world.worker_a,
                   data={"name": "甲", "id_number": vid("37021119900230001"), "grid": world.grid_a.pk})
    assert "出生日期" in errs["id_number"][0] and Resident.objects.count() == 0


def test_a_phone_of_the_wrong_shape_is_named(world):
    errs = _errors(services.resident_create, acting_user=world.worker_a,
                   data={"name": "甲", "id_number": vid("37021119900101001"), "phone": "1234",
                         "grid": world.grid_a.pk})
    assert "手机号" in errs["phone"][0] and Resident.objects.count() == 0


def test_a_duplicate_id_number_in_the_town_is_refused(world):
    data = {"name": "甲", "id_number": vid("37021119900101001"), "grid": world.grid_a.pk}
    services.resident_create(acting_user=world.worker_a, data=data)
    errs = _errors(services.resident_create, acting_user=world.grid_leader, data=dict(data, grid=world.grid_b.pk))
    assert "已在本镇街登记" in errs["id_number"][0] and Resident.objects.count() == 1


def test_a_grid_worker_cannot_register_into_another_grid(world):
    errs = _errors(services.resident_create, acting_user=world.worker_a,
                   data={"name": "甲", "id_number": vid("37021119900101001"), "grid": world.grid_b.pk})
    assert "管辖范围" in errs["grid"][0]


def test_a_household_of_another_town_is_refused(world):
    other = Household.objects.create(number="H1", address="辛安一号", grid=world.other_grid, town=world.other_town)
    errs = _errors(services.resident_create, acting_user=world.admin,
                   data={"name": "甲", "id_number": vid("37021119900101001"), "grid": world.grid_a.pk,
                         "household": other.pk})
    assert "household" in errs and Resident.objects.count() == 0


def test_a_grid_worker_cannot_move_a_resident_out_of_their_grid(world):
    r = services.resident_create(acting_user=world.grid_leader,
                                 data={"name": "甲", "id_number": vid("37021119900101001"), "grid": world.grid_a.pk})
    errs = _errors(services.resident_update, acting_user=world.worker_a, resident=r,
                   data={"grid": world.grid_b.pk}, expected_version=1)
    assert "grid" in errs
    assert Resident.objects.get(pk=r.pk).grid_id == world.grid_a.pk


def _enterprise(world, **over):
    lat, lon = world.point_a
    data = {"name": "泊里机械厂", "credit_code": vcode("91370211MA3C00011"), "industry": "制造业",
            "scale": "small", "legal_representative": "李四", "legal_rep_phone": "13912345678",
            "address": "泊里镇工业路1号", "lat": lat, "lon": lon}
    data.update(over)
    return data


def test_an_enterprise_is_located_into_its_grid(world):
    e = services.enterprise_create(acting_user=world.admin, data=_enterprise(world))
    assert e.grid_id == world.grid_a.pk and e.town_id == world.town.pk


def test_an_invalid_credit_code_is_named(world):
    errs = _errors(services.enterprise_create, acting_user=world.admin,
                   data=_enterprise(world, credit_code="91370211MA3C000110"))
    assert "统一社会信用代码" in errs["credit_code"][0] and Enterprise.objects.count() == 0


def test_a_point_outside_the_town_is_refused(world):
    lat, lon = world.point_outside
    errs = _errors(services.enterprise_create, acting_user=world.admin, data=_enterprise(world, lat=lat, lon=lon))
    assert "超出辖区范围" in errs["location"][0] and Enterprise.objects.count() == 0


def test_a_point_in_another_town_is_refused(world):
    lat, lon = world.point_other
    errs = _errors(services.enterprise_create, acting_user=world.admin, data=_enterprise(world, lat=lat, lon=lon))
    reasons = [m for msgs in errs.values() for m in msgs]
    assert any("管辖范围" in m for m in reasons) and Enterprise.objects.count() == 0


def test_a_department_of_another_town_is_refused(world):
    errs = _errors(services.enterprise_create, acting_user=world.admin,
                   data=_enterprise(world, department=world.other_department.pk))
    assert "department" in errs and Enterprise.objects.count() == 0


def test_unknown_fields_are_named_not_ignored(world):
    errs = _errors(services.resident_create, acting_user=world.worker_a,
                   data={"name": "甲", "id_number": vid("37021119900101001"), "grid": world.grid_a.pk, "nme": "x"})
    assert "nme" in errs


def test_clearing_the_credit_code_is_refused_naming_it(world):
    e = services.enterprise_create(acting_user=world.admin, data=_enterprise(world))
    errs = _errors(services.enterprise_update, acting_user=world.admin, enterprise=e, data={"credit_code": None})
    assert "credit_code" in errs and Enterprise.objects.get().credit_code == e.credit_code


def test_an_age_no_one_reaches_is_refused_naming_the_filter(world, client_for):
    resp = client_for("admin").get("/api/v1/register/residents?age_max=100000")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["age_max"])


def test_a_department_id_no_database_holds_is_refused_naming_it(world, client_for):
    resp = client_for("admin").get(f"/api/v1/register/enterprises/export?department={-10**27}")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["department"])
