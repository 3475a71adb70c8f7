"""Checksums and shapes of Chinese identifiers (RULES.md §6). Messages name the reason in zh-Hans."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def resident_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def parse_resident_id(value: str, *, today: dt.date | None = None) -> tuple[dt.date, str]:
    """Validate a GB 11643 resident ID; return (birth date, sex 'M'/'F'). Raises ValidationError."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号应为18位（前17位数字，末位数字或X）"), code="shape")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不存在") % {"d": value[6:14]}, code="birth") from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1890:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不可能") % {"d": value[6:14]}, code="birth")
    if resident_id_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位错误"), code="checksum")
    return birth, ("M" if int(value[16]) % 2 else "F")


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def org_code_check_char(first8: str) -> str:
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """GB 32100-2015 unified social credit code, including the embedded GB 11714 organisation code."""
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in _USCC_CHARS for c in value):
        raise ValidationError(_("统一社会信用代码应为18位，只含数字和大写字母（不含 I O S V Z）"), code="shape")
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误"), code="checksum")
    org = value[8:17]
    if org_code_check_char(org[:8]) != org[8]:
        raise ValidationError(_("统一社会信用代码中的组织机构代码校验位错误"), code="org_checksum")


def validate_mobile(value: str) -> None:
    if not _MOBILE.match((value or "").strip()):
        raise ValidationError(_("手机号应为以1开头、第二位为3-9的11位数字"), code="shape")
