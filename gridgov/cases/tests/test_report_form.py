"""The report form (上报, issue 15): every wrong field of a report is named at once, each under its own label as
the form calls it (问题类别, not 事件类别), and everything typed comes back."""

from __future__ import annotations

from gridgov.cases.models import Case
from gridgov.core.tests.pageforms import field_errors, value_of


def test_it_names_every_wrong_field_of_a_report_at_once_under_its_label(case_world, client_for):
    page = client_for("worker_a").post("/cases/report/", {
        "title": "长" * 200, "description": "路口垃圾堆了三天", "reporter_phone": "12345", "_form": "report"})
    html = page.content.decode()
    assert page.status_code == 422
    assert set(field_errors(html)) == {"title", "reporter_phone"}
    for said in ("问题类别：请选择问题类别", "位置：请在地图上选择位置或允许定位", "标题：过长（最多 120 字）", "手机号："):
        assert said in html, said
    assert "事件类别" not in html
    assert (value_of(html, "description"), value_of(html, "reporter_phone")) == ("路口垃圾堆了三天", "12345")
    assert not Case.objects.exists()


def test_the_service_the_api_calls_refuses_every_wrong_field_of_a_report_at_once(case_world):
    import pytest

    from gridgov.cases import services
    from gridgov.core.errors import ValidationFailed

    lat, lon = case_world.point_outside
    with pytest.raises(ValidationFailed) as exc:
        services.case_report(acting_user=case_world.worker_a, data={
            "lat": lat, "lon": lon, "title": "长" * 200, "description": "x", "reporter_phone": "12345"})
    assert set(exc.value.errors) == {"category", "location", "title", "reporter_phone"}
