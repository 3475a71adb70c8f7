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


# -- The reporter adds photos through their follow link (an app that reported without an account) --------

def _public_report(client, case_world, **extra):
    lat, lon = case_world.point_a
    body = {"category": "0102", "lat": lat, "lon": lon, "description": "路口有垃圾堆", "force_new": True, **extra}
    answer = client.post("/api/v1/cases/public/cases", json.dumps(body), content_type="application/json").json()
    return answer, answer["follow_url"].rstrip("/").rsplit("/", 1)[1]


def test_a_resident_who_reported_by_app_adds_the_photos_through_the_follow_link(case_world, client, media):
    answer, token = _public_report(client, case_world)
    resp = client.post(f"/api/v1/cases/cases/follow/{token}/photos",
                       {"photos": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.jpg", JPEG)],
                        "note": "从另一侧拍的"})
    assert resp.status_code == 201, resp.content
    saved = resp.json()
    assert [p["content_type"] for p in saved] == ["image/png", "image/jpeg"]
    # The photo opens with the link's token, without a login; the dispatcher sees it in the timeline
    assert client.get(saved[0]["url"]).status_code == 200
    a = Attachment.objects.select_related("event").get(pk=saved[0]["id"])
    assert (a.case_id, a.event.transition, a.event.note, (media / a.file.name).exists()) == (
        answer["id"], "reporter_photos", "从另一侧拍的", True)
    from gridgov.core.models import ChangeRecord

    assert ChangeRecord.objects.filter(model="cases.attachment", object_id=str(a.pk), action="create").exists()


def test_the_link_takes_no_more_photos_once_the_report_is_filed(case_world, client, media):
    from gridgov.cases import engine
    from gridgov.cases.models import Case

    answer, token = _public_report(client, case_world)
    engine.fire(case=Case.objects.get(pk=answer["id"]), transition="file", acting_user=case_world.dispatcher)
    resp = client.post(f"/api/v1/cases/cases/follow/{token}/photos", {"photos": SimpleUploadedFile("a.png", PNG)})
    assert resp.status_code == 422
    assert "待派遣" in resp.json()["errors"]["photos"][0]
    assert (Attachment.objects.count(), [p for p in media.rglob("*") if p.is_file()]) == (0, [])


def test_the_link_takes_nine_photos_in_all_and_refuses_a_tenth(case_world, client, media):
    answer, token = _public_report(client, case_world)
    first = client.post(f"/api/v1/cases/cases/follow/{token}/photos",
                        {"photos": [SimpleUploadedFile(f"{i}.png", PNG) for i in range(9)]})
    again = client.post(f"/api/v1/cases/cases/follow/{token}/photos", {"photos": SimpleUploadedFile("x.png", PNG)})
    assert (first.status_code, again.status_code) == (201, 422)
    assert "已有 9 张" in again.json()["errors"]["photos"][0]
    assert Attachment.objects.count() == 9


def test_a_follower_or_a_guessed_link_adds_no_photo(case_world, client, media):
    from gridgov.cases.models import CaseFollower

    answer, token = _public_report(client, case_world)
    lat, lon = case_world.point_a
    second = client.post("/api/v1/cases/public/cases", json.dumps(
        {"category": "0102", "lat": lat, "lon": lon, "description": "同一堆垃圾", "follow": answer["id"]}),
        content_type="application/json").json()
    follower_token = second["follow_url"].rstrip("/").rsplit("/", 1)[1]
    assert CaseFollower.objects.filter(token=follower_token).exists()
    for t in (follower_token, "x" * 22):
        resp = client.post(f"/api/v1/cases/cases/follow/{t}/photos", {"photos": SimpleUploadedFile("a.png", PNG)})
        assert (resp.status_code, resp.json()["code"]) == (404, "not_found")
    assert Attachment.objects.count() == 0


