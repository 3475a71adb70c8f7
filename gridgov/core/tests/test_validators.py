"""RULES.md §6: the identifiers a clerk types must be checked exactly as the standards say."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gridgov.core.validators import parse_resident_id, validate_credit_code, validate_mobile


def test_it_accepts_the_standard_example_id_and_derives_birth_and_sex():
    assert parse_resident_id("11010519491231002X") == (dt.date(1949, 12, 31), "F")


def test_it_rejects_an_id_with_a_wrong_check_character():
    with pytest.raises(ValidationError, match="校验位"):
        parse_resident_id("110105194912310021")


def test_it_rejects_an_id_whose_birth_date_does_not_exist():
    first17 = "11010519490231002"  # 31 February
    from gridgov.core.validators import resident_id_check_char

    with pytest.raises(ValidationError, match="不存在"):
        parse_resident_id(first17 + resident_id_check_char(first17))


def test_it_rejects_an_id_born_in_the_future():
    from gridgov.core.validators import resident_id_check_char

    first17 = "11010520991231002"
    with pytest.raises(ValidationError, match="不可能"):
        parse_resident_id(first17 + resident_id_check_char(first17))


def test_it_accepts_the_standard_example_credit_code():
    validate_credit_code("91350100M000100Y43")


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91350100M000100Y4", "91350100M0001O0Y43"])
def test_it_rejects_bad_credit_codes(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_it_checks_the_organisation_code_inside_the_credit_code():
    from gridgov.core.validators import credit_code_check_char

    first17 = "91350100M000100Y5"  # organisation check char 5 instead of 4
    with pytest.raises(ValidationError, match="组织机构代码"):
        validate_credit_code(first17 + credit_code_check_char(first17))


@pytest.mark.parametrize("phone,ok", [("13812345678", True), ("12812345678", False), ("1381234567", False)])
def test_it_checks_mobile_numbers(phone, ok):
    if ok:
        validate_mobile(phone)
    else:
        with pytest.raises(ValidationError):
            validate_mobile(phone)
