"""The 安排组织生活 form on the meeting list (issue 15): a refusal shows the list again with every error under its
field's label and everything typed kept; impossible dates and lengths are refused by name, on the page and
through the service the API calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.core.errors import ValidationFailed
from gridgov.core.tests.pageforms import field_errors, value_of
from gridgov.party import services
from gridgov.party.models import Meeting, MeetingKind


def send(client, party, **values):
    data = {"org": party.branch_a.pk, "kind": MeetingKind.LECTURE, "title": "学习党章", "starts_at": "2026-03-02T09:00",
            "hours": "2", "place": "村委会议室", "_form": "meeting", "_page": "/party/meetings/"} | values
    return client.post("/party/meetings/new/", data)


def test_it_shows_every_error_of_the_meeting_form_under_its_label_and_keeps_what_was_typed(party, client_for):
    resp = send(client_for("secretary_a"), party, title="", starts_at="明天上午", hours="abc")
    page = resp.content.decode()
    assert resp.status_code == 422
    assert field_errors(page) == {"title": ("主题", "必填"), "starts_at": ("开始", "时间格式错误"),
                                  "hours": ("时长（小时）", "应为数字")}
    assert (value_of(page, "starts_at"), value_of(page, "hours"), value_of(page, "place")) == ("明天上午", "abc",
                                                                                               "村委会议室")
    assert "starts_at：" not in page and "title：" not in page
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("starts_at", "9999-01-01T09:00", "应在"), ("starts_at", "1900-01-01T09:00", "应在"),
    ("hours", "500", "应在 0.25 至 12 之间")])
def test_it_refuses_an_impossible_meeting_on_the_page_by_name(party, client_for, field, value, reason):
    resp = send(client_for("secretary_a"), party, **{field: value})
    assert resp.status_code == 422
    assert reason in field_errors(resp.content.decode())[field][1]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(("starts", "hours", "field"), [
    (dt.datetime(9999, 1, 1, 9), 2, "starts_at"), (dt.datetime(1900, 1, 1, 9), 2, "starts_at"),
    (dt.datetime(2026, 3, 2, 9), 500, "ends_at"), (dt.datetime(2026, 3, 2, 9), -1, "ends_at")])
def test_the_service_refuses_an_impossible_meeting_by_field(party, starts, hours, field):
    starts = timezone.make_aware(starts)
    with pytest.raises(ValidationFailed) as exc:
        services.meeting_schedule(acting_user=party.secretary_a, org=party.branch_a, kind=MeetingKind.LECTURE,
                                  title="党课", starts_at=starts, ends_at=starts + dt.timedelta(hours=hours))
    assert list(exc.value.errors) == [field]


def test_a_meeting_the_form_accepts_is_scheduled(party, client_for):
    resp = send(client_for("secretary_a"), party, starts_at=f"{timezone.localdate().year}-03-02T09:00")
    m = Meeting.objects.get()
    assert resp.status_code == 302 and (m.title, m.ends_at - m.starts_at) == ("学习党章", dt.timedelta(hours=2))
