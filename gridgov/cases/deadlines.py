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
    code = getattr(town, "code", town if isinstance(town, str) else None)
    hours = calendar.working_hours_for(code) if code else None
    result = calendar.add_working_time(start, amount, unit, hours=hours)
    return Deadline(at=result.at, provisional=bool(result.provisional))
