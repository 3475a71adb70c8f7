"""The party pages in English, for a user who picked it with the language switcher: every heading, label and
button of the templates is marked for translation and has its English; only data (names, titles) stays Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from gridgov.party import services
from gridgov.party.models import Cadre, MeetingKind

CJK = re.compile(r"[\u4e00-\u9fff]")


# ---- the pages rendered in English -------------------------------------------------------------------------


@pytest.fixture
def scene(party, world, client_for):
    """A meeting the member checked in to, a claim, a publication with an objection, a cadre with a record
    and a deployment, a rating and a course: every party page has rows to show."""
    now = timezone.now()
    meeting = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a,
                                        kind=MeetingKind.GENERAL_ASSEMBLY, title="七月支部党员大会", starts_at=now,
                                        ends_at=now + dt.timedelta(hours=1), place="党群服务中心")
    services.meeting_check_in(acting_user=party.member, token=meeting.checkin_token)
    claim = services.claim_submit(acting_user=party.member, rule_code="volunteer",
                                  occurred_on=timezone.localdate(), description="社区志愿服务")
    publication = services.publication_open(acting_user=party.secretary_a, org=party.branch_a,
                                            year=timezone.localdate().year)
    objection = services.objection_add(acting_user=party.member, publication=publication, text="志愿服务少记一次")
    cadre = Cadre.objects.create(name="干部孟", title="副科长", town=world.town, org=party.branch_a)
    record = services.cadre_record_add(acting_user=party.secretary_a, cadre=cadre, kind="award",
                                       on=dt.date(2026, 6, 30), title="担当作为好干部")
    deployment = services.deployment_create(acting_user=party.secretary_a, cadre=cadre, kind="work_team",
                                            starts_on=dt.date(2026, 3, 1), division=world.village,
                                            targets=[("薄弱班子转化", 1)])
    rating = services.rating_set(acting_user=party.party_office, org=party.branch_a, year=2025, level="red_flag")
    course = services.course_create(acting_user=world.admin, town=world.town, title="中国共产党章程", body="学习党章",
                                    questions=[{"text": "党的最高理想是？", "options": ["实现共产主义", "发家致富"],
                                                "answer": 0}])
    return {"meeting": meeting, "claim": claim, "objection": objection, "cadre": cadre, "record": record,
            "deployment": deployment, "rating": rating, "course": course}


def pages(party, s):
    """(persona, url, English that must be on the page)."""
    return [
        ("party_office", "/party/", ["Smart Party Building", "Points by town", "Review points claims"]),
        ("party_office", "/party/orgs/", ["Party organisations", "Setup rules", "Full member"]),
        ("party_office", f"/party/orgs/{party.village_committee.pk}/", ["Sub-organisations", "Member roll"]),
        ("party_office", "/party/members/", ["Party members", "Joined on", "Full member"]),
        ("party_office", "/party/meetings/", ["Organisational life (Three Meetings and One Lesson)",
                                              "Schedule a meeting", "Branch general meeting"]),
        ("party_office", "/party/compliance/", ["Organisational life compliance board", "Gaps"]),
        ("party_office", f"/party/compliance/?org={party.branch_a.pk}", ["Organisational life compliance board"]),
        ("party_office", "/party/points/", ["Party member points", "Branches (top 50)", "Rank"]),
        ("party_office", "/party/points/claims/", ["Points claims", "Approve", "Reject"]),
        ("party_office", "/party/points/objections/", ["Points publication and objections", "Publish"]),
        ("party_office", "/party/cadres/", ["Cadre performance archive", "Deployed to"]),
        ("party_office", f"/party/cadres/{s['cadre'].pk}/", ["Cadre performance archive", "Deploy the cadre",
                                                             "Award"]),
        ("party_office", f"/party/deployments/{s['deployment'].pk}/", ["Targets and progress", "Village work team"]),
        ("party_office", "/party/ratings/", ["Red-flag organisation ratings", "Red-flag organisation", "Edit"]),
        ("party_office", f"/party/ratings/{s['rating'].pk}/edit/", ["Change rating"]),
        ("party_office", "/party/courses/", ["Online study", "Quiz questions"]),
        ("secretary_a", "/party/", ["Smart Party Building"]),
        ("secretary_a", f"/party/meetings/{s['meeting'].pk}/", ["Branch general meeting", "Check-in QR code",
                                                                "Mark attendance (secretary)", "Present",
                                                                "QR check-in", "Vote (more than half"]),
        ("secretary_a", f"/party/members/{party.members[0].pk}/", ["Membership transfer", "Points ledger",
                                                                   "Show in full (access is logged)"]),
        ("secretary_a", f"/party/points/claims/{s['claim'].pk}/decide/", ["Review points claim", "Approve"]),
        ("secretary_a", f"/party/points/objections/{s['objection'].pk}/", ["Objection to published points"]),
        ("secretary_a", f"/party/cadre-records/{s['record'].pk}/edit/", ["Edit archive record", "Content"]),
        ("admin", "/party/cadres/new/", ["New cadre archive"]),
        ("admin", "/party/courses/new/", ["New course"]),
        ("admin", f"/party/courses/{s['course'].pk}/edit/", ["Edit course"]),
        ("member", "/party/my/", ["My points", "My meetings", "Present", "Courses"]),
        ("member", "/party/my/claim/", ["Claim points", "Activity date"]),
        ("member", f"/party/checkin/{s['meeting'].checkin_token}/", ["Check-in:", "Confirm check-in"]),
        ("member", f"/party/courses/{s['course'].pk}/", ["Complete the course"]),
        ("worker_a", "/party/register/", ["Online member registration", "Submit for branch review"]),
    ]


def chinese_data() -> list[str]:
    """Every Chinese text value stored in the database (names, titles, ledger reasons …): the data a page
    shows as it is, longest first."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for v in row:
                for text in (v if isinstance(v, list) else [v]):
                    if isinstance(text, str) and CJK.search(text):
                        values.add(text)
    return sorted(values, key=len, reverse=True)


