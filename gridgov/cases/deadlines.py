"""Deadline arithmetic for cases: a thin adapter over gridgov.core.calendar (working days and hours,
RULES.md §2). Until that module is present, a simple stand-in counts Monday–Friday with the default
working hours and marks every deadline provisional."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    provisional: bool


def add_working_time(start: dt.datetime, amount: int, unit: str, *, town: Any = None) -> Deadline:
    """`amount` working hours or days after `start` (the day of the act itself is not counted), with the
    working hours of `town` (a Division or its code) when the calendar knows them."""
    try:
        from gridgov.core import calendar
    except ImportError:
        return _fallback(start, amount, unit)
    hours = None
    code = getattr(town, "code", town if isinstance(town, str) else None)
    if code and hasattr(calendar, "working_hours_for"):
        hours = calendar.working_hours_for(code)
    result = calendar.add_working_time(start, amount, unit, hours=hours)
    return Deadline(at=result.at, provisional=bool(result.provisional))


_MORNING = (dt.time(9, 0), dt.time(12, 0))
_AFTERNOON = (dt.time(13, 30), dt.time(17, 30))


def _fallback(start: dt.datetime, amount: int, unit: str) -> Deadline:
    local = start.astimezone(SHANGHAI)
    if unit == "days":
        day = local.date()
        left = amount
        while left > 0:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                left -= 1
        return Deadline(dt.datetime.combine(day, _AFTERNOON[1], SHANGHAI), True)
    remaining = dt.timedelta(hours=amount)
    cur = local
    while True:
        if cur.weekday() < 5:
            for a, b in (_MORNING, _AFTERNOON):
                lo = dt.datetime.combine(cur.date(), a, SHANGHAI)
                hi = dt.datetime.combine(cur.date(), b, SHANGHAI)
                s = max(cur, lo)
                if s < hi:
                    if s + remaining <= hi:
                        return Deadline(s + remaining, True)
                    remaining -= hi - s
                    cur = hi
        cur = dt.datetime.combine(cur.date() + dt.timedelta(days=1), dt.time(0, 0), SHANGHAI)
