"""Deadline arithmetic for cases: a thin adapter over gridgov.core.calendar (working days and hours,
RULES.md §2; per-town working hours; provisional when the year has no official holiday table)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from gridgov.core import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    provisional: bool


def add_working_time(start: dt.datetime, amount: int, unit: str, *, town: Any = None) -> Deadline:
    """`amount` working hours or days after `start` (the day of the act itself is not counted), with the
    working hours of `town` (a Division or its code; the default hours otherwise)."""
    result = calendar.add_working_time(start, amount, unit, hours=_hours(town))
    return Deadline(at=result.at, provisional=bool(result.provisional))


def working_time_left(now: dt.datetime, deadline: dt.datetime, unit: str, *, town: Any = None) -> float:
    """Working hours or days from `now` to `deadline` (negative once it has passed), with the working hours
    of `town` as `add_working_time` counts them."""
    return calendar.working_time_between(now, deadline, unit, hours=_hours(town))


def minutes_per_day(*, town: Any = None) -> int:
    """Working minutes in one working day of `town`."""
    return _hours(town).minutes_per_day


def _hours(town: Any) -> calendar.WorkingHours:
    """The working hours of `town` (a Division or its code), else the default ones."""
    code = town if isinstance(town, str) else getattr(town, "code", None)
    return calendar.working_hours_for(code) if code else calendar.working_hours_for()
