"""Working-day calendar (RULES.md §2): which days are working days, and deadlines in working hours or days.

A day is a working day as the `holidays` package's China calendar says (`is_working_day()`, which knows the
调休 make-up days of every year the State Council has published), unless the `WorkdayOverride` table says
otherwise. For a year the package only estimates by rule and for which no official table has been loaded (nor
the year marked official: `OfficialYear`; one override row is not a table), every result touching it is
*provisional* and says so.

Each process keeps one table per year (a byte per day) and the working hours per jurisdiction, and checks a
one-row version (`CalendarState`) at most every `GRIDGOV_CALENDAR_RECHECK_SECONDS`: a hot loop costs no
queries, and a change made by another process is seen within that interval. A change made in this process
(a save of an override, `gridgov holidays load`) invalidates at once. The loaded years are also kept as
one index of working days (`_Index`), on which a deadline is arithmetic, not a walk; settings are read once
(and again after `setting_changed`).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time as _time
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

Unit = Literal["hours", "days"]
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_PERIODS = "09:00-12:00,13:30-17:30"


@functools.cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _us(t: dt.time) -> int:
    """Microseconds since midnight of a wall-clock time."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _parse_time(text: str) -> dt.time:
    hh, mm = text.strip().split(":")
    return dt.time(int(hh), int(mm))


@dataclass(frozen=True)
class WorkingHours:
    """The working periods of one day in one time zone, e.g. 09:00–12:00 and 13:30–17:30 Asia/Shanghai."""

    periods: tuple[tuple[dt.time, dt.time], ...] = ((dt.time(9, 0), dt.time(12, 0)),
                                                    (dt.time(13, 30), dt.time(17, 30)))
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        last = dt.time(0, 0)
        for i, (a, b) in enumerate(self.periods):
            if not a < b or (i and a < last):
                raise ValueError(f"working periods must be ordered and not overlap: {self.format()}")
            last = b
        zone = _zone(self.tz)
        # precomputed for the arithmetic (not fields: equality and hashing stay those of the periods and zone)
        bounds, cum = [], 0
        for a, b in self.periods:
            lo, hi = _us(a), _us(b)
            bounds.append((lo, hi, cum, a))
            cum += hi - lo
        object.__setattr__(self, "_tzinfo", zone)
        object.__setattr__(self, "_bounds", tuple(bounds))
        object.__setattr__(self, "_day_us", cum)

    @classmethod
    def parse(cls, text: str, tz: str = DEFAULT_TZ) -> WorkingHours:
        """`"09:00-12:00,13:30-17:30"` → WorkingHours."""
        periods = []
        for part in text.split(","):
            if part.strip():
                a, b = part.split("-")
                periods.append((_parse_time(a), _parse_time(b)))
        return cls(tuple(periods), tz)

    def format(self) -> str:
        return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.periods)

    @property
    def zone(self) -> ZoneInfo:
        return self._tzinfo  # type: ignore[attr-defined,no-any-return]

    @property
    def minutes_per_day(self) -> int:
        return sum((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute) for a, b in self.periods)

    @property
    def day_end(self) -> dt.time:
        """Close of business: a limit in days ends here on its last day (民法典 Art. 203: where there are
        business hours, the end of business is the end of the period)."""
        return self.periods[-1][1]


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime  # aware, in the time zone of the working hours used
    provisional: bool  # some day counted lies in a year without an official holiday table


# -- the package's knowledge -----------------------------------------------------------------------------

