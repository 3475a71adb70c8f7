"""Photos: the type is read from the bytes, the size is limited, files go through storage, and a failing
report leaves no file behind."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases.models import Attachment
from gridgov.cases.photos import sniff
from gridgov.cases.tests.scope_fixtures import PNG
from gridgov.core.errors import ValidationFailed

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_it_recognises_a_jpeg_by_its_bytes():
    assert sniff(JPEG) == "image/jpeg"


def test_it_refuses_a_script_named_like_a_photo(case_world, report):
    from gridgov.cases.services import case_report

    lat, lon = case_world.point_a
    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationFailed):
        case_report(acting_user=case_world.worker_a, data={"category": "0102", "lat": lat, "lon": lon}, photos=[fake])


def test_it_refuses_a_photo_over_the_size_limit(case_world, settings):
    from gridgov.cases.services import case_report

    settings.GRIDGOV_PHOTO_MAX_BYTES = 50
    lat, lon = case_world.point_a
    with pytest.raises(ValidationFailed):
        case_report(acting_user=case_world.worker_a, data={"category": "0102", "lat": lat, "lon": lon},
                    photos=[SimpleUploadedFile("a.jpg", JPEG)])


def test_it_stores_report_photos_on_the_first_timeline_entry(case_world, client_for, media):
    lat, lon = case_world.point_a
    resp = client_for("worker_a").post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon,
                                                          "description": "垃圾", "photos": [
                                                              SimpleUploadedFile("a.png", PNG)]})
    assert resp.status_code == 302
    a = Attachment.objects.get()
    assert (a.content_type, a.event.transition, (media / a.file.name).exists()) == ("image/png", "report", True)


def test_a_failed_report_leaves_no_photo_file_behind(case_world, client_for, media):
    lat, lon = case_world.point_outside
    client_for("resident").post("/cases/report/", {"category": "0102", "lat": lat, "lon": lon, "description": "x",
                                                   "photos": [SimpleUploadedFile("a.png", PNG)]})
    assert (Attachment.objects.count(), [p for p in media.rglob("*") if p.is_file()]) == (0, [])


def test_a_failed_transition_removes_the_photos_it_stored(case_world, report, media, monkeypatch):
    from gridgov.cases import engine

    case = report("worker_a")

    def boom(**kw):
        raise RuntimeError("notify down")

    monkeypatch.setattr("gridgov.cases.notifications.notify_transition", boom)
    with pytest.raises(RuntimeError):
        engine.fire(case=case, transition="file", acting_user=case_world.dispatcher,
                    photos=[SimpleUploadedFile("a.png", PNG)])
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_a_grid_worker_of_another_grid_cannot_see_the_photo(case_world, report, client_for):
    case = report("worker_a")
    client_for("worker_a").post(f"/api/v1/cases/cases/{case.pk}/photos",
                                {"photos": SimpleUploadedFile("a.png", PNG)})
    a = Attachment.objects.get()
    assert (client_for("worker_a").get(f"/cases/photos/{a.pk}/").status_code,
            client_for("worker_b").get(f"/cases/photos/{a.pk}/").status_code) == (200, 404)


def test_the_case_api_lists_photos_in_the_timeline(case_world, report, client_for):
    case = report("worker_a")
    client_for("worker_a").post(f"/api/v1/cases/cases/{case.pk}/photos", {"photos": SimpleUploadedFile("a.png", PNG)})
    events = json.loads(client_for("worker_a").get(f"/api/v1/cases/cases/{case.pk}").content)["events"]
    assert events[-1]["photos"][0]["content_type"] == "image/png"
