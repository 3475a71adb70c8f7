"""`gridgov holidays load FILE.csv` loads an official holiday table; `gridgov holidays show YEAR` prints a
year's non-standard days and whether it is provisional (RULES.md §2).

The CSV has a header `date,is_working_day,note`; is_working_day is 1/0, true/false, yes/no, 是/否, 班/休.
List every statutory holiday and every make-up working day (调休) of the year: the file replaces that
year's table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridgov.core import calendar
from gridgov.core.errors import ValidationFailed
from gridgov.core.services import holiday_rows, workday_table_load


def read_table(path: Path) -> list[tuple[dt.date, bool, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        try:
            return holiday_rows(fh)
        except ValidationFailed as exc:
            raise CommandError(f"{path}: " + "; ".join(exc.errors["file"])) from None


class Command(BaseCommand):
    help = "Working-day calendar: load an official holiday table (CSV) or show a year"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load FILE.csv (date,is_working_day,note)")
        load.add_argument("file", type=Path)
        official = sub.add_parser("official", help="mark YEAR's table (as loaded) official: no longer provisional")
        official.add_argument("year", type=int)
        show = sub.add_parser("show", help="print a year's holidays and make-up days")
        show.add_argument("year", type=int)

    def handle(self, *args, **options) -> None:
        if options["action"] == "load":
            path: Path = options["file"]
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                result = workday_table_load(rows=read_table(path), acting_user=None)
            except ValidationFailed as exc:
                raise CommandError(str(exc)) from None
            years = ", ".join(str(y) for y in result["years"])
            self.stdout.write(f"loaded {result['stored']} day(s) for {years} "
                              f"(replaced {result['replaced']} earlier row(s))")
            return
        year = options["year"]
        if options["action"] == "official":
            from gridgov.core.services import calendar_year_mark_official

            try:
                calendar_year_mark_official(year=year, acting_user=None)
            except ValidationFailed as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"{year}: official")
            return
        calendar.invalidate()
        state = "PROVISIONAL (computed by rule; load the official table)" if calendar.is_provisional(year) \
            else "official"
        self.stdout.write(f"{year}: {state}")
        day = dt.date(year, 1, 1)
        while day.year == year:
            working = calendar.is_working_day(day)
            if working != (day.weekday() < 5):
                kind = "调休上班" if working else "放假"
                self.stdout.write(f"  {day.isoformat()} {day:%a} {kind}")
            day += dt.timedelta(days=1)
