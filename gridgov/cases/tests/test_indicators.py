"""Indicators (RULES.md §1) computed from the case table: the 天门 worked example, 缓办 out of the on-time
denominator, the 接诉即办 三率 and composite, grouping, scope, the page and the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gridgov.cases.indicators import Period, case_indicators

from .bulk import at, fast_passwords, make_cases  # noqa: F401

JANUARY = Period.parse("2026-01-01", "2026-02-01")
LATER = at("2026-03-01 00:00")


def total(world, *, by="town", period=JANUARY, user="leader", **kw):
    return case_indicators(user=world.people[user], by=by, period=period, now=LATER, **kw)["total"]


@pytest.fixture
def tianmen(world):
    """天门: 996 filed in the month, 972 fell due in it, 911 closed, 737 of them on time (no 缓办)."""
    filed, due = at("2026-01-05 10:00"), at("2026-01-20 17:30")
    make_cases(world, 737, filed_at=filed, deadline=due, closed_at=due, on_time=True, stage="closed",
               status="closed")
    make_cases(world, 911 - 737, filed_at=filed, deadline=due, closed_at=due, on_time=False, stage="closed",
               status="closed")
    make_cases(world, 972 - 911, filed_at=filed, deadline=due)
    make_cases(world, 996 - 972, filed_at=filed, deadline=at("2026-02-10 17:30"))  # due next month
    return world


def test_it_computes_the_tianmen_close_rate(tianmen):
    assert total(tianmen)["rates"]["close_rate"] == Decimal("93.72")


def test_it_computes_the_tianmen_on_time_rate(tianmen):
    assert total(tianmen)["rates"]["on_time_rate"] == Decimal("75.82")


def test_it_counts_the_tianmen_cases_due(tianmen):
    assert total(tianmen)["counts"]["due"] == 972


def test_it_counts_the_tianmen_cases_filed(tianmen):
    assert total(tianmen)["counts"]["filed"] == 996


def test_it_leaves_deferred_cases_out_of_the_on_time_denominator(world):
    due = at("2026-01-20 17:30")
    make_cases(world, 4, deadline=due, closed_at=due, on_time=True, stage="closed", status="closed")
    make_cases(world, 4, deadline=due)
    make_cases(world, 2, deadline=due, deferred=True)
    assert total(world)["rates"]["on_time_rate"] == Decimal("50.00")


def test_it_does_not_count_a_voided_case_as_due(world):
    make_cases(world, 1, deadline=at("2026-01-20 17:30"), voided=True, stage="voided", status="closed")
    assert total(world)["counts"]["due"] == 0


def test_it_does_not_count_a_deadline_that_has_not_passed(world):
    make_cases(world, 1, deadline=at("2026-01-20 17:30"))
    result = case_indicators(user=world.leader, by="town", period=JANUARY, now=at("2026-01-10 00:00"))
    assert result["total"]["counts"]["due"] == 0


def test_it_computes_rework_and_extension_rates(world):
    due = at("2026-01-20 17:30")
    make_cases(world, 1, deadline=due, rework_count=2)
    make_cases(world, 1, deadline=due, extension_count=1)
    make_cases(world, 2, deadline=due)
    rates = total(world)["rates"]
    assert (rates["rework_rate"], rates["extension_rate"]) == (Decimal("25.00"), Decimal("25.00"))


def test_it_computes_the_dispatch_and_verification_rates(world):
    due = at("2026-01-20 17:30")
    dispatched = at("2026-01-10 10:00")
    make_cases(world, 3, deadline=due, dispatched_at=dispatched, dispatch_on_time=True, verify_on_time=True)
    make_cases(world, 1, deadline=due, dispatched_at=dispatched, dispatch_on_time=False, returned_count=1)
    rates = total(world)["rates"]
    assert (rates["dispatch_timely_rate"], rates["dispatch_accuracy_rate"], rates["verify_timely_rate"]) == (
        Decimal("75.00"), Decimal("75.00"), Decimal("75.00"))


def test_it_weights_the_complaint_rates_30_35_35(world):
    due = at("2026-01-20 17:30")
    common = {"kind": "complaint", "deadline": due}
    # 10 complaints: 8 responded in time (80%), 7 solved in time (70%), 9 of 10 rated satisfied (90%)
    make_cases(world, 7, **common, response_on_time=True, closed_at=due, on_time=True, rating=5,
               stage="closed", status="closed")
    make_cases(world, 1, **common, response_on_time=True, rating=4)
    make_cases(world, 1, **common, response_on_time=False, rating=5)
    make_cases(world, 1, **common, response_on_time=False, rating=2)
    rates = total(world)["rates"]
    assert (rates["response_rate"], rates["solve_rate"], rates["satisfaction_rate"], rates["composite"]) == (
        Decimal("80.00"), Decimal("70.00"), Decimal("90.00"), Decimal("80.00"))


def test_it_groups_by_grid(world):
    due = at("2026-01-20 17:30")
    make_cases(world, 2, deadline=due, closed_at=due, stage="closed", status="closed")
    make_cases(world, 2, grid=world.grid_b, deadline=due)
    rows = case_indicators(user=world.leader, by="grid", period=JANUARY, now=LATER)["rows"]
    assert {r["label"]: r["rates"]["close_rate"] for r in rows} == {"网格A": Decimal("100.00"),
                                                                    "网格B": Decimal("0.00")}


def test_it_groups_by_shanghai_month(world):
    make_cases(world, 1, deadline=at("2026-01-31 23:30"))  # 15:30 UTC, still January in Shanghai
    make_cases(world, 2, deadline=at("2026-02-01 00:30"))
    period = Period.parse("2026-01-01", "2026-03-01")
    rows = case_indicators(user=world.leader, by="grid_month", period=period, now=LATER)["rows"]
    assert [(r["key"]["month"], r["counts"]["due"]) for r in rows] == [("2026-01", 1), ("2026-02", 2)]


def test_it_groups_by_department_and_worker(world):
    due = at("2026-01-20 17:30")
    make_cases(world, 3, deadline=due, department=world.department, assignee=world.clerk)
    rows = case_indicators(user=world.leader, by="worker", period=JANUARY, now=LATER)["rows"]
    assert [(r["label"], r["counts"]["due"]) for r in rows] == [("部门科员丁", 3)]


def test_it_shows_a_grid_worker_only_their_grid(world):
    due = at("2026-01-20 17:30")
    make_cases(world, 2, deadline=due)
    make_cases(world, 5, grid=world.grid_b, deadline=due)
    assert total(world, user="worker_a")["counts"]["due"] == 2


def test_it_aggregates_in_sql_whatever_the_number_of_groups(world, django_assert_max_num_queries):
    due = at("2026-01-20 17:30")
    make_cases(world, 3, deadline=due)
    make_cases(world, 3, grid=world.grid_b, deadline=due)
    # the user's role assignments, the dirty groups taken (and on PostgreSQL the refresh lock), their rollup
    # rows deleted and inserted again, the rollup's due and filed parts, the labels
    with django_assert_max_num_queries(8):
        case_indicators(user=world.leader, by="grid", period=JANUARY, now=LATER)


def test_it_reads_a_clean_rollup_in_four_queries(world, django_assert_max_num_queries):
    due = at("2026-01-20 17:30")
    make_cases(world, 3, deadline=due)
    make_cases(world, 3, grid=world.grid_b, deadline=due)
    case_indicators(user=world.leader, by="grid", period=JANUARY, now=LATER)
    # the (empty) dirty groups, the rollup's due and filed parts, the labels (role assignments are cached)
    with django_assert_max_num_queries(4):
        case_indicators(user=world.leader, by="grid", period=JANUARY, now=LATER)


def test_it_serves_the_indicators_as_api(tianmen, client_for):
    r = client_for("leader").get("/api/v1/indicators/cases",
                                 {"by": "town", "start": "2026-01-01", "end": "2026-02-01"})
    assert r.json()["total"]["rates"]["close_rate"] in ("93.72", 93.72)


def test_it_refuses_the_api_to_anonymous_visitors(client_for):
    assert client_for(None).get("/api/v1/indicators/cases").status_code == 401


def test_it_shows_the_indicators_page_with_charts(tianmen, client_for):
    r = client_for("leader").get("/cases/indicators/", {"start": "2026-01-01", "end": "2026-02-01"})
    assert "vendor/echarts/echarts.min.js" in r.content.decode() and "93.72%" in r.content.decode()


def test_it_gives_the_same_rates_without_the_filed_count(tianmen):
    lean = case_indicators(user=tianmen.leader, by="town", period=JANUARY, now=LATER, with_filed=False)
    assert lean["total"]["rates"] == total(tianmen)["rates"]


def test_it_counts_a_complaint_solved_in_time_as_solved_before_the_complainant_rates_it(world):
    # 解决率 measures the handling (办理完毕 within the limit), not whether the complainant has rated yet:
    # one solved in time awaiting the rating, one in the call-back after a 差评, one solved late.
    due = at("2026-01-20 17:30")
    common = {"kind": "complaint", "deadline": due, "solved_at": at("2026-01-15 10:00")}
    make_cases(world, 1, **common, on_time=True, stage="rating")
    make_cases(world, 1, **common, on_time=True, rating=1, stage="callback")
    make_cases(world, 1, **common, on_time=False, closed_at=due, rating=5, stage="closed", status="closed")
    assert total(world)["rates"]["solve_rate"] == Decimal("66.67")


def test_it_leaves_complaints_out_of_the_verification_and_rework_rates(world):
    # Complaints have no 核查 step and no 返工: counting them in the denominator lowered both rates of the
    # grid events on the leader's default (all kinds) view.
    due = at("2026-01-20 17:30")
    make_cases(world, 2, deadline=due, verify_on_time=True, rework_count=1)
    make_cases(world, 2, deadline=due, kind="complaint", response_on_time=True)
    rates = total(world)["rates"]
    assert (rates["verify_timely_rate"], rates["rework_rate"]) == (Decimal("100.00"), Decimal("100.00"))


def test_it_shows_no_verification_rate_for_complaints_alone(world):
    make_cases(world, 2, deadline=at("2026-01-20 17:30"), kind="complaint", response_on_time=True)
    rates = total(world, kind="complaint")["rates"]
    assert (rates["verify_timely_rate"], rates["rework_rate"]) == (None, None)


def test_it_refuses_a_period_that_starts_after_it_ends_naming_the_end(world, client_for):
    r = client_for("leader").get("/api/v1/indicators/cases", {"start": "2026-06-01", "end": "2026-01-01"})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["end"]


def test_it_refuses_a_start_after_the_default_end_naming_the_start(world):
    from gridgov.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        Period.parse("2026-06-01", None, today=at("2026-03-01 12:00").date())
    assert list(exc.value.errors) == ["start"]


def test_the_leader_is_told_which_date_is_wrong_instead_of_another_periods_figures(tianmen, client_for):
    r = client_for("leader").get("/cases/indicators/", {"start": "2026-02-01", "end": "2026-01-01"})
    page = r.content.decode()
    assert r.status_code == 422 and 'data-error="end"' in page and "开始日期应早于结束日期" in page
    assert "indicators-data" not in page  # nothing counted for a period nobody asked for


@pytest.mark.parametrize("query, field", [({"start": "9999-01-01"}, "start"), ({"end": "2026-13-01"}, "end"),
                                          ({"by": "street"}, "by"), ({"kind": "petition"}, "kind")])
def test_the_page_names_a_field_it_cannot_use(world, client_for, query, field):
    r = client_for("leader").get("/cases/indicators/", query)
    assert r.status_code == 422 and f'data-error="{field}"' in r.content.decode()


def test_the_page_says_so_when_nothing_fell_due_and_draws_no_empty_charts(world, client_for):
    page = client_for("leader").get("/cases/indicators/", {"start": "2030-01-01", "end": "2030-02-01"}).content.decode()
    assert "统计期内没有到期的案件" in page and 'id="chart-by"' not in page


def test_the_indicators_table_scrolls_in_its_own_box(tianmen, client_for):
    page = client_for("leader").get("/cases/indicators/", {"start": "2026-01-01", "end": "2026-02-01"}).content.decode()
    assert '<div class="table-scroll"><table class="list indicators">' in page and "cases/cases.css" in page


# -- Export: the table of the page as a spreadsheet for the monthly 综合评价 report --------------------------

JAN = {"start": "2026-01-01", "end": "2026-02-01"}


def _sheet(content: bytes) -> dict[str, list[list]]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    width = max(len(r) for rows in sheets.values() for r in rows)  # empty cells at a row's end are not stored
    return {t: [r + [None] * (width - len(r)) for r in rows] for t, rows in sheets.items()}


def test_the_leader_downloads_januarys_table_as_excel_with_every_count_and_rate(tianmen, client_for):
    """镇领导戊 prepares the monthly bulletin: the page's table by grid, as .xlsx, with 合计 last and the rates as
    numbers a spreadsheet can sum, and a sheet saying what was counted."""
    r = client_for("leader").get("/cases/indicators/export/", {"by": "grid", **JAN})
    body = b"".join(r.streaming_content)
    sheets = _sheet(body)
    table, notes = sheets["案件综合评价"], {k: v for k, v, *_ in sheets["说明"]}
    header = table[0]
    total = dict(zip(header, table[-1], strict=False))
    assert (r.status_code, r["Content-Disposition"]) == (
        200, 'attachment; filename="indicators-grid-20260101-20260131.xlsx"')
    assert [row[0] for row in table[1:]] == ["网格A", "合计"]
    assert (total["应结案数"], total["结案数"], total["按期结案数"], total["结案率(%)"], total["按期结案率(%)"]) == (
        972, 911, 737, 93.72, 75.82)
    assert notes["统计期"] == "2026-01-01 — 2026-01-31" and notes["导出人"] == "镇领导戊"


def test_an_app_takes_the_same_table_as_csv_from_the_api(tianmen, client_for):
    import csv
    import io

    r = client_for("leader").get("/api/v1/indicators/cases/export", {"by": "town", "format": "csv", **JAN})
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert (r.status_code, r["Content-Type"], total["结案率(%)"], total["满意率(%)"]) == (
        200, "text/csv; charset=utf-8", "93.72", "")


def test_each_export_is_in_the_access_log(tianmen, client_for):
    from gridgov.core.models import AccessLog

    client_for("leader").get("/cases/indicators/export/", {"by": "grid", **JAN})
    log = AccessLog.objects.get(user=tianmen.leader)
    assert (log.kind, log.model, log.fields, log.count) == ("export", "cases.case", "indicators:grid", 1)


def test_a_grid_worker_who_reads_the_indicators_may_not_export_them(tianmen, client_for):
    c = client_for("worker_a")
    page = c.get("/cases/indicators/", JAN).content.decode()
    assert "93.72%" in page and "/cases/indicators/export/" not in page
    assert c.get("/cases/indicators/export/", JAN).status_code == 403
    assert c.get("/api/v1/indicators/cases/export", JAN).status_code == 403


def test_the_leader_finds_the_export_next_to_the_table(tianmen, client_for):
    page = client_for("leader").get("/cases/indicators/", {"by": "department", **JAN}).content.decode()
    assert "/cases/indicators/export/?by=department&amp;kind=&amp;start=2026-01-01&amp;end=2026-02-01" in page


def test_another_towns_leader_exports_none_of_this_towns_cases(tianmen, client_for):
    r = client_for("other_leader").get("/cases/indicators/export/", {"by": "grid", **JAN})
    table = _sheet(b"".join(r.streaming_content))["案件综合评价"]
    assert [row[0] for row in table[1:]] == ["合计"] and table[-1][2] == 0


def test_an_unknown_format_is_refused_naming_format(tianmen, client_for):
    c = client_for("leader")
    page, api = (c.get(url, {"format": "pdf", **JAN}) for url in ("/cases/indicators/export/",
                                                                  "/api/v1/indicators/cases/export"))
    assert page.status_code == 422 and "导出格式：格式只能是 xlsx 或 csv" in page.content.decode()
    assert api.status_code == 422 and api.json()["errors"] == {"format": ["格式只能是 xlsx 或 csv"]}


def test_a_period_ending_before_it_starts_is_refused_for_the_export_too(tianmen, client_for):
    r = client_for("leader").get("/cases/indicators/export/", {"start": "2026-02-01", "end": "2026-01-01"})
    assert r.status_code == 422 and "开始日期应早于结束日期" in r.content.decode()
