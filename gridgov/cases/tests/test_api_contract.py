"""The case API as an integrator meets it: every refusal is the API's JSON error body, names the field as the
client sent it, in zh-Hans (English with `Accept-Language: en`), and nothing a client can send answers 500."""

import json

import pytest
from django.test import Client

from gridgov.cases.services import case_report
from gridgov.core.errors import ValidationFailed

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def report_body(world, **extra):
    lat, lon = world.point_a
    return {"category": "0102", "lat": lat, "lon": lon, "description": "路口垃圾堆积", **extra}


@pytest.fixture
def handling(case_world, client_for):
    """A case the department clerk is handling: reported, filed, dispatched to their department, accepted."""
    pk = post(client_for("worker_a"), "/api/v1/cases/cases", report_body(case_world)).json()["id"]
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/file", {"version": 1})
    post(client_for("dispatcher"), f"/api/v1/cases/cases/{pk}/transitions/dispatch", {"version": 2})
    post(client_for("clerk"), f"/api/v1/cases/cases/{pk}/transitions/accept", {"version": 3})
    return pk


def ask_extension(client_for, pk, data):
    return post(client_for("clerk"), f"/api/v1/cases/cases/{pk}/transitions/request_extension",
                {"version": 4, "note": "材料未到", "data": data})


# Numbers no list, id or deadline can hold


def test_an_offset_beyond_any_list_is_refused_naming_offset(case_world, client_for):
    resp = client_for("dispatcher").get("/api/v1/cases/cases?offset=99999999999999999999")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["offset"])


def test_marking_an_impossible_notification_read_marks_nothing(case_world, client_for):
    resp = post(client_for("dispatcher"), "/api/v1/cases/cases/notifications/read", {"ids": [10**20]})
    assert (resp.status_code, resp.json()) == (200, {"updated": 0})


def test_indicators_of_a_period_beyond_the_calendar_are_refused_naming_the_date(case_world, client_for):
    resp = client_for("leader").get("/api/v1/indicators/cases?start=2026-01-01&end=9999-12-31")
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["end"])


def test_an_extension_of_thousands_of_years_is_refused_when_asked(handling, client_for):
    resp = ask_extension(client_for, handling, {"amount": 10**20, "unit": "hours"})
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["amount"])


def test_an_extension_in_an_unknown_unit_names_the_unit(handling, client_for):
    resp = ask_extension(client_for, handling, {"amount": 2, "unit": "weeks"})
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["unit"])


def test_a_fractional_amount_is_refused_not_cut_to_a_whole_one(handling, client_for):
    resp = ask_extension(client_for, handling, {"amount": 1.7})
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["amount"])


# What a report may carry


def test_a_report_in_an_unknown_coordinate_system_is_refused_naming_crs(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", report_body(case_world, crs="GCJ02"))
    assert (resp.status_code, list(resp.json()["errors"])) == (422, ["crs"])


def test_intake_refuses_an_unknown_coordinate_system_from_any_channel(case_world):
    with pytest.raises(ValidationFailed) as refused:
        case_report(acting_user=case_world.people["worker_a"], data=report_body(case_world, crs="bd09"))
    assert list(refused.value.errors) == ["crs"]


def test_an_unknown_field_in_a_report_is_named_not_dropped(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", report_body(case_world, reporter_mobile="13800000000"))
    assert (resp.status_code, resp.json()["errors"]) == (422, {"reporter_mobile": ["未知字段"]})


def test_a_title_longer_than_a_case_keeps_is_refused_not_cut(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", report_body(case_world, title="长" * 121))
    assert (resp.status_code, resp.json()["errors"]) == (422, {"title": ["过长"]})


# How a refusal reads


def test_a_transitions_data_that_is_no_object_is_named_data(handling, client_for):
    resp = post(client_for("clerk"), f"/api/v1/cases/cases/{handling}/transitions/feedback",
                {"version": 4, "data": "已清理"})
    assert resp.json()["errors"] == {"data": ["应为 JSON 对象"]}


def test_a_number_where_text_is_expected_is_explained_in_chinese(case_world, client_for):
    resp = post(client_for("worker_a"), "/api/v1/cases/cases", report_body(case_world, category=102))
    assert resp.json()["errors"] == {"category": ["应为字符串"]}


def test_an_english_client_reads_the_reasons_in_english(case_world, client_for):
    resp = client_for("dispatcher").get("/api/v1/cases/cases?limit=0", **EN)
    assert resp.json()["errors"] == {"limit": ["too small"]}


def test_a_body_that_is_not_json_is_refused_in_the_api_error_body(case_world, client_for):
    resp = client_for("worker_a").post("/api/v1/cases/cases", data="category=0102", content_type="application/json")
    assert (resp.status_code, resp.json()["code"], list(resp.json()["errors"])) == (400, "invalid", ["body"])


def test_a_post_without_the_csrf_token_is_told_what_to_send(case_world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(case_world.people["dispatcher"])
    resp = post(c, "/api/v1/cases/cases/notifications/read", {}, **EN)
    assert (resp.status_code, resp.json()["code"], "X-CSRFToken" in resp.json()["detail"]) == (403, "forbidden", True)


def test_an_unknown_path_under_the_api_answers_the_json_404(case_world, client_for):
    resp = client_for("dispatcher").get("/api/v1/cases/nothing-here")
    assert (resp.status_code, resp.json()["code"]) == (404, "not_found")


def test_a_method_the_route_does_not_take_answers_the_json_405_with_allow(case_world, client_for):
    resp = client_for("dispatcher").delete("/api/v1/cases/cases")
    assert (resp.status_code, resp.json()["code"], set(resp["Allow"].split(", "))) == (
        405, "method_not_allowed", {"GET", "POST"})