def test_the_follow_page_offers_photos_until_the_report_is_filed(case_world, client, media):
    from gridgov.cases import engine
    from gridgov.cases.models import Case

    answer, token = _public_report(client, case_world)
    page = client.get(f"/cases/follow/{token}/").content.decode()
    assert 'name="action" value="photos"' in page
    resp = client.post(f"/cases/follow/{token}/", {"action": "photos", "photos": SimpleUploadedFile("a.png", PNG)})
    assert resp.status_code == 302
    page = client.get(f"/cases/follow/{token}/").content.decode()
    a = Attachment.objects.get()
    assert f"/cases/photos/{a.pk}/?t={token}" in page and "上报人补充照片" in page
    engine.fire(case=Case.objects.get(pk=answer["id"]), transition="file", acting_user=case_world.dispatcher)
    assert 'value="photos"' not in client.get(f"/cases/follow/{token}/").content.decode()


def test_the_grid_workers_note_with_photos_posted_to_the_api_reaches_the_timeline(case_world, report, client_for):
    case = report("worker_a")
    client_for("worker_a").post(f"/api/v1/cases/cases/{case.pk}/photos",
                                {"photos": SimpleUploadedFile("a.png", PNG), "note": "整改前"})
    events = json.loads(client_for("worker_a").get(f"/api/v1/cases/cases/{case.pk}").content)["events"]
    assert (events[-1]["label"], events[-1]["note"]) == ("补充照片", "整改前")


def test_the_follow_page_shows_its_own_link_on_the_site_address(case_world, client, settings):
    """Texts and e-mails link on GRIDGOV_SITE_URL; the link the page shows to copy is the same one."""
    answer, token = _public_report(client, case_world)
    settings.GRIDGOV_SITE_URL = "https://gridgov.boli.gov.cn/"
    page = client.get(f"/cases/follow/{token}/").content.decode()
    assert f'id="follow-link" readonly value="https://gridgov.boli.gov.cn/cases/follow/{token}/"' in page


# -- Merging: the duplicate's photos reach the surviving case ---------------------------------------------

def test_the_photo_of_a_merged_duplicate_shows_on_the_survivors_timeline(case_world, report, client_for, media):
    """网格员乙 photographs the rubbish heap next door, in grid B; 指挥中心 merges that report into the case
    网格员甲 opened in grid A. 网格员甲 handles the survivor and sees 乙's photo on its 合并 line, though grid B is
    not theirs."""
    from gridgov.cases.services import case_add_photos, case_merge

    survivor = report("worker_a", lat=35.905, lon=120.0098)  # grid A, 36 m from grid B's edge
    dup = report("worker_b", lat=35.905, lon=120.0102)  # grid B, the same heap from across the line
    case_add_photos(case=dup, acting_user=case_world.people["worker_b"],
                    photos=[SimpleUploadedFile("heap.png", PNG)])
    case_merge(case=dup, into=survivor, acting_user=case_world.dispatcher)
    events = json.loads(client_for("worker_a").get(f"/api/v1/cases/cases/{survivor.pk}").content)["events"]
    merged_line = next(e for e in events if e["transition"] == "merged_in")
    photo = Attachment.objects.get(case=survivor)
    assert [p["url"] for p in merged_line["photos"]] == [f"/cases/photos/{photo.pk}/"]
    assert client_for("worker_a").get(f"/cases/photos/{photo.pk}/").status_code == 200
    assert f'src="/cases/photos/{photo.pk}/"' in client_for("dispatcher").get(f"/cases/{survivor.pk}/").content.decode()
    assert photo.file.name == Attachment.objects.get(case=dup).file.name  # one stored file, not a copy


def test_the_survivors_reporter_does_not_see_another_reporters_photo_on_the_follow_page(case_world, report,
                                                                                      client_for, media):
    from gridgov.cases.services import case_add_photos, case_merge

    survivor, dup = report("resident"), report("worker_a")
    case_add_photos(case=dup, acting_user=case_world.people["worker_a"], photos=[SimpleUploadedFile("p.png", PNG)])
    case_merge(case=dup, into=survivor, acting_user=case_world.dispatcher)
    page = client_for(None).get(f"/cases/follow/{survivor.follow_token}/").content.decode()
    assert "合并重复案卷" in page and "/cases/photos/" not in page
