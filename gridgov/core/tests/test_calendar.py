"""The working-day calendar (RULES.md §2): 2026 holidays and make-up days, deadlines in working days and
hours, overrides, provisional years, working hours per jurisdiction, and the cache."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from gridgov.core import calendar
from gridgov.core.calendar import WorkingHours, add_working_time, is_working_day, working_time_between
from gridgov.core.models import CalendarState, WorkdayOverride, WorkingHoursConfig

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- which days ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                                 "2026-10-10"])
def test_it_counts_the_2026_make_up_days_as_working_days(day):
    assert is_working_day(d(day))


@pytest.mark.parametrize("day", [f"2026-10-0{i}" for i in range(1, 8)])
def test_it_gives_national_day_2026_off_from_the_first_to_the_seventh(day):
    assert not is_working_day(d(day))


def test_it_returns_to_work_on_8_october_2026():
    assert is_working_day(d("2026-10-08"))


@pytest.mark.parametrize("day", ["2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
                                 "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23"])
def test_it_gives_the_spring_festival_2026_off(day):
    assert not is_working_day(d(day))


def test_it_returns_to_work_after_the_spring_festival_2026():
    assert is_working_day(d("2026-02-24"))


def test_it_keeps_an_ordinary_saturday_off():
    assert not is_working_day(d("2026-11-28"))


def test_it_lets_an_override_turn_a_working_day_into_a_holiday():
    assert is_working_day(d("2026-10-08"))
    WorkdayOverride.objects.create(date=d("2026-10-08"), is_working_day=False, note="台风停工")
    assert not is_working_day(d("2026-10-08"))


def test_it_lets_an_override_turn_a_saturday_into_a_working_day():
    WorkdayOverride.objects.create(date=d("2026-11-28"), is_working_day=True, note="调休")
    assert is_working_day(d("2026-11-28"))


def test_it_counts_working_days_between_two_dates_across_national_day():
    # 09-29, 09-30, 10-08, 10-09, 10-10 (make-up Saturday)
    assert calendar.working_days_between(d("2026-09-28"), d("2026-10-10")) == 5


def test_it_counts_working_days_across_a_year_end():
    # 2026-12-31 Thu; 2027-01-01 New Year's Day; 2027-01-04 Mon
    assert calendar.working_days_between(d("2026-12-30"), d("2027-01-04")) == 2


# -- provisional years -----------------------------------------------------------------------------------

def test_it_treats_2026_as_official():
    assert not calendar.is_provisional(2026)


def test_it_treats_2030_as_provisional():
    assert calendar.is_provisional(2030)


def test_it_marks_a_deadline_in_2030_provisional():
    assert add_working_time(at("2030-03-04 10:00"), 5, "days").provisional


def test_it_does_not_mark_a_deadline_in_2026_provisional():
    assert not add_working_time(at("2026-03-04 10:00"), 5, "days").provisional


def test_it_marks_a_deadline_that_runs_into_an_unpublished_year_provisional():
    last = max(calendar.OFFICIAL_YEARS)
    assert add_working_time(at(f"{last}-12-28 10:00"), 10, "days").provisional


def test_one_override_row_does_not_make_a_year_official():
    WorkdayOverride.objects.create(date=d("2030-10-12"), is_working_day=True, note="调休")
    assert calendar.is_provisional(2030)


def test_the_administrators_mark_makes_a_year_official():
    from gridgov.core.services import calendar_year_mark_official

    calendar_year_mark_official(year=2030, acting_user=None)
    assert not calendar.is_provisional(2030)


# -- deadlines in working days ---------------------------------------------------------------------------

def test_it_does_not_count_the_day_of_the_act():
    assert add_working_time(at("2026-11-23 08:00"), 1, "days").at == at("2026-11-24 17:30")


def test_it_ends_a_limit_in_days_at_the_close_of_the_last_working_day():
    assert add_working_time(at("2026-11-27 16:00"), 1, "days").at == at("2026-11-30 17:30")


def test_it_skips_national_day_and_counts_the_make_up_saturday():
    # 09-29 (1), 09-30 (2), 10-01..07 off, 10-08 (3), 10-09 (4), 10-10 make-up Saturday (5)
    assert add_working_time(at("2026-09-28 10:00"), 5, "days").at == at("2026-10-10 17:30")


def test_it_runs_a_deadline_across_the_spring_festival():
    # 02-14 make-up Saturday (1), 02-15..23 off, 02-24 (2)
    assert add_working_time(at("2026-02-13 15:00"), 2, "days").at == at("2026-02-24 17:30")


def test_it_runs_a_deadline_from_a_holiday_as_from_the_day_itself():
    assert add_working_time(at("2026-10-03 10:00"), 1, "days").at == at("2026-10-08 17:30")


def test_it_counts_fifteen_working_days_across_mid_autumn_and_national_day():
    # from Tue 09-15: 16,17,18 (3), 20 make-up Sunday (4), 21,22,23,24 (8), 25 Mid-Autumn off,
    # 28,29,30 (11), 10-08, 10-09 (13), 10-10 make-up Saturday (14), 10-12 (15)
    assert add_working_time(at("2026-09-15 10:00"), 15, "days").at == at("2026-10-12 17:30")


def test_it_ends_zero_days_at_the_close_of_the_same_working_day():
    assert add_working_time(at("2026-11-26 10:00"), 0, "days").at == at("2026-11-26 17:30")


def test_it_answers_in_shanghai_time_whatever_the_zone_of_the_start():
    start = at("2026-11-26 08:00").astimezone(dt.UTC)  # 00:00 UTC
    assert add_working_time(start, 1, "days").at == at("2026-11-27 17:30")


def test_it_refuses_a_naive_start():
    with pytest.raises(ValueError):
        add_working_time(dt.datetime(2026, 11, 26, 10, 0), 1, "days")


# -- deadlines in working hours --------------------------------------------------------------------------

def test_it_stops_the_clock_over_lunch():
    assert add_working_time(at("2026-11-26 11:00"), 4, "hours").at == at("2026-11-26 16:30")


def test_it_carries_hours_overnight_and_ends_at_the_close_of_a_period():
    assert add_working_time(at("2026-11-26 16:30"), 4, "hours").at == at("2026-11-27 12:00")


def test_it_carries_hours_over_a_weekend():
    assert add_working_time(at("2026-11-27 17:00"), 1, "hours").at == at("2026-11-30 09:30")


def test_it_starts_the_clock_at_the_next_working_period_when_dispatched_at_lunch():
    assert add_working_time(at("2026-11-26 12:30"), 1, "hours").at == at("2026-11-26 14:30")


def test_it_starts_the_clock_on_monday_when_dispatched_on_sunday():
    assert add_working_time(at("2026-11-29 10:00"), 4, "hours").at == at("2026-11-30 14:30")


def test_it_carries_hours_across_national_day():
    assert add_working_time(at("2026-09-30 17:00"), 2, "hours").at == at("2026-10-08 10:30")


def test_it_works_hours_on_a_make_up_saturday():
    assert add_working_time(at("2026-02-13 17:00"), 1, "hours").at == at("2026-02-14 09:30")


def test_it_uses_the_working_hours_it_is_given():
    summer = WorkingHours.parse("08:30-12:00,14:00-18:00")
    assert add_working_time(at("2026-11-26 11:00"), 2, "hours", hours=summer).at == at("2026-11-26 15:00")


def test_it_ends_a_limit_in_days_at_the_close_of_the_given_working_hours():
    summer = WorkingHours.parse("08:30-12:00,14:00-18:00")
    assert add_working_time(at("2026-11-26 11:00"), 1, "days", hours=summer).at == at("2026-11-27 18:00")


def test_it_refuses_overlapping_working_periods():
    with pytest.raises(ValueError):
        WorkingHours.parse("09:00-12:00,11:00-17:00")


# -- working hours per jurisdiction ----------------------------------------------------------------------

def test_it_reads_the_working_hours_of_a_jurisdiction():
    WorkingHoursConfig.objects.create(jurisdiction="370211004000", periods="08:30-12:00,14:00-18:00")
    assert calendar.working_hours_for("370211004000").format() == "08:30-12:00,14:00-18:00"


def test_it_falls_back_to_the_default_working_hours():
    WorkingHoursConfig.objects.create(jurisdiction="370211004000", periods="08:30-12:00,14:00-18:00")
    assert calendar.working_hours_for("370211107000").format() == "09:00-12:00,13:30-17:30"


def test_it_uses_the_installation_default_row_when_present():
    WorkingHoursConfig.objects.create(jurisdiction="", periods="08:00-12:00,13:00-17:00")
    assert calendar.working_hours_for("370211107000").minutes_per_day == 480


# -- remaining time --------------------------------------------------------------------------------------

def test_it_measures_working_hours_across_lunch():
    assert working_time_between(at("2026-11-26 11:00"), at("2026-11-26 16:30"), "hours") == 4.0


def test_it_measures_working_hours_over_a_weekend():
    assert working_time_between(at("2026-11-27 16:30"), at("2026-11-30 10:00"), "hours") == 2.0


def test_it_measures_working_days_across_national_day():
    assert working_time_between(at("2026-09-30 17:30"), at("2026-10-09 17:30"), "days") == 2.0


def test_it_measures_time_past_a_deadline_as_negative():
    assert working_time_between(at("2026-11-26 16:30"), at("2026-11-26 14:30"), "hours") == -2.0


def test_it_agrees_with_add_working_time():
    start = at("2026-09-24 15:10")
    deadline = add_working_time(start, 37, "hours").at
    assert working_time_between(start, deadline, "hours") == 37.0


# -- cache -----------------------------------------------------------------------------------------------

def test_it_asks_the_database_nothing_in_a_hot_loop(django_assert_num_queries):
    start = at("2026-01-05 10:00")
    add_working_time(start, 15, "days")  # warms the year and the working hours
    with django_assert_num_queries(0):
        for i in range(300):
            add_working_time(start + dt.timedelta(hours=i), 15, "days")
            add_working_time(start + dt.timedelta(hours=i), 4, "hours")


def test_it_sees_a_change_made_by_another_process(settings):
    settings.GRIDGOV_CALENDAR_RECHECK_SECONDS = 0
    assert is_working_day(d("2026-10-08"))
    # another process: rows written without this process's signals, and the version bumped
    WorkdayOverride.objects.bulk_create([WorkdayOverride(date=d("2026-10-08"), is_working_day=False)])
    CalendarState.objects.update_or_create(pk=1, defaults={"version": 99})
    assert not is_working_day(d("2026-10-08"))


# -- loading an official table ---------------------------------------------------------------------------

def _write_2030_table(tmp_path):
    path = tmp_path / "2030.csv"
    path.write_text("date,is_working_day,note\n"
                    "2030-10-01,0,国庆节\n2030-10-02,0,国庆节\n2030-10-03,0,国庆节\n"
                    "2030-10-04,0,国庆节\n2030-10-07,0,国庆节\n2030-10-12,1,调休上班\n", encoding="utf-8")
    return path


def test_it_loads_an_official_table_and_the_year_is_no_longer_provisional(tmp_path):
    call_command("holidays", "load", str(_write_2030_table(tmp_path)))
    assert not calendar.is_provisional(2030)


def test_it_honours_a_make_up_day_of_a_loaded_table(tmp_path):
    call_command("holidays", "load", str(_write_2030_table(tmp_path)))
    assert is_working_day(d("2030-10-12"))


def test_it_overrides_the_packages_estimate_with_the_loaded_table(tmp_path):
    # the package estimates the Spring Festival 2030 off; this (made-up) official table does not list it
    assert not is_working_day(d("2030-02-04"))
    call_command("holidays", "load", str(_write_2030_table(tmp_path)))
    assert is_working_day(d("2030-02-04"))


def test_it_replaces_a_years_table_when_loaded_again(tmp_path):
    call_command("holidays", "load", str(_write_2030_table(tmp_path)))
    second = tmp_path / "again.csv"
    second.write_text("date,is_working_day,note\n2030-10-01,0,国庆节\n", encoding="utf-8")
    call_command("holidays", "load", str(second))
    assert not WorkdayOverride.objects.filter(date=d("2030-10-12")).exists()


def test_it_rejects_a_bad_row(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_text("date,is_working_day,note\n2030-13-01,0,x\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("holidays", "load", str(bad))


def test_it_shows_a_year(capsys):
    call_command("holidays", "show", "2026")
    assert "2026-10-10" in capsys.readouterr().out
