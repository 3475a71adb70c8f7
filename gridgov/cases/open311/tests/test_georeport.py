"""Open311 GeoReport v2 as a client sees it on the wire: element and field names, statuses, errors."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

import pytest

from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.open311.models import Client
from gridgov.cases.tests.bulk import category, fast_passwords, make_cases  # noqa: F401
from gridgov.core.geo import wgs84_to_gcj02

BASE = "/open311/v2"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post(w, fmt="json", headers=None, **fields):
    lat, lon = w.point_a
    data = {"api_key": w.api_key, "service_code": "0901", "lat": lat, "long": lon, "description": "路口有垃圾堆",
            **fields}
    return w.http.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})


def test_it_lists_the_services_with_the_spec_fields(o311):
    body = o311.http.get(f"{BASE}/services.json").json()
    assert set(body[0]) == {"service_code", "service_name", "description", "metadata", "type", "keywords",
                            "group"}


def test_it_lists_the_services_as_xml(o311):
    root = ET.fromstring(o311.http.get(f"{BASE}/services.xml").content)
    assert (root.tag, root[0].tag, root[0].find("service_code").text) == ("services", "service", "0901")


def test_it_defines_a_service_with_attributes(o311):
    body = o311.http.get(f"{BASE}/services/0901.json").json()
    assert set(body["attributes"][0]) == {"variable", "code", "datatype", "required", "datatype_description",
                                          "order", "description", "values"}


def test_it_defines_a_service_as_xml(o311):
    root = ET.fromstring(o311.http.get(f"{BASE}/services/0901.xml").content)
    assert root.find("attributes/attribute/values/value/key").text == "grid_event"


def test_it_answers_an_unknown_service_with_the_error_format(o311):
    r = o311.http.get(f"{BASE}/services/9999.json")
    assert (r.status_code, list(r.json()[0])) == (404, ["code", "description"])


def test_it_answers_an_error_as_xml(o311):
    root = ET.fromstring(o311.http.get(f"{BASE}/services/9999.xml").content)
    assert (root.tag, root[0].tag, root.find("error/code").text) == ("errors", "error", "404")


def test_it_creates_a_case_from_a_post(o311):
    r = post(o311)
    number = r.json()[0]["service_request_id"]
    case = Case.objects.get(number=number)
    assert (r.status_code, case.channel, case.grid_id) == (201, "open311", o311.grid_a.pk)


def test_it_writes_the_posted_case_to_the_timeline(o311):
    number = post(o311).json()[0]["service_request_id"]
    assert CaseEvent.objects.filter(case__number=number, transition="report").exists()


def test_it_answers_a_post_with_the_spec_fields(o311):
    assert {"service_request_id", "service_notice", "account_id"} <= set(post(o311).json()[0])


def test_it_answers_a_post_as_xml(o311):
    root = ET.fromstring(post(o311, fmt="xml").content)
    assert (root.tag, root[0].tag, root[0].find("service_request_id").text[:2]) == ("service_requests",
                                                                                    "request", "SJ")


def test_it_refuses_a_bad_api_key(o311):
    r = post(o311, api_key="not-a-key-of-ours-at-all")
    assert (r.status_code, r.json()[0]["code"]) == (403, 403)


def test_it_stores_only_a_hash_of_the_api_key(o311):
    assert not Client.objects.filter(key_hash__contains=o311.api_key).exists()


def test_it_requires_a_location(o311):
    r = post(o311, lat="", long="")
    assert r.status_code == 400


def test_it_locates_gcj02_coordinates_given_as_an_attribute(o311):
    lat, lon = wgs84_to_gcj02(*o311.point_b)
    number = post(o311, lat=lat, long=lon, **{"attribute[crs]": "gcj02"}).json()[0]["service_request_id"]
    assert Case.objects.get(number=number).grid_id == o311.grid_b.pk


def test_it_refuses_an_attribute_value_not_in_the_list(o311):
    assert post(o311, **{"attribute[kind]": "party"}).status_code == 400


def test_it_opens_a_complaint_when_asked_by_attribute(o311):
    number = post(o311, **{"attribute[kind]": "complaint"}).json()[0]["service_request_id"]
    assert Case.objects.get(number=number).kind == "complaint"


def test_it_locates_an_address_string_by_grid_name(o311):
    number = post(o311, lat="", long="", address_string="泊里镇董家口村网格B 东侧路口").json()[0]["service_request_id"]
    assert Case.objects.get(number=number).grid_id == o311.grid_b.pk


def test_it_attaches_a_duplicate_report_to_the_open_case(o311):
    first = post(o311).json()[0]["service_request_id"]
    second = post(o311, device_id="phone-2").json()[0]["service_request_id"]
    assert second == first


def test_it_never_creates_two_cases_for_one_idempotency_key(o311):
    post(o311, headers={"Idempotency-Key": "k-1"}, **{"attribute[title]": "a"})
    post(o311, headers={"Idempotency-Key": "k-1"}, **{"attribute[title]": "a"})
    assert Case.objects.count() == 1


def test_it_returns_a_request_with_open_status_and_the_stage_in_status_notes(o311):
    number = post(o311).json()[0]["service_request_id"]
    body = o311.http.get(f"{BASE}/requests/{number}.json").json()[0]
    assert (body["status"], body["status_notes"]) == ("open", "待立案")


def test_it_sets_expected_datetime_from_the_deadline(o311):
    deadline = dt.datetime(2026, 11, 27, 11, 0, tzinfo=dt.UTC)
    case = make_cases(o311, 1, cat=o311.cat, deadline=deadline, channel="open311")[0]
    body = o311.http.get(f"{BASE}/requests/{case.number}.json").json()[0]
    assert body["expected_datetime"] == "2026-11-27T19:00:00+08:00"


def test_it_returns_one_request_as_xml(o311):
    number = post(o311).json()[0]["service_request_id"]
    root = ET.fromstring(o311.http.get(f"{BASE}/requests/{number}.xml").content)
    assert (root.tag, root[0].tag, root.find("request/status").text) == ("service_requests", "request", "open")


def test_it_filters_requests_by_status(o311):
    make_cases(o311, 2, cat=o311.cat, channel="open311")
    make_cases(o311, 1, cat=o311.cat, stage="closed", status="closed", channel="open311")
    body = o311.http.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["status"] for r in body] == ["closed"]


def test_it_filters_requests_by_ids(o311):
    a, _b = make_cases(o311, 2, cat=o311.cat, channel="open311")
    body = o311.http.get(f"{BASE}/requests.json", {"service_request_id": a.number}).json()
    assert [r["service_request_id"] for r in body] == [a.number]


def test_it_filters_requests_by_start_date(o311):
    make_cases(o311, 1, cat=o311.cat, channel="open311")
    body = o311.http.get(f"{BASE}/requests.json", {"start_date": "2099-01-01T00:00:00+08:00"}).json()
    assert body == []


def test_it_refuses_a_malformed_date(o311):
    assert o311.http.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400


def test_it_refuses_a_range_of_more_than_90_days_as_the_spec_says(o311):
    r = o311.http.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00+08:00",
                                                "end_date": "2026-06-01T00:00:00+08:00"})
    assert (r.status_code, r.json()[0]["code"]) == (400, 400) and "90" in r.json()[0]["description"]


def test_it_answers_a_range_of_exactly_90_days(o311):
    from django.utils import timezone

    make_cases(o311, 1, cat=o311.cat, channel="open311")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=45)
    r = o311.http.get(f"{BASE}/requests.json", {"start_date": start.isoformat(),
                                                "end_date": (start + dt.timedelta(days=90)).isoformat()})
    assert r.status_code == 200 and len(r.json()) == 1


def test_it_refuses_a_range_that_ends_before_it_starts(o311):
    r = o311.http.get(f"{BASE}/requests.json", {"start_date": "2026-11-02T00:00:00+08:00",
                                                "end_date": "2026-11-01T00:00:00+08:00"})
    assert r.status_code == 400 and "end_date" in r.json()[0]["description"]


def test_it_never_lists_a_case_from_another_channel(o311):
    make_cases(o311, 1, cat=o311.cat, kind="complaint", channel="hotline")
    make_cases(o311, 1, cat=o311.cat, channel="patrol")
    assert o311.http.get(f"{BASE}/requests.json").json() == []


def test_it_finds_the_request_behind_a_token(o311):
    case = Case.objects.get(number=post(o311).json()[0]["service_request_id"])
    body = o311.http.get(f"{BASE}/tokens/{case.follow_token}.json").json()
    assert body == [{"service_request_id": case.number, "token": case.follow_token}]


def test_it_answers_a_post_with_the_request_id_and_no_token(o311):
    assert set(post(o311).json()[0]) == {"service_request_id", "service_notice", "account_id"}


def test_it_never_hands_a_duplicate_reporter_the_follow_token_of_the_case_they_joined(o311):
    first = Case.objects.get(number=post(o311).json()[0]["service_request_id"])
    assert first.follow_token not in post(o311, device_id="phone-2").content.decode()


def test_it_keeps_a_photo_sent_as_multipart_media(o311, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.models import Attachment
    from gridgov.cases.tests.scope_fixtures import PNG

    r = post(o311, media=SimpleUploadedFile("bin.png", PNG, content_type="image/png"))
    case = Case.objects.get(number=r.json()[0]["service_request_id"])
    assert r.status_code == 201 and list(Attachment.objects.filter(case=case).values_list("content_type", flat=True)) \
        == ["image/png"]


def test_it_refuses_media_that_is_no_photo_by_naming_media_and_keeps_nothing(o311, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.models import Attachment

    r = post(o311, media=SimpleUploadedFile("bin.png", b"MZ not a picture", content_type="image/png"))
    assert (r.status_code, r.json()[0]["description"].split("：")[0]) == (400, "media")
    assert not Case.objects.exists() and not Attachment.objects.exists() and not any(media.iterdir())


def test_it_answers_a_json_post_with_what_the_spec_expects_instead(o311):
    lat, lon = o311.point_a
    r = o311.http.post(f"{BASE}/requests.json", json.dumps({"api_key": o311.api_key, "service_code": "0901",
                                                            "lat": lat, "long": lon}),
                       content_type="application/json")
    assert r.status_code == 400 and "application/x-www-form-urlencoded" in r.json()[0]["description"]


def test_it_keeps_the_media_url_of_a_post(o311):
    number = post(o311, media_url="https://img.example.cn/a.jpg").json()[0]["service_request_id"]
    assert o311.http.get(f"{BASE}/requests/{number}.json").json()[0]["media_url"] == "https://img.example.cn/a.jpg"


def test_it_serves_json_with_the_json_content_type(o311):
    assert o311.http.get(f"{BASE}/services.json")["Content-Type"].startswith("application/json")


def test_it_keeps_the_wire_format_stable(o311):
    body = json.loads(o311.http.get(f"{BASE}/services.json").content)
    assert body[0]["metadata"] is True and body[0]["type"] == "realtime"


def test_it_answers_an_unknown_jurisdiction_id_with_404_on_the_service_list(o311):
    r = o311.http.get(f"{BASE}/services.json", {"jurisdiction_id": "sfgov.org"})
    assert (r.status_code, r.json()[0]["code"]) == (404, 404)


def test_it_answers_an_unknown_jurisdiction_id_with_404_on_the_request_list(o311):
    make_cases(o311, 1, cat=o311.cat, channel="open311")
    assert o311.http.get(f"{BASE}/requests.json", {"jurisdiction_id": "sfgov.org"}).status_code == 404


def test_it_refuses_a_post_to_an_unknown_jurisdiction_id(o311):
    assert post(o311, jurisdiction_id="sfgov.org").status_code == 404


def test_it_treats_an_empty_jurisdiction_id_as_absent(o311):
    assert post(o311, jurisdiction_id="").status_code == 201


def test_it_lists_the_requests_of_a_town_under_the_district_jurisdiction(o311):
    make_cases(o311, 1, cat=o311.cat, channel="open311")
    body = o311.http.get(f"{BASE}/requests.json", {"jurisdiction_id": o311.district.code}).json()
    assert len(body) == 1


def test_it_hides_a_request_of_another_jurisdiction(o311):
    case = make_cases(o311, 1, cat=o311.cat, channel="open311")[0]
    r = o311.http.get(f"{BASE}/requests/{case.number}.json", {"jurisdiction_id": o311.other_town.code})
    assert r.status_code == 404


def test_it_refuses_a_post_located_outside_its_jurisdiction_id(o311):
    r = post(o311, jurisdiction_id=o311.other_town.code)
    assert (r.status_code, "jurisdiction_id" in r.json()[0]["description"]) == (400, True)


def test_it_names_the_phone_parameter_when_the_phone_is_refused(o311):
    r = post(o311, phone="12")
    assert (r.status_code, r.json()[0]["description"].split("：")[0]) == (400, "phone")


def test_it_names_lat_long_when_the_point_lies_outside_every_grid(o311):
    r = post(o311, lat="39.9", long="116.4")
    assert (r.status_code, r.json()[0]["description"].split("：")[0]) == (400, "lat/long")


def test_it_names_the_malformed_date_parameter(o311):
    r = o311.http.get(f"{BASE}/requests.json", {"start_date": "2026-11-01T00:00:00+08:00", "end_date": "soon"})
    assert r.json()[0]["description"].startswith("end_date ")


def test_it_describes_an_error_in_chinese_by_default(o311):
    description = post(o311, api_key="not-a-key-of-ours-at-all").json()[0]["description"]
    assert "api_key" in description and "无效" in description


def test_it_refuses_several_values_for_a_single_value_attribute(o311):
    r = post(o311, **{"attribute[kind][]": ["grid_event", "complaint"]})
    assert (r.status_code, "attribute[kind]" in r.json()[0]["description"]) == (400, True)


def test_it_refuses_a_post_without_a_required_attribute(o311, monkeypatch):
    from gridgov.cases.open311 import selectors

    monkeypatch.setattr(selectors, "ATTRIBUTES", (selectors.Attribute("title", "标题", required=True),))
    r = post(o311)
    assert (r.status_code, "attribute[title]" in r.json()[0]["description"]) == (400, True)


def test_it_refuses_a_title_longer_than_the_definition_allows(o311):
    r = post(o311, **{"attribute[title]": "题" * 121})
    assert (r.status_code, "attribute[title]" in r.json()[0]["description"]) == (400, True)


def test_it_refuses_a_description_longer_than_the_spec_allows(o311):
    r = post(o311, description="长" * 4001)
    assert (r.status_code, r.json()[0]["description"].startswith("description")) == (400, True)


def test_it_takes_several_values_of_a_multivaluelist_attribute(o311, monkeypatch):
    from gridgov.cases.open311 import selectors
    from gridgov.cases.open311.models import Request

    tags = selectors.Attribute("tags", "标签", "multivaluelist", values=(("a", "甲"), ("b", "乙")))
    monkeypatch.setattr(selectors, "ATTRIBUTE_CODES", {"tags": tags})
    post(o311, **{"attribute[tags][]": ["a", "b"]})
    assert Request.objects.get().attributes == {"tags": ["a", "b"]}


def test_it_answers_a_method_it_does_not_take_in_the_error_format(o311):
    r = o311.http.put(f"{BASE}/requests.json")
    assert (r.status_code, r["Allow"], r.json()[0]["code"]) == (405, "GET, POST", 405)


def test_it_answers_an_unknown_path_with_404_in_the_error_format(o311):
    root = ET.fromstring(o311.http.get(f"{BASE}/services.csv").content)
    assert (root.tag, root.find("error/code").text) == ("errors", "404")


def test_it_answers_an_unknown_json_path_with_404_as_json(o311):
    r = o311.http.get(f"{BASE}/requests/.json")
    assert (r.status_code, r.json()[0]["code"]) == (404, 404)


def test_it_dates_a_closed_request_by_the_time_it_was_closed(o311):
    closed_at = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    case = make_cases(o311, 1, cat=o311.cat, stage="evaluated", status="closed", closed_at=closed_at,
                      channel="open311")[0]
    body = o311.http.get(f"{BASE}/requests/{case.number}.json").json()[0]
    assert body["updated_datetime"] == "2026-11-20T10:00:00+08:00"


def test_it_lists_requests_in_the_same_number_of_queries_whatever_their_number(o311):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            o311.http.get(f"{BASE}/requests.json", {"jurisdiction_id": o311.town.code})
        return len(ctx.captured_queries)

    make_cases(o311, 2, cat=o311.cat, channel="open311")
    few = queries()
    make_cases(o311, 20, cat=o311.cat, channel="open311")
    assert queries() == few


def test_it_describes_an_error_in_english_to_a_client_that_asks_for_it(o311):
    r = o311.http.get(f"{BASE}/requests.json", {"status": "pending"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.json()[0]["description"] == "status must be open or closed, not pending"


def test_it_publishes_the_service_discovery_file(o311):
    body = o311.http.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert (endpoint["specification"], endpoint["url"], endpoint["formats"]) == (
        "http://wiki.open311.org/GeoReport_v2", "http://testserver/open311/v2", ["text/xml", "application/json"])


def test_it_publishes_the_service_discovery_file_as_xml(o311):
    root = ET.fromstring(o311.http.get(f"{BASE}/discovery.xml").content)
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_it_names_the_parameter_in_english_with_an_english_colon(o311):
    description = post(o311, headers={"Accept-Language": "en"}, phone="12").json()[0]["description"]
    assert description.startswith("phone: ")
