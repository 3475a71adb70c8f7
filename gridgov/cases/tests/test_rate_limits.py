"""Issue 16, item 13: the public ways in are rate-limited per address and per token, in the database; past the
limit a request is refused before any work with 429, Retry-After, and the reason in Chinese."""

from __future__ import annotations

import json

import pytest

from gridgov.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def o311_world(world):
    from django.test import Client as HttpClient

    from gridgov.cases.open311.services import open311_client_create
    from gridgov.cases.tests.bulk import category

    category("0901", "暴露垃圾（测试）", 4, "hours")
    _client, world.api_key = open311_client_create(name="12345平台", acting_user=None)
    world.http = HttpClient()
    return world


def _body(world, **more):
    lat, lon = world.point_a
    return {"category": "0102", "lat": lat, "lon": lon, "description": "路口有垃圾", "force_new": True, **more}


def test_a_visitor_reporting_a_fourth_time_in_the_hour_is_asked_to_wait(case_world, client_for, settings):
    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "report": (3, 0, 3600)}
    visitor = client_for(None)
    for _ in range(3):
        r = visitor.post("/api/v1/cases/public/cases", json.dumps(_body(case_world)), content_type="application/json")
        assert r.status_code == 201, r.content
    r = visitor.post("/api/v1/cases/public/cases", json.dumps(_body(case_world)), content_type="application/json")
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 3600
    assert r.json()["code"] == "rate_limited" and "请求过于频繁" in r.json()["detail"]
    assert Case.objects.count() == 3  # the fourth did nothing
    page = visitor.post("/cases/report/", {"category": "0102", "description": "路口有垃圾"})
    assert page.status_code == 429 and "请求过于频繁" in page.content.decode() and page["Retry-After"]


def test_another_address_and_the_grid_worker_are_not_held_back(case_world, client_for, settings):
    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "report": (1, 0, 3600)}
    first = client_for(None)
    assert first.post("/api/v1/cases/public/cases", json.dumps(_body(case_world)),
                      content_type="application/json").status_code == 201
    other = client_for(None)
    r = other.post("/api/v1/cases/public/cases", json.dumps(_body(case_world)), content_type="application/json",
                   REMOTE_ADDR="10.1.2.3")
    assert r.status_code == 201
    worker = client_for("worker_a")  # staff on patrol report as often as they find things
    for _ in range(2):
        r = worker.post("/api/v1/cases/cases", json.dumps(_body(case_world)), content_type="application/json")
        assert r.status_code == 201, r.content


def test_a_follow_link_takes_a_limited_number_of_photo_uploads_from_anywhere(case_world, client_for, settings,
                                                                               tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.services import case_report
    from gridgov.cases.tests.scope_fixtures import PNG

    settings.MEDIA_ROOT = tmp_path
    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "follow_photos": (100, 2, 3600)}
    token = case_report(acting_user=None, data=_body(case_world)).follow_token
    url = f"/api/v1/cases/cases/follow/{token}/photos"
    for n in range(3):  # each from a new address: the link's own count stops the third
        r = client_for(None).post(url, {"photos": SimpleUploadedFile("p.png", PNG, content_type="image/png")},
                                  REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert r.status_code == (201 if n < 2 else 429), (n, r.content)


def test_an_open311_client_past_its_limit_gets_the_spec_error_format(o311_world, settings):
    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "report": (1, 0, 3600)}
    w = o311_world
    lat, lon = w.point_a
    data = {"api_key": w.api_key, "service_code": "0901", "lat": lat, "long": lon, "description": "路口有垃圾堆"}
    assert w.http.post("/open311/v2/requests.json", data).status_code == 201
    r = w.http.post("/open311/v2/requests.json", data)
    assert r.status_code == 429 and r["Retry-After"]
    assert r.json()[0]["code"] == 429 and "请求过于频繁" in r.json()[0]["description"]


def test_the_counts_of_a_window_that_is_over_are_dropped(case_world, client_for, settings, monkeypatch):
    from gridgov.core import ratelimit
    from gridgov.core.models import RateCount

    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "report": (1, 0, 60)}
    clock = [1_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: clock[0])
    visitor = client_for(None)
    post = lambda: visitor.post("/api/v1/cases/public/cases", json.dumps(_body(case_world)),  # noqa: E731
                                content_type="application/json")
    assert post().status_code == 201 and post().status_code == 429
    clock[0] += 60  # the next minute
    assert post().status_code == 201
    assert RateCount.objects.filter(key__startswith="report:a:").count() == 1
