"""Cadre archives and deployments; online study with a quiz feeding the points."""

from __future__ import annotations

import datetime as dt

import pytest

from gridgov.core.errors import ValidationFailed
from gridgov.party import services
from gridgov.party.models import CadreRecord, PointEntry, StudyRecord


def course(party, world):
    return services.course_create(acting_user=world.admin, town=world.town, title="中国共产党章程",
                                  body="第一章 党员", questions=[{"text": "党的最高理想？", "options": ["共产主义", "其他"],
                                                                "answer": 0}])


def test_it_gives_one_study_point_when_a_member_passes_the_quiz(party, world):
    c = course(party, world)
    services.study_complete(acting_user=party.member, course=c, answers=[0])
    assert PointEntry.objects.get(member=party.members[0]).category == "study"


def test_it_refuses_a_wrong_quiz_answer_and_records_nothing(party, world):
    c = course(party, world)
    with pytest.raises(ValidationFailed) as exc:
        services.study_complete(acting_user=party.member, course=c, answers=[1])
    assert "答对 0/1" in exc.value.errors["answers"][0] and not StudyRecord.objects.exists()


def test_it_counts_a_course_once(party, world):
    c = course(party, world)
    services.study_complete(acting_user=party.member, course=c, answers=[0])
    with pytest.raises(ValidationFailed):
        services.study_complete(acting_user=party.member, course=c, answers=[0])
    assert StudyRecord.objects.count() == 1


def test_it_files_a_santshu_report_under_the_cadres_department(party, world):
    cadre = services.cadre_create(acting_user=world.admin, name="干部甲", town=world.town,
                                  department=world.department)
    services.cadre_record_add(acting_user=world.admin, cadre=cadre, kind="report", on=dt.date(2026, 1, 10),
                              title="述职述廉述学")
    assert CadreRecord.objects.get().kind == CadreRecord.Kind.REPORT


def test_it_tracks_the_targets_of_a_village_work_team_member(party, world):
    cadre = services.cadre_create(acting_user=world.admin, name="干部乙", town=world.town)
    d = services.deployment_create(acting_user=world.admin, cadre=cadre, kind="work_team",
                                   starts_on=dt.date(2026, 3, 1), division=world.village,
                                   targets=[("薄弱班子转化", 1)])
    services.target_progress(acting_user=world.admin, target=d.targets.get(), done=1)
    assert d.targets.get().done == 1
