"""The calendar's arithmetic (an index of working days, RULES.md §2) against a reference that walks the days
one by one: random starts, limits in working days and hours, working hours of several shapes and zones,
random holiday overrides and 调休 make-up days, years with and without an official table."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gridgov.core import calendar
from gridgov.core.calendar import OFFICIAL_YEARS, WorkingHours, package_is_working_day
from gridgov.core.models import WorkdayOverride

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=150,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HOURS = [WorkingHours(), WorkingHours.parse("08:30-12:00,14:00-18:00"),
         WorkingHours.parse("08:00-10:00,10:15-12:00,14:00-17:00"), WorkingHours.parse("09:00-17:00"),
         WorkingHours.parse("09:30-12:00,13:00-18:30", "Asia/Urumqi")]
FIRST, LAST = dt.date(2025, 1, 1), dt.date(2029, 12, 31)


# -- the reference: one day at a time ----------------------------------------------------------------

def ref_working(day: dt.date, overrides: dict[dt.date, bool]) -> bool:
    return overrides[day] if day in overrides else package_is_working_day(day)


def ref_provisional(first: int, last: int, overrides: dict[dt.date, bool]) -> bool:
    # Override rows alone never make a year official (issue 15, item 15): only the package's official years here.
    return any(y not in OFFICIAL_YEARS for y in range(first, last + 1))


def ref_deadline(start: dt.datetime, amount: int, unit: str, wh: WorkingHours,
                 overrides: dict[dt.date, bool]) -> tuple[dt.datetime, bool]:
    local = start.astimezone(wh.zone)
    day = local.date()
    one = dt.timedelta(days=1)
    if unit == "days":
        left = amount
        if left == 0:
            while not ref_working(day, overrides):
                day += one
        while left:
            day += one
            left -= ref_working(day, overrides)
        return dt.datetime.combine(day, wh.day_end, wh.zone), ref_provisional(local.year, day.year, overrides)
    remaining = dt.timedelta(hours=amount)
    cursor = local
    while True:
        if ref_working(day, overrides):
            for a, b in wh.periods:
                lo, hi = dt.datetime.combine(day, a, wh.zone), dt.datetime.combine(day, b, wh.zone)
                begin = max(cursor, lo)
                if begin < hi:
                    if begin + remaining <= hi:
                        end = begin + remaining
                        return end, ref_provisional(local.year, end.year, overrides)
                    remaining -= hi - begin
                    cursor = hi
        day += one
        cursor = dt.datetime.combine(day, dt.time(0, 0), wh.zone)


# -- the draws ---------------------------------------------------------------------------------------

days_in_range = st.dates(min_value=FIRST, max_value=LAST)
wall_times = st.one_of(
    st.times(),  # anywhere in the day, microseconds included
    st.sampled_from([dt.time(h, m) for h in (0, 8, 9, 10, 12, 13, 14, 17, 18, 23) for m in (0, 15, 30, 59)]),
)
starts = st.builds(lambda day, t, utc: dt.datetime.combine(day, t, SH).astimezone(dt.UTC if utc else SH),
                   days_in_range, wall_times, st.booleans())
overrides = st.dictionaries(days_in_range, st.booleans(), max_size=8)
queries = st.lists(st.tuples(starts, st.sampled_from(["days", "hours"]), st.integers(0, 250), st.integers(0, 60),
                             st.sampled_from(range(len(HOURS)))), min_size=1, max_size=15)


def _install(table: dict[dt.date, bool]) -> None:
    WorkdayOverride.objects.all().delete()
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=d, is_working_day=w, note="调休" if w else "停工")
                                         for d, w in table.items()])
    calendar.invalidate()  # bulk writes send no signals


@PROPERTY
@given(table=overrides, batch=queries)
@example(table={dt.date(2026, 11, 27): False, dt.date(2026, 11, 28): True},
         batch=[(dt.datetime(2026, 11, 26, 17, 30, tzinfo=SH), "hours", 0, 0, 0),
                (dt.datetime(2026, 11, 26, 12, 0, tzinfo=SH), "hours", 1, 0, 0),
                (dt.datetime(2026, 11, 26, 12, 0, tzinfo=SH), "hours", 0, 0, 0),
                (dt.datetime(2026, 11, 26, 10, 0, tzinfo=SH), "days", 1, 0, 0),
                (dt.datetime(2026, 12, 25, 10, 0, tzinfo=SH), "days", 250, 0, 1)])
def test_it_agrees_with_a_day_by_day_walk_on_every_deadline(table, batch):
    _install(table)
    for start, unit, days, hours, shape in batch:
        amount = days if unit == "days" else hours
        wh = HOURS[shape]
        got = calendar.add_working_time(start, amount, unit, hours=wh)
        want_at, want_provisional = ref_deadline(start, amount, unit, wh, table)
        assert (got.at, got.provisional) == (want_at, want_provisional), (start, amount, unit, wh.format())
        assert got.at.utcoffset() == want_at.utcoffset()


@PROPERTY
@given(table=overrides, day=days_in_range, n=st.integers(1, 250))
def test_it_agrees_with_a_day_by_day_walk_on_the_next_working_day_and_counts(table, day, n):
    _install(table)
    following = day + dt.timedelta(days=1)
    while not ref_working(following, table):
        following += dt.timedelta(days=1)
    assert calendar.next_working_day(day) == following
    end = day + dt.timedelta(days=n)
    count = sum(ref_working(day + dt.timedelta(days=i), table) for i in range(1, n + 1))
    assert calendar.working_days_between(day, end) == count


def test_it_sees_an_override_saved_after_a_deadline_was_computed():
    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SH)
    assert calendar.add_working_time(start, 1, "days").at == dt.datetime(2026, 11, 27, 17, 30, tzinfo=SH)
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 27), is_working_day=False, note="台风停工")
    assert calendar.add_working_time(start, 1, "days").at == dt.datetime(2026, 11, 30, 17, 30, tzinfo=SH)


def test_it_reads_the_default_working_hours_again_when_the_setting_changes(settings):
    start = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SH)
    assert calendar.add_working_time(start, 1, "days").at.time() == dt.time(17, 30)
    settings.GRIDGOV_WORKING_HOURS = "08:00-12:00,13:00-17:00"
    assert calendar.add_working_time(start, 1, "days").at.time() == dt.time(17, 0)
