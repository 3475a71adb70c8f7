"""The compliance board: red/amber/green per branch against RULES.md §4, drilled down to missed meetings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridgov.party import selectors
from gridgov.party.models import Meeting, MeetingKind


def hold(party, kind, year, month, state=Meeting.State.HELD):
    start = timezone.make_aware(dt.datetime(year, month, 10, 9))
    Meeting.objects.create(org=party.branch_a, town=party.branch_a.town, kind=kind, title="会", state=state,
                           starts_at=start, ends_at=start + dt.timedelta(hours=2), checkin_token=f"{kind}{month}")


def board_a(party, today):
    return next(b for b in selectors.compliance_board(user=party.secretary_a, year=today.year, today=today)
                if b.org_id == party.branch_a.pk)


def test_it_is_green_when_every_closed_period_had_its_meetings(party):
    for month in (1, 2, 3):
        hold(party, MeetingKind.THEME_DAY, 2025, month)
    hold(party, MeetingKind.GENERAL_ASSEMBLY, 2025, 2)
    hold(party, MeetingKind.LECTURE, 2025, 3)
    assert board_a(party, dt.date(2025, 4, 15)).colour == "green"


def test_it_names_the_missing_theme_day_of_february(party):
    for month in (1, 3):
        hold(party, MeetingKind.THEME_DAY, 2025, month)
    hold(party, MeetingKind.GENERAL_ASSEMBLY, 2025, 2)
    hold(party, MeetingKind.LECTURE, 2025, 3)
    b = board_a(party, dt.date(2025, 4, 15))
    assert (b.colour, b.missing) == ("amber", [("主题党日", "2025-02")])


def test_it_is_red_after_a_quarter_without_meetings(party):
    assert board_a(party, dt.date(2025, 4, 15)).colour == "red"


def test_a_secretary_sees_only_their_branch_on_the_board(party):
    rows = selectors.compliance_board(user=party.secretary_a, year=2025, today=dt.date(2025, 4, 1))
    assert [b.org_id for b in rows] == [party.branch_a.pk]


def test_a_theme_day_still_scheduled_after_its_month_is_missing(party):
    hold(party, MeetingKind.THEME_DAY, 2025, 1)
    hold(party, MeetingKind.THEME_DAY, 2025, 2, state=Meeting.State.SCHEDULED)
    hold(party, MeetingKind.THEME_DAY, 2025, 3)
    hold(party, MeetingKind.GENERAL_ASSEMBLY, 2025, 2)
    hold(party, MeetingKind.LECTURE, 2025, 3)
    b = board_a(party, dt.date(2025, 4, 15))
    assert b.missing == [("主题党日", "2025-02")] and b.held.get(MeetingKind.THEME_DAY) == 2
