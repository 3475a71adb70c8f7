"""Open311 GeoReport v2 under input nobody planned for. The endpoint is for other systems (a 12345 platform, a
city app, a script someone wrote), and the spec promises them an answer they can parse: whatever a client
sends, gridgov answers in the requested format, a refusal is the spec's error list (each with the HTTP status as
its code and a description), never a server error, and a refused report opens no case.

Hypothesis generates the parameters (property-based; it is not in OpenAPI, so the schemathesis walk of
core/tests/test_api_fuzz.py does not reach it). Deterministic: derandomized, no example database."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gridgov.cases.models import Case

BASE = "/open311/v2"
FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=40,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text as clients send it by mistake: empty, spaces, digits, dates, control characters (NUL included, which
# PostgreSQL stores in no text column), CJK, very long.
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999999", "1e309", "nan", "inf", "\x00", "a\x00b",
                     "0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-02-30",
                     "2026-11-26T10:00:00Z", "2026-11-26 10:00:00 08:00", "open,closed,", ",,,", "0901,0901",
                     "%00", "../../etc/passwd", "<x>&amp;</x>", "暴露垃圾" * 300]),
)
GET_PARAMS = ("service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id")
POST_PARAMS = ("service_code", "lat", "long", "address_string", "description", "email", "phone", "first_name",
               "last_name", "device_id", "account_id", "media_url", "jurisdiction_id", "attribute[kind]",
               "attribute[crs]", "attribute[title]", "attribute[anonymous]", "attribute[nope]")


def parsed(response, fmt: str) -> object:
    """The answer as a client library reads it; fails the test if it cannot be read."""
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json" if fmt == "json" else "text/xml")
    if fmt == "json":
        return json.loads(response.content)
    return ET.fromstring(response.content)


def assert_spec_error(response, fmt: str) -> None:
    body = parsed(response, fmt)
    status = str(response.status_code)
    if fmt == "json":
        assert body and all(set(e) == {"code", "description"} and str(e["code"]) == status and e["description"]
                            for e in body), body
    else:
        assert body.tag == "errors" and len(body), ET.tostring(body)
        assert all(e.tag == "error" and e.findtext("code") == status and e.findtext("description")
                   for e in body), ET.tostring(body)


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]),
       params=st.dictionaries(st.sampled_from(GET_PARAMS), ODD_TEXT, max_size=4))
@example(fmt="json", params={"start_date": "0001-01-01T00:00:00+14:00"})
@example(fmt="json", params={"end_date": "0001-01-02T00:00:00"})
@example(fmt="xml", params={"end_date": "9999-12-31T23:59:59-12:00"})
@example(fmt="json", params={"service_code": "a\x00b"})
@example(fmt="xml", params={"service_request_id": "\x00"})
def test_a_client_listing_requests_with_any_parameters_gets_a_list_or_the_spec_error(o311, fmt, params):
    r = o311.http.get(f"{BASE}/requests.{fmt}", params)
    if r.status_code == 200:
        body = parsed(r, fmt)
        assert isinstance(body, list) if fmt == "json" else body.tag == "service_requests"
    else:
        assert r.status_code in (400, 404)
        assert_spec_error(r, fmt)


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), resource=st.sampled_from(["requests", "tokens", "services"]),
       key=ODD_TEXT.filter(lambda s: s.strip() and "/" not in s))
@example(fmt="json", resource="requests", key="\x00")
@example(fmt="xml", resource="tokens", key="a\x00b")
@example(fmt="json", resource="services", key="09\x0001")
def test_a_client_asking_for_one_resource_by_any_id_gets_it_or_a_404_in_the_spec_format(o311, fmt, resource, key):
    r = o311.http.get(f"{BASE}/{resource}/{quote(key, safe='')}.{fmt}")
    if r.status_code != 200:
        assert r.status_code == 404, (r.status_code, r.content[:300])
        assert_spec_error(r, fmt)
    else:
        parsed(r, fmt)


@FUZZ
@given(fmt=st.sampled_from(["json", "xml"]), with_key=st.booleans(),
       params=st.dictionaries(st.sampled_from(POST_PARAMS), ODD_TEXT, max_size=6))
@example(fmt="json", with_key=True, params={"service_code": "0901", "lat": "nan", "long": "inf"})
@example(fmt="json", with_key=True, params={"service_code": "0901", "lat": "1e309", "long": "120"})
@example(fmt="xml", with_key=True, params={"service_code": "0901", "address_string": "\x00"})
@example(fmt="json", with_key=True, params={"service_code": "0901", "lat": "35.905", "long": "120.005",
                                            "email": "a\x00b"})
@example(fmt="json", with_key=True, params={"service_code": "0901", "lat": "35.905", "long": "120.005",
                                            "attribute[title]": "a\x00b"})
@example(fmt="xml", with_key=True, params={"service_code": "0901", "lat": "35.905", "long": "120.005",
                                           "device_id": "\x00", "account_id": "\x00"})
def test_a_client_posting_any_report_gets_a_case_number_or_the_spec_error_and_no_case(o311, fmt, with_key, params):
    data = {**({"api_key": o311.api_key} if with_key else {}), **params}
    before = Case.objects.count()
    r = o311.http.post(f"{BASE}/requests.{fmt}", data)
    if r.status_code == 201:
        body = parsed(r, fmt)
        number = body[0]["service_request_id"] if fmt == "json" else body.findtext("request/service_request_id")
        assert Case.objects.filter(number=number).exists()
    else:
        assert r.status_code in (400, 403, 404), (r.status_code, r.content[:300])
        assert_spec_error(r, fmt)
        assert Case.objects.count() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_labelled_multipart_that_is_not_gets_the_spec_error_and_no_case(o311, fmt):
    before = Case.objects.count()
    r = o311.http.post(f"{BASE}/requests.{fmt}", b"api_key=x&service_code=0901", content_type="multipart/form-data")
    assert r.status_code == 400
    assert_spec_error(r, fmt)
    assert Case.objects.count() == before


def test_a_stored_report_with_a_control_character_still_lists_as_well_formed_xml(o311):
    r = o311.http.post(f"{BASE}/requests.json", {"api_key": o311.api_key, "service_code": "0901",
                                                  "lat": o311.point_a[0], "long": o311.point_a[1],
                                                  "description": "垃圾\x01堆\x1f放"})
    assert r.status_code == 201
    root = parsed(o311.http.get(f"{BASE}/requests.xml"), "xml")
    assert root.findtext("request/description") == "垃圾\ufffd堆\ufffd放"