def leftover_chinese(html: str, data: list[str]) -> list[str]:
    """Chinese left in what the party templates render (the title and everything from <main> on: the site's
    header and menu belong to the other apps) once the data is taken out."""
    html = re.search(r"<title>.*?</title>", html, re.S).group(0) + html[html.index("<main>"):]
    for value in data:
        html = html.replace(value, "")
    return sorted(set(re.findall(r"[^<>\"]{0,20}[\u4e00-\u9fff]+[^<>\"]{0,20}", html)))


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_party_pages_speak_english_but_for_the_data(party, scene, client_for):
    clients: dict[str, object] = {}
    seen: dict[str, str] = {}
    for persona, url, expected in pages(party, scene):
        c = clients.setdefault(persona, english(client_for(persona)))
        resp = c.get(url)
        assert resp.status_code == 200, (persona, url, resp.status_code)
        html = resp.content.decode()
        assert '<html lang="en">' in html, url
        missing = [e for e in expected if e not in html]
        assert not missing, (persona, url, missing)
        seen[f"{persona} {url}"] = html
    data = chinese_data()
    left = {page: leftover_chinese(html, data) for page, html in seen.items()}
    assert {page: chinese for page, chinese in left.items() if chinese} == {}


def test_an_input_error_page_speaks_english(party, client_for):
    c = english(client_for("secretary_a"))
    resp = c.post("/party/meetings/new/", {"org": party.branch_a.pk, "kind": "lecture", "title": "党课",
                                           "starts_at": "明天"})
    html = resp.content.decode()
    assert resp.status_code == 422 and "Invalid input" in html and "Invalid time format" in html
    assert leftover_chinese(html, chinese_data()) == []


def test_the_ledger_stays_chinese_when_an_english_page_writes_it(party, client_for):
    """Reasons in the points ledger are stored text: a member checking in from an English page still writes
    them in zh-Hans, meeting kind included."""
    now = timezone.now()
    m = services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.THEME_DAY,
                                  title="七月主题党日", starts_at=now, ends_at=now + dt.timedelta(hours=1))
    c = english(client_for("member"))
    assert c.post(f"/party/checkin/{m.checkin_token}/").status_code == 200
    assert list(party.members[0].point_entries.values_list("reason", flat=True)) == ["参加主题党日：七月主题党日"]
