"""An application as one flow: 收件 → 受理 / 补正 / 不予受理 → 审查 → 决定 → 出件, the clock and its
suspension, extension and deemed acceptance, and the refusals of bad input (named, in Chinese, nothing saved)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gridgov.core.flow.inbox import inbox_items
from gridgov.core.flow.sweep import sweep
from gridgov.window import selectors, services
from gridgov.window.models import Application, Rectification, Upload

from .conftest import ID_NUMBER, apply_online, materials_of, pdf, walk_in


def act(app, user, transition, **kw):
    app.refresh_from_db()
    return services.application_act(acting_user=user, application=app, transition=transition,
                                    expected_version=app.version, **kw)


def test_it_numbers_an_online_application_and_puts_it_in_the_front_desks_inbox(world, window):
    app = apply_online(world, window.licence)
    assert app.number.startswith("SQ") and app.stage == "received" and app.uploads.count() == 2
    assert [i["number"] for i in inbox_items(user=window.desk)] == [app.number]
    assert inbox_items(user=window.station) == []  # a village station sees what it lodged itself


def test_it_refuses_an_application_missing_a_required_material_naming_it(world, window):
    m = materials_of(window.licence)
    with pytest.raises(ValidationFailed) as exc:
        apply_online(world, window.licence, answers={"agent": True},
                     files={m["申请人居民身份证"].pk: pdf(), m["申请表"].pk: pdf()})
    assert exc.value.errors == {f"material_{m['授权委托书'].pk}": ["缺少必需材料：授权委托书"]}
    assert not Application.objects.exists() and not Upload.objects.exists()


def test_it_refuses_an_upload_that_is_not_a_pdf_or_an_image(world, window):
    m = materials_of(window.licence)
    fake = SimpleUploadedFile("id.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        apply_online(world, window.licence, files={m["申请人居民身份证"].pk: fake, m["申请表"].pk: pdf()})
    assert exc.value.errors == {f"material_{m['申请人居民身份证'].pk}": ["只接受 PDF、JPEG 或 PNG 文件"]}


def test_it_refuses_an_upload_too_large(world, window, settings):
    settings.GRIDGOV_WINDOW_UPLOAD_MAX_BYTES = 1024 * 1024
    m = materials_of(window.licence)
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as exc:
        apply_online(world, window.licence, files={m["申请人居民身份证"].pk: big, m["申请表"].pk: pdf()})
    assert exc.value.errors[f"material_{m['申请人居民身份证'].pk}"] == ["文件过大（不超过 1 MB）"]


def test_it_refuses_an_item_of_another_town_and_one_no_longer_valid(world, window):
    with pytest.raises(ValidationFailed) as other:
        apply_online(world, window.other_item, files={})
    with pytest.raises(ValidationFailed) as expired:
        apply_online(world, window.expired, files={})
    assert other.value.errors == {"item": ["该事项不在您所在的镇街办理"]}
    assert expired.value.errors == {"item": ["该事项已停止办理或尚未生效"]}


def test_it_records_a_village_stations_application_with_the_residents_authorisation(world, window):
    app = walk_in(window, window.licence, by=window.station, channel="station", authorisation=pdf("auth.pdf"))
    assert (app.channel, app.division_id, bool(app.authorisation)) == ("station", world.village.pk, True)
    assert Application.objects.restrict(window.station).filter(pk=app.pk).exists()
    assert Application.objects.restrict(window.desk, "accept").filter(pk=app.pk).exists()


def test_it_refuses_a_station_application_without_the_written_authorisation(world, window):
    with pytest.raises(ValidationFailed) as exc:
        walk_in(window, window.licence, by=window.station, channel="station")
    assert exc.value.errors == {"authorisation": ["代办须上传申请人签字的授权委托书"]}


def test_it_runs_an_application_from_acceptance_to_its_result(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    assert app.stage == "reviewing" and app.deadline is not None and app.step_deadline == app.deadline
    assert [i["number"] for i in inbox_items(user=world.clerk)] == [app.number]
    act(app, world.clerk, "review")
    act(app, world.clerk, "decide", data={"decision": "grant"})
    assert (app.stage, app.decision, app.on_time) == ("issuing", "grant", True)
    act(app, window.desk, "issue", data={"delivery": "window"})
    assert (app.stage, app.status, app.delivery) == ("done", "closed", "window")
    assert [e.transition for e in app.events.order_by("id")] == ["submit", "accept", "review", "decide", "issue"]


def test_it_tells_every_missing_material_at_once_and_takes_them_back(world, window):
    app = apply_online(world, window.licence)
    ids = [m.pk for m in window.licence.materials.all()][:2]
    act(app, window.desk, "correct", data={"missing": ",".join(map(str, ids))})
    assert app.stage == "correcting" and [m["name"] for m in app.missing] == ["申请人居民身份证", "申请表"]
    assert [i["number"] for i in inbox_items(user=world.resident)] == [app.number]
    act(app, world.resident, "resubmit", files={ids[0]: pdf(), ids[1]: pdf()})
    assert app.stage == "received" and app.missing == [] and app.corrections == 1


def test_it_refuses_an_intake_only_with_a_reason(world, window):
    app = walk_in(window, window.licence)
    with pytest.raises(ValidationFailed) as exc:
        act(app, window.desk, "refuse_intake")
    assert exc.value.errors == {"note": ["请填写不予受理的说明"]}
    act(app, window.desk, "refuse_intake", note="不属于本机关职权范围")
    assert (app.stage, app.status) == ("refused", "closed")


def test_it_decides_an_instant_item_on_the_spot(world, window):
    app = walk_in(window, window.instant)
    act(app, window.desk, "instant")
    assert (app.stage, app.instant, app.decision, app.working_days) == ("issuing", True, "grant", 0)


def test_it_counts_an_application_left_five_working_days_as_accepted_on_receipt(world, window):
    app = walk_in(window, window.licence)
    later = app.step_deadline + dt.timedelta(minutes=1)
    result = sweep(now=later)
    app.refresh_from_db()
    assert result.by_model["window.application"] == 1 and app.overdue
    assert "视为" in app.events.get(transition="urge").note or "即为受理" in app.events.get(transition="urge").note
    act(app, window.desk, "accept")
    assert app.deemed_accepted and app.accepted_at == app.received_at


def test_it_stops_the_clock_while_suspended_and_refuses_a_decision_meanwhile(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    act(app, world.clerk, "suspend", data={"reason_kind": "expert"}, note="组织专家评审")
    assert app.stage == "suspended" and app.step_deadline is None
    with pytest.raises(ValidationFailed) as exc:
        act(app, world.clerk, "decide", data={"decision": "grant"})
    assert exc.value.errors == {"transition": ["办件已中止（不计时），恢复审查后才能作出决定"]}
    act(app, world.clerk, "resume_review")
    assert app.stage == "reviewing" and app.step_deadline == app.deadline


def test_it_extends_by_ten_working_days_only_with_the_leaders_approval(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    before = app.deadline
    act(app, world.clerk, "request_extension", note="需现场核查")
    assert [i["source"] for i in inbox_items(user=world.leader)] == ["window.extension"]
    with pytest.raises(PermissionDenied):
        act(app, world.clerk, "approve_extension")
    act(app, world.leader, "approve_extension")
    assert app.extended and app.deadline > before


def test_it_refuses_a_decision_by_someone_outside_the_items_department(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    with pytest.raises(NotFound):
        selectors.application_get(user=window.other_approver, pk=app.pk)
    with pytest.raises(PermissionDenied):
        act(app, window.other_approver, "decide", data={"decision": "grant"})


def test_it_refuses_acting_on_an_application_already_decided(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    stale = app.version
    act(app, world.clerk, "decide", data={"decision": "refuse", "reason": "不符合安全距离要求"})
    with pytest.raises(Conflict):
        services.application_act(acting_user=world.clerk, application=app, transition="decide",
                                 expected_version=stale, data={"decision": "grant"})


def test_it_refuses_a_refusal_without_reasons(world, window):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    with pytest.raises(ValidationFailed) as exc:
        act(app, world.clerk, "decide", data={"decision": "refuse"})
    assert exc.value.errors == {"reason": ["不予许可须说明理由"]}


def test_it_follows_an_application_by_number_and_the_last_four_digits(world, window):
    app = walk_in(window, window.licence)
    assert selectors.application_follow(number=app.number, last4="002x") == app
    assert selectors.application_follow(number=app.number, last4="5678") == app
    with pytest.raises(NotFound):
        selectors.application_follow(number=app.number, last4="0000")


def test_it_takes_one_rating_per_matter_and_a_bad_one_opens_a_rectification(world, window):
    app = apply_online(world, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    act(app, world.clerk, "decide", data={"decision": "grant"})
    services.application_rate(acting_user=world.resident, application=app, score=2, comment="等待太久")
    with pytest.raises(Conflict):
        services.application_rate(acting_user=world.resident, application=app, score=5)
    rect = Rectification.objects.get()
    assert rect.department_id == world.department.pk and rect.stage == "open"
    assert any(i["source"] == "window.rectification" for i in inbox_items(user=world.clerk))
    services.rectification_act(acting_user=world.clerk, rectification=rect, expected_version=rect.version,
                               note="已电话回访并致歉，优化审批流程")
    assert rect.status == "closed"


def test_it_computes_the_indicators_per_department(world, window):
    a = walk_in(window, window.instant)
    act(a, window.desk, "instant")
    b = apply_online(world, window.licence)
    act(b, window.desk, "correct", data={"missing": str(window.licence.materials.first().pk)})
    [row] = selectors.indicators(user=world.leader, by="department")
    assert (row["received"], row["instant_rate"], row["online_rate"], row["correction_rate"],
            row["on_time_rate"]) == (2, 50.0, 50.0, 50.0, 100.0)


def test_it_keeps_the_front_desks_queue_at_a_constant_number_of_queries(world, window, client_for,
                                                                       django_assert_max_num_queries):
    for _n in range(3):
        walk_in(window, window.licence)
    from django.test import Client

    c = Client()
    c.force_login(window.desk)
    c.get("/window/applications/?queue=desk")
    with django_assert_max_num_queries(12) as few:
        c.get("/window/applications/?queue=desk")
    for _n in range(20):
        walk_in(window, window.licence)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert c.get("/window/applications/?queue=desk").status_code == 200


def test_it_shows_a_resident_the_item_page_and_applies_from_it(world, window, client_for):
    c = client_for("resident")
    assert "申请人居民身份证" in c.get(f"/window/items/{window.licence.pk}/").content.decode()
    m = materials_of(window.licence)
    r = c.post(f"/window/items/{window.licence.pk}/", {
        "_form": "apply", "_page": f"/window/items/{window.licence.pk}/", "applicant_id_number": ID_NUMBER,
        f"material_{m['申请人居民身份证'].pk}": pdf(), f"material_{m['申请表'].pk}": pdf()})
    assert r.status_code == 302 and Application.objects.filter(applicant=world.resident).count() == 1


def test_it_shows_the_missing_material_beside_its_field_on_the_page(world, window, client_for):
    c = client_for("resident")
    page = f"/window/items/{window.licence.pk}/"
    r = c.post(page, {"_form": "apply", "_page": page, "applicant_id_number": ID_NUMBER})
    assert r.status_code == 422 and "缺少必需材料：申请表" in r.content.decode()
    assert not Application.objects.exists()


def test_it_follows_and_rates_through_the_public_follow_link(world, window, client_for):
    app = walk_in(window, window.instant)
    act(app, window.desk, "instant")
    anon = client_for(None)
    r = anon.post("/window/follow/", {"_form": "follow", "_page": "/window/follow/", "number": app.number,
                                      "last4": "5678"})
    assert r.status_code == 302
    page = r["Location"]
    assert app.number in anon.get(page).content.decode()
    anon.post(page, {"_form": "rate", "_page": page, "score": "5"})
    assert app.__class__.objects.get(pk=app.pk).rating.score == 5


def test_it_walks_the_clerk_through_the_decision_on_the_application_page(world, window, client_for):
    app = walk_in(window, window.licence)
    act(app, window.desk, "accept")
    act(app, world.clerk, "review")
    c = client_for("clerk")
    page = f"/window/applications/{app.pk}/"
    assert "作出决定" in c.get(page).content.decode()
    r = c.post(page, {"_form": "decide", "_page": page, "transition": "decide", "version": app.version + 0,
                      "decision": "refuse", "reason": ""})
    assert r.status_code == 422 and "不予许可须说明理由" in r.content.decode()
    app.refresh_from_db()
    r = c.post(page, {"_form": "decide", "_page": page, "transition": "decide", "version": app.version,
                      "decision": "grant", "reason": ""})
    assert r.status_code == 302 and Application.objects.get(pk=app.pk).decision == "grant"
    assert timezone.now() >= Application.objects.get(pk=app.pk).decided_at


def test_guessing_the_four_characters_of_a_follow_lookup_is_stopped_after_the_limit(world, window, client_for,
                                                                                    settings):
    settings.GRIDGOV_RATE_LIMITS = {**settings.GRIDGOV_RATE_LIMITS, "follow_lookup": (3, 0, 3600)}
    app = walk_in(window, window.instant)
    anon = client_for(None)
    for guess in ("0000", "0001", "0002"):
        r = anon.post("/window/follow/", {"_form": "follow", "_page": "/window/follow/", "number": app.number,
                                          "last4": guess})
        assert r.status_code == 422
    r = anon.post("/window/follow/", {"_form": "follow", "_page": "/window/follow/", "number": app.number,
                                      "last4": "5678"})  # the right one, but past the limit
    assert r.status_code == 429 and "请求过于频繁" in r.content.decode() and r["Retry-After"]
    api = anon.get("/api/v1/window/follow", {"number": app.number, "last4": "5678"})
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
