"""An existing Open311 client works unchanged: the `georeport` package from PyPI (a GeoReport v2 wrapper written
for Boston, Chicago and other US cities, not for us) reads gridgov's services and requests over HTTP, in JSON and in
XML, with a jurisdiction_id, exactly as it reads a US city's 311. A report is posted the way the spec describes a
POST (form fields), since that client only reads."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from gridgov.cases.models import Case
from gridgov.cases.open311.services import open311_client_create
from gridgov.cases.tests.bulk import category


@pytest.fixture
def city(site, world):
    """泊里镇's Open311 endpoint, one service (暴露垃圾) and an api_key for the district's 12345 platform."""
    world.cat = category("0901", "暴露垃圾（测试）", 4, "hours")
    _client, world.api_key = open311_client_create(name="12345平台", acting_user=None)
    world.root = f"{site}/open311/v2"
    return world


def report(city, **fields) -> requests.Response:
    lat, lon = city.point_a
    data = {"api_key": city.api_key, "jurisdiction_id": city.town.code, "service_code": "0901",
            "lat": lat, "long": lon, "description": "路口有垃圾堆，三天没人清", "first_name": "李",
            "phone": "13712344321", **fields}
    return requests.post(f"{city.root}/requests.json", data=data, timeout=10)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_us_client_lists_the_towns_services(city, fmt):
    services = GeoReport(city.root, jurisdiction=city.town.code, output_format=fmt).get_service_list()
    service = services if isinstance(services, dict) else services[0]  # xmltodict: one element is no list
    assert (service["service_code"], service["service_name"]) == ("0901", "暴露垃圾（测试）")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_us_client_reads_a_services_attributes(city, fmt):
    definition = GeoReport(city.root, jurisdiction=city.town.code, output_format=fmt).get_service_definition("0901")
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if fmt == "xml" else attributes
    assert "kind" in {a["code"] for a in attributes}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_us_client_follows_the_report_it_posted_until_it_is_open_with_a_deadline(city, fmt):
    posted = report(city)
    number = posted.json()[0]["service_request_id"]
    client = GeoReport(city.root, jurisdiction=city.town.code, output_format=fmt)
    one = client.get_service_request(number)
    listed = client.get_service_requests(service_request_id=number)
    listed = listed if isinstance(listed, dict) else listed[0]
    assert (posted.status_code, one["service_request_id"], one["status"], one["status_notes"],
            one["service_code"]) == (201, number, "open", "待立案", "0901")
    assert listed["service_request_id"] == number


def test_a_us_client_filters_by_status_and_service_code(city):
    number = report(city).json()[0]["service_request_id"]
    client = GeoReport(city.root, jurisdiction=city.town.code)
    assert [r["service_request_id"] for r in client.get_service_requests(status="open", service_code="0901")] \
        == [number]
    assert client.get_service_requests(status="closed") == []


def test_a_us_client_gets_a_clear_http_error_for_a_request_of_another_town(city):
    number = report(city).json()[0]["service_request_id"]
    client = GeoReport(city.root, jurisdiction=city.other_town.code)
    with pytest.raises(requests.HTTPError) as refused:
        client.get_service_request(number)
    assert refused.value.response.status_code == 404
    assert Case.objects.filter(number=number).exists()
