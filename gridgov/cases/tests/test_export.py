"""The case ledger (台账) as a spreadsheet: the list as filtered, in the user's scope, reporters masked, each
export in the access log; for the town leader and the administrator only."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from gridgov.cases.models import Case
from gridgov.core.models import AccessLog


def _rows(response) -> list[dict]:
    body = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(header, r + [None] * (len(header) - len(r)), strict=True)) for r in rows]


@pytest.fixture
def ledger(case_world, report):
    """Three cases in grid A: one from a named caller, one anonymous, one filed by the worker; one in grid B."""
    named = report(None, reporter_name="李秀英", reporter_phone="13712344321", title="路灯不亮")
    hidden = report(None, anonymous=True, reporter_name="王强", reporter_phone="13900001111")
    patrol = report("worker_a", title="暴露垃圾")
    lat, lon = case_world.point_b
    other = report("worker_b", lat=lat, lon=lon, title="网格B的事")
    return case_world, named, hidden, patrol, other


def test_the_leader_downloads_the_towns_ledger_with_the_reporters_masked(ledger, client_for):
    """镇领导戊 downloads 泊里镇's ledger for the month-end meeting: every case of the town, newest first, with its
    stage, unit and deadline; 李秀英's name and mobile masked, the anonymous report named 匿名 only."""
    w, named, hidden, patrol, other = ledger
    r = client_for("leader").get("/cases/export/")
    rows = _rows(r)
    by_number = {row["案卷编号"]: row for row in rows}
    assert (r.status_code, [row["案卷编号"] for row in rows]) == (
        200, [other.number, patrol.number, hidden.number, named.number])
    assert (by_number[named.number]["上报人"], by_number[named.number]["联系电话"]) == ("李**", "137****4321")
    assert (by_number[hidden.number]["上报人"], by_number[hidden.number]["联系电话"]) == ("匿名", None)
    assert (by_number[patrol.number]["标题"], by_number[patrol.number]["环节"],
            by_number[patrol.number]["网格"]) == ("暴露垃圾", "待立案", "网格A")
    assert "13712344321" not in b"".join(client_for("leader").get("/cases/export/").streaming_content).decode(
        "latin-1")


def test_the_ledger_is_the_list_as_filtered(ledger, client_for):
    w, named, hidden, patrol, other = ledger
    r = client_for("leader").get("/cases/export/", {"grid": w.grid_b.pk, "format": "csv"})
    assert [row["案卷编号"] for row in _rows(r)] == [other.number]


def test_an_app_takes_the_ledger_from_the_api_with_the_same_filters(ledger, client_for):
    w, named, hidden, patrol, other = ledger
    r = client_for("admin").get("/api/v1/cases/cases/export", {"grid": w.grid_a.pk, "format": "csv"})
    assert (r.status_code, {row["案卷编号"] for row in _rows(r)}) == (
        200, {named.number, hidden.number, patrol.number})


def test_each_ledger_export_is_in_the_access_log_with_its_count(ledger, client_for):
    client_for("leader").get("/cases/export/")
    log = AccessLog.objects.get(user=ledger[0].leader)
    assert (log.kind, log.model, log.count, log.fields) == (
        "export", "cases.case", 4, "reporter_name(masked),reporter_phone(masked)")


def test_another_towns_leader_exports_none_of_this_towns_cases(ledger, client_for):
    assert _rows(client_for("other_leader").get("/cases/export/")) == []


def test_a_grid_worker_or_a_clerk_may_not_export_the_ledger(ledger, client_for):
    for who in ("worker_a", "clerk"):
        c = client_for(who)
        assert c.get("/cases/export/").status_code == 403
        assert c.get("/api/v1/cases/cases/export").status_code == 403
        assert "/cases/export/" not in c.get("/cases/").content.decode()
    assert not AccessLog.objects.exists()


def test_the_leader_finds_the_export_on_the_list_carrying_its_filters(ledger, client_for):
    page = client_for("leader").get("/cases/", {"queue": "file"}).content.decode()
    assert 'href="/cases/export/?queue=file" data-with-query download' in page


def test_a_refused_filter_is_named_on_the_list_page_not_exported(ledger, client_for):
    r = client_for("leader").get("/cases/export/", {"created_after": "2026-02-01", "created_before": "2026-01-01"})
    assert r.status_code == 422 and 'data-error="created_before"' in r.content.decode()
    assert not AccessLog.objects.exists()


def test_an_unknown_format_is_refused_naming_format(ledger, client_for):
    r = client_for("leader").get("/api/v1/cases/cases/export", {"format": "pdf"})
    assert (r.status_code, r.json()["errors"]) == (422, {"format": ["格式只能是 xlsx 或 csv"]})


def test_the_ledger_reads_in_the_same_number_of_queries_whatever_its_length(case_world, client_for,
                                                                           django_assert_max_num_queries):
    from .bulk import make_cases

    c = client_for("leader")
    make_cases(case_world, 5)
    with django_assert_max_num_queries(12) as few:
        _rows(c.get("/cases/export/"))
    make_cases(case_world, 200)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = _rows(c.get("/cases/export/"))
    assert len(rows) == Case.objects.count() == 205
