"""Pages: the secretary's back office and the member's phone view answer, scoped."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridgov.party import services
from gridgov.party.models import Attendance, MeetingKind


def test_the_secretary_opens_every_back_office_page(party, client_for):
    c = client_for("secretary_a")
    for url in ("/party/", "/party/orgs/", "/party/members/", "/party/meetings/", "/party/compliance/",
                "/party/points/", "/party/points/claims/", "/party/cadres/", "/party/courses/"):
        assert c.get(url).status_code == 200, url


def test_the_meeting_page_shows_the_qr_code_to_the_secretary(party, client_for):
    now = timezone.now()
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.LECTURE,
                                  title="党课", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    resp = client_for("secretary_a").get(f"/party/meetings/{m.pk}/qr.svg")
    assert resp.status_code == 200 and resp["Content-Type"] == "image/svg+xml"


def test_a_member_checks_in_from_the_phone_page(party, client_for):
    now = timezone.now()
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.THEME_DAY,
                                  title="主题党日", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    resp = client_for("member").post(f"/party/checkin/{m.checkin_token}/")
    assert resp.status_code == 200 and Attendance.objects.filter(meeting=m).count() == 1


def test_the_member_sees_my_meetings_points_and_study(party, client_for):
    resp = client_for("member").get("/party/my/")
    assert resp.status_code == 200 and "我的积分" in resp.content.decode()


def test_the_member_sees_how_they_attended_in_words_not_codes(party, client_for):
    now = timezone.now()
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.THEME_DAY,
                                  title="主题党日", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    services.meeting_check_in(acting_user=party.member, token=m.checkin_token)
    page = client_for("member").get("/party/my/").content.decode()
    line = next(x for x in page.split("<li>") if "主题党日" in x and m.title in x)
    assert "出席" in line and "present" not in line


def test_a_member_of_another_branch_gets_404_for_the_check_in_page(party, client_for):
    now = timezone.now()
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.THEME_DAY,
                                  title="主题党日", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    assert client_for("member_b").get(f"/party/checkin/{m.checkin_token}/").status_code == 404


def test_the_compliance_board_names_the_meetings_each_branch_held(party, client_for):
    now = timezone.now()
    start = max(now - dt.timedelta(hours=2), now.replace(month=1, day=1, hour=0, minute=0, second=1))
    for kind, title in ((MeetingKind.LECTURE, "党课"), (MeetingKind.THEME_DAY, "主题党日")):
        m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=kind, title=title,
                                      starts_at=start, ends_at=start + dt.timedelta(hours=1))
        services.meeting_close(acting_user=party.secretary_a, meeting=m, minutes="记录")
    html = client_for("secretary_a").get("/party/compliance/").content.decode()
    assert "党课 1 · 主题党日 1" in html
    assert "lecture:" not in html and "theme_day:" not in html


def test_the_compliance_board_names_each_branchs_missing_meetings_beside_its_colour(party, client_for):
    html = client_for("secretary_a").get("/party/compliance/?year=2025").content.decode()
    row = html[html.index(party.branch_a.name):]
    row = row[:row.index("</tr>")]
    assert 'class="badge red"' in row and "2025Q1 支部党员大会" in row and "…全部" in row
