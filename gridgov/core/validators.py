"""Checksums and shapes of Chinese identifiers (RULES.md §6), and the bounds of the dates and durations a form
takes. Messages name the reason in zh-Hans."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

# The largest id a database integer column holds: a larger one in a filter or a payload is refused by name
# (应为 1 至 … 的整数), never sent to the database (SQLite raises OverflowError on it).
MAX_ID = 2**63 - 1


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


# ---- dates, times and durations a person types -------------------------------------------------------------
# A form takes a date for something that happened or is planned in a township's working life: nothing in year
# 9999 or 1900. Each kind of date has a window around today, in whole calendar years (so the window of a
# record does not shift during the year); a duration has a least and a most.


@dataclass(frozen=True)
class DateWindow:
    """Dates from the first day of the year `back` years ago to the last day of the year `ahead` years on;
    `ahead=None`: not after today (something that has already happened)."""

    back: int
    ahead: int | None

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        latest = today if self.ahead is None else dt.date(today.year + self.ahead, 12, 31)
        return dt.date(today.year - self.back, 1, 1), latest

    def check(self, value: dt.date | dt.datetime, today: dt.date | None = None) -> None:
        """Raises ValidationError naming the window when `value` (a date, or a datetime read in Asia/Shanghai)
        lies outside it."""
        day = timezone.localtime(value).date() if isinstance(value, dt.datetime) and timezone.is_aware(value) else (
            value.date() if isinstance(value, dt.datetime) else value)
        earliest, latest = self.bounds(today)
        if earliest <= day <= latest:
            return
        if self.ahead is None and day > latest:
            raise ValidationError(_("不能晚于今天（%(d)s）") % {"d": latest.isoformat()}, code="date_range")
        raise ValidationError(_("应在 %(a)s 至 %(b)s 之间") % {"a": earliest.isoformat(), "b": latest.isoformat()},
                              code="date_range")


# Meetings (三会一课) are recorded after the fact, sometimes late, and planned up to a year ahead.
MEETING_DATES = DateWindow(back=5, ahead=1)
# An activity claimed for points has happened, this year or last (points are counted per calendar year).
ACTIVITY_DATES = DateWindow(back=1, ahead=None)
# A line of a cadre's archive (a record, an evaluation, an award, a 三述 report) over a working life.
ARCHIVE_DATES = DateWindow(back=50, ahead=0)
# A deployment (下沉, 指导员, 驻村工作队) began in the past years or begins within the next one.
DEPLOYMENT_DATES = DateWindow(back=20, ahead=1)


@dataclass(frozen=True)
class YearWindow:
    """Years from `back` years ago to `ahead` years on."""

    back: int
    ahead: int

    def check(self, year: int, today: dt.date | None = None) -> None:
        now = (today or timezone.localdate()).year
        if not now - self.back <= year <= now + self.ahead:
            raise ValidationError(_("年度应在 %(a)d 至 %(b)d 之间") % {"a": now - self.back, "b": now + self.ahead},
                                  code="year_range")


# A rating (红旗党组织) or a publication of points is of a year already under way or just past.
RATING_YEARS = YearWindow(back=30, ahead=1)
PUBLICATION_YEARS = YearWindow(back=5, ahead=0)


@dataclass(frozen=True)
class Duration:
    """A length of time in hours, from `least` to `most`."""

    least: float
    most: float

    def check(self, hours: float) -> None:
        if not self.least <= hours <= self.most:
            raise ValidationError(_("时长应在 %(a)s 至 %(b)s 小时之间") % {"a": f"{self.least:g}", "b": f"{self.most:g}"},
                                  code="duration")

    def check_span(self, starts: dt.datetime, ends: dt.datetime) -> None:
        if ends <= starts:
            raise ValidationError(_("结束时间应晚于开始时间"), code="duration")
        self.check((ends - starts).total_seconds() / 3600)


# A meeting lasts from a quarter of an hour (a 党小组会) to a day (a 主题党日 outing).
MEETING_HOURS = Duration(0.25, 12)


def refusals(**checks: Callable[[], object]) -> dict[str, list[str]]:
    """Run every check (a callable raising ValidationError), noting the messages of each that fails under its
    field: a service refuses all of a form's impossible values at once."""
    out: dict[str, list[str]] = {}
    for name, check in checks.items():
        try:
            check()
        except ValidationError as exc:
            out[name] = [str(m) for m in exc.messages]
    return out