def _official_years() -> frozenset[int]:
    """Years for which the package carries the State Council's published arrangement (its 调休 table)."""
    try:
        from holidays.countries.china import ChinaStaticHolidays
    except ImportError:  # a future layout of the package: treat every year as estimated, never as exact
        return frozenset()
    return frozenset(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


OFFICIAL_YEARS = _official_years()


def package_is_working_day(day: dt.date) -> bool:
    """The package's answer alone, without overrides (used by the table loader to store only differences)."""
    return _package_calendar(day.year).is_working_day(day)


@functools.lru_cache(maxsize=64)
def _package_calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


# -- per-process cache -----------------------------------------------------------------------------------

@dataclass
class _Year:
    first: int  # ordinal of 1 January
    working: bytes  # one byte per day of the year: 1 = working day
    cumulative: list[int]  # cumulative[i] = working days among the first i days of the year
    provisional: bool


@dataclass(frozen=True)
class _Index:
    """The loaded years `first_year`…`last_year` as one run of days: the arithmetic is two list reads."""

    first_year: int
    last_year: int
    base: int  # ordinal of 1 January of first_year
    end: int  # ordinal of 1 January after last_year
    before: list[int]  # before[i]: working days strictly before day base + i (len: days + 1)
    ordinals: list[int]  # the ordinals of the working days, in order
    provisional: list[int]  # provisional[k]: provisional years among the first k years


@dataclass
class _Cache:
    lock: threading.RLock = field(default_factory=threading.RLock)
    version: int | None = None
    next_check: float = float("-inf")  # monotonic time of the next version check
    years: dict[int, _Year] = field(default_factory=dict)
    index: _Index | None = None
    hours: dict[str, WorkingHours] | None = None
    recheck: float | None = None  # settings.GRIDGOV_CALENDAR_RECHECK_SECONDS, read once
    default_hours: WorkingHours | None = None  # from settings, read once


_cache = _Cache()
_SETTINGS = frozenset({"GRIDGOV_CALENDAR_RECHECK_SECONDS", "GRIDGOV_WORKING_HOURS", "GRIDGOV_WORKING_TZ"})


def _recheck_seconds() -> float:
    recheck = _cache.recheck
    if recheck is None:
        recheck = _cache.recheck = float(getattr(settings, "GRIDGOV_CALENDAR_RECHECK_SECONDS", 30))
    return recheck


def _current_version() -> int:
    from .models import CalendarState

    return CalendarState.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _fresh() -> None:
    """Drop cached years if another process changed the calendar (checked at most every few seconds)."""
    now = _time.monotonic()
    if now < _cache.next_check:
        return
    version = _current_version()
    with _cache.lock:
        if version != _cache.version:
            _cache.years = {}
            _cache.index = None
            _cache.hours = None
            _cache.version = version
        _cache.next_check = now + _recheck_seconds()


def invalidate() -> None:
    """Forget everything cached in this process; the next call re-reads the version and the tables."""
    with _cache.lock:
        _cache.years = {}
        _cache.index = None
        _cache.hours = None
        _cache.version = None
        _cache.next_check = float("-inf")


def _on_setting_changed(*, setting: str, **kwargs: object) -> None:
    """Settings are read once; a test that changes one of ours (override_settings) starts afresh."""
    if setting in _SETTINGS:
        with _cache.lock:
            _cache.recheck = None
            _cache.default_hours = None
        invalidate()


def bump_version() -> None:
    """Tell every process that the calendar changed (call inside the writing transaction)."""
    from django.db import transaction
    from django.db.models import F

    from .models import CalendarState

    if not CalendarState.objects.filter(pk=1).update(version=F("version") + 1):
        CalendarState.objects.get_or_create(pk=1, defaults={"version": 1})
    invalidate()
    transaction.on_commit(invalidate)


def _load_year(year: int) -> _Year:
    from .models import OfficialYear, WorkdayOverride

    overrides = dict(WorkdayOverride.objects.filter(date__year=year).values_list("date", "is_working_day"))
    cal = _package_calendar(year)
    first = dt.date(year, 1, 1)
    n = (dt.date(year + 1, 1, 1) - first).days
    flags = bytearray(n)
    cumulative = [0] * (n + 1)
    for i in range(n):
        day = first + dt.timedelta(days=i)
        ok = overrides[day] if day in overrides else cal.is_working_day(day)
        flags[i] = 1 if ok else 0
        cumulative[i + 1] = cumulative[i] + flags[i]
    return _Year(first.toordinal(), bytes(flags), cumulative,
                 provisional=year not in OFFICIAL_YEARS and not OfficialYear.objects.filter(year=year).exists())


def _year(year: int) -> _Year:
    table = _cache.years.get(year)
    if table is None:
        table = _load_year(year)
        with _cache.lock:
            _cache.years[year] = table
    return table


def _build_index(first_year: int, last_year: int) -> _Index:
    before = [0]
    ordinals: list[int] = []
    provisional = [0]
    for year in range(first_year, last_year + 1):
        table = _year(year)
        count = before[-1]
        for i, flag in enumerate(table.working):
            if flag:
                ordinals.append(table.first + i)
                count += 1
            before.append(count)
        provisional.append(provisional[-1] + table.provisional)
    return _Index(first_year, last_year, dt.date(first_year, 1, 1).toordinal(),
                  dt.date(last_year + 1, 1, 1).toordinal(), before, ordinals, provisional)


def _index_covering(first_year: int, last_year: int) -> _Index:
    """An index holding at least the years `first_year`…`last_year` (grown, never shrunk, until invalidated)."""
    with _cache.lock:
        index = _cache.index
        if index is not None and index.first_year <= first_year and last_year <= index.last_year:
            return index
        if index is not None:
            first_year, last_year = min(first_year, index.first_year), max(last_year, index.last_year)
        index = _build_index(first_year, last_year)
        _cache.index = index
        return index


def _index_for(ordinal: int, year: int) -> _Index:
    """The index, grown to hold the day `ordinal` (in `year`) and the year after it."""
    index = _cache.index
    if index is None or not index.base <= ordinal or year + 1 > index.last_year:
        index = _index_covering(year, year + 1)
    return index


def _working_ordinal(index: _Index, position: int) -> tuple[_Index, int]:
    """The ordinal of the working day at `position` (0-based from the index's first day), growing the index
    a year at a time until it holds it."""
    while position >= len(index.ordinals):
        index = _index_covering(index.first_year, index.last_year + 1 + (position - len(index.ordinals)) // 366)
    return index, index.ordinals[position]


def _provisional_between(index: _Index, first_year: int, last_year: int) -> bool:
    """Whether any year of `first_year`…`last_year` (all in the index) is provisional."""
    k = index.first_year
    return index.provisional[last_year - k + 1] > index.provisional[first_year - k]


# -- public reads ----------------------------------------------------------------------------------------

def is_working_day(day: dt.date) -> bool:
    """Is `day` a working day (package + override table)?"""
    _fresh()
    table = _year(day.year)
    return bool(table.working[day.toordinal() - table.first])


def is_provisional(year: int) -> bool:
    """True when `year` is computed by rule only: the package has no official table and none was loaded."""
    _fresh()
    return _year(year).provisional


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
    if end < start:
        return -working_days_between(end, start)
    _fresh()

    def upto(day: dt.date) -> int:  # working days from 1 Jan of day's year to day, inclusive
        table = _year(day.year)
        return table.cumulative[day.toordinal() - table.first + 1]

    total = upto(end) - upto(start)
    for year in range(start.year, end.year):
        total += _year(year).cumulative[-1]
    return total


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after `day`."""
    _fresh()
    return _nth_working_day_after(day, 1)[0]


def _nth_working_day_after(day: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day after `day` (n ≥ 1), and whether any year walked through is provisional."""
    ordinal = day.toordinal()
    index = _index_for(ordinal, day.year)
    index, found = _working_ordinal(index, index.before[ordinal - index.base + 1] + n - 1)
    result = dt.date.fromordinal(found)
    return result, _provisional_between(index, day.year, result.year)


def working_hours_for(jurisdiction: str | None = None) -> WorkingHours:
    """The working hours configured for a jurisdiction (its division code), else the installation default
    (a `WorkingHoursConfig` row with an empty code, else settings.GRIDGOV_WORKING_HOURS, else 09:00–12:00,
    13:30–17:30 Asia/Shanghai)."""
    _fresh()
    hours = _cache.hours
    if hours is None:
        from .models import WorkingHoursConfig

        hours = {row.jurisdiction: WorkingHours.parse(row.periods, row.timezone)
                 for row in WorkingHoursConfig.objects.all()}
        with _cache.lock:
            _cache.hours = hours
    if jurisdiction and jurisdiction in hours:
        return hours[jurisdiction]
    if "" in hours:
        return hours[""]
    return _default_hours()


def _default_hours() -> WorkingHours:
    wh = _cache.default_hours
    if wh is None:
        wh = _cache.default_hours = WorkingHours.parse(getattr(settings, "GRIDGOV_WORKING_HOURS", DEFAULT_PERIODS),
                                                       getattr(settings, "GRIDGOV_WORKING_TZ", DEFAULT_TZ))
    return wh


def _check_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def add_working_time(start: dt.datetime, amount: int, unit: Unit, *,
                     hours: WorkingHours | None = None) -> Deadline:
    """The deadline `amount` working hours or working days after `start` (RULES.md §2).

    Days: the day of `start` is not counted; the limit ends at the close of business of the `amount`-th
    working day after it (0 days: the close of the first working day from `start`'s day on).
    Hours: only time inside working periods of working days counts; a limit that ends exactly at the end of
    a period ends there, not at the start of the next one.

    Both are arithmetic on the index of working days (`_Index`): working time is counted in microseconds
    from the index's first day, every working day holding the same working periods.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")
    if amount < 0:
        raise ValueError("amount must not be negative")
    if unit != "days" and unit != "hours":
        raise ValueError(f"unit must be 'hours' or 'days', not {unit!r}")
    wh = hours or working_hours_for()
    if unit == "days":
        _fresh()
        local = start.astimezone(wh._tzinfo)  # type: ignore[attr-defined]
        ordinal = local.toordinal()
        index = _index_for(ordinal, local.year)
        # 0 days: the first working day from the start's day on; n days: the n-th working day after it
        position = index.before[ordinal - index.base + (1 if amount else 0)] + amount - (1 if amount else 0)
        if position >= len(index.ordinals):
            index, found = _working_ordinal(index, position)
        else:
            found = index.ordinals[position]
        day = dt.date.fromordinal(found)
        return Deadline(dt.datetime.combine(day, wh.day_end, wh._tzinfo),  # type: ignore[attr-defined]
                        _provisional_between(index, local.year, day.year))
    _fresh()
    zone = wh._tzinfo  # type: ignore[attr-defined]
    bounds = wh._bounds  # type: ignore[attr-defined]
    per_day = wh._day_us  # type: ignore[attr-defined]
    local = start.astimezone(zone)
    ordinal = local.toordinal()
    index = _index_for(ordinal, local.year)
    i = ordinal - index.base
    done = index.before[i]  # working days before the start's day
    # the start as a point on the line of working time: the working time before it
    at = done * per_day
    if index.before[i + 1] > done:  # a working day: add the time worked on it before the start
        now = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        for lo, hi, _cum, _a in bounds:
            if now > lo:
                at += (now if now < hi else hi) - lo
    target = at + amount * 3_600_000_000
    if amount:  # a limit ending at the close of a period ends there: the target is in (day start, day end]
        position, into = divmod(target - 1, per_day)
        into += 1
    else:  # no time at all: the first working instant from the start on
        position, into = divmod(target, per_day)
    index, found = _working_ordinal(index, position)
    day = dt.date.fromordinal(found)
    for lo, hi, cum, a in bounds:
        if into < cum + hi - lo or (amount and into == cum + hi - lo):
            return Deadline(dt.datetime.combine(day, a, zone) + dt.timedelta(microseconds=into - cum),
                            _provisional_between(index, local.year, day.year))
    raise AssertionError("unreachable: the target lies inside the day's working periods")


def _minutes_on(day: dt.date, lo: dt.datetime, hi: dt.datetime, wh: WorkingHours) -> float:
    """Working minutes of `day` inside [lo, hi]."""
    zone = wh.zone
    total = 0.0
    for a, b in wh.periods:
        s = max(lo, dt.datetime.combine(day, a, zone))
        e = min(hi, dt.datetime.combine(day, b, zone))
        if s < e:
            total += (e - s).total_seconds() / 60
    return total


def working_time_between(a: dt.datetime, b: dt.datetime, unit: Unit, *,
                         hours: WorkingHours | None = None) -> float:
    """Working time from `a` to `b` in working hours or working days (a day = one day's working hours),
    negative when `b` is before `a`: "remaining time" is `working_time_between(now, deadline, …)`."""
    _check_aware(a, "a")
    _check_aware(b, "b")
    if unit not in ("hours", "days"):
        raise ValueError(f"unit must be 'hours' or 'days', not {unit!r}")
    if b < a:
        return -working_time_between(b, a, unit, hours=hours)
    wh = hours or working_hours_for()
    zone = wh.zone
    la, lb = a.astimezone(zone), b.astimezone(zone)
    da, db = la.date(), lb.date()
    if da == db:
        minutes = _minutes_on(da, la, lb, wh) if is_working_day(da) else 0.0
    else:
        minutes = _minutes_on(da, la, lb, wh) if is_working_day(da) else 0.0
        minutes += _minutes_on(db, la, lb, wh) if is_working_day(db) else 0.0
        whole = working_days_between(da, db - dt.timedelta(days=1)) if db - da > dt.timedelta(days=1) else 0
        minutes += whole * wh.minutes_per_day
    return minutes / 60 if unit == "hours" else minutes / wh.minutes_per_day


# -- keeping caches honest -------------------------------------------------------------------------------

def _on_change(sender: type, **kwargs: object) -> None:
    if kwargs.get("raw"):
        return
    bump_version()


def connect_signals() -> None:
    """Any save or delete of an override or of working hours bumps the version (called from CoreConfig)."""
    from django.db.models.signals import post_delete, post_save

    from .models import OfficialYear, WorkdayOverride, WorkingHoursConfig

    for model in (WorkdayOverride, WorkingHoursConfig, OfficialYear):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"calendar-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"calendar-{model.__name__}-delete")
    from django.core.signals import setting_changed

    setting_changed.connect(_on_setting_changed, dispatch_uid="calendar-settings")
