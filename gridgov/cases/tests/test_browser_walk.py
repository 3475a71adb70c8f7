"""What the town leader and a resident on a phone tripped over in a real Chromium (`pytest -m browser`)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone

from gridgov.core.tests.test_browser import CHROMIUM, PHONE, _page, _shot, login

from .bulk import make_cases

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium")]


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text against its background."""
    return page.eval_on_selector(selector, """el => {
        const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                           return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const st = getComputedStyle(el), a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""")


def test_the_leader_can_read_the_map_button_of_the_case_list(browser, site):
    page = _page(browser, {"width": 1366, "height": 800})
    login(page, site, "leader")
    page.goto(f"{site}/cases/")
    assert _contrast(page, "h1 a.button.secondary") >= 4.5


def _leader_on_indicators(browser, site, world):
    """镇领导乙 at her desk (1366 px) on the indicators page, with three cases that fell due three days ago."""
    due = timezone.now() - dt.timedelta(days=3)
    make_cases(world, 3, deadline=due, filed_at=due - dt.timedelta(days=2))
    page = _page(browser, {"width": 1366, "height": 800})
    login(page, site, "leader")
    page.goto(f"{site}/cases/indicators/")
    return page


def test_the_indicators_table_keeps_the_page_at_the_leaders_screen_width(browser, site, world):
    page = _leader_on_indicators(browser, site, world)
    page.wait_for_selector("table.indicators tbody td")
    _shot(page, "indicators.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_resident_on_a_phone_sees_the_report_entry_in_the_menu(browser, site):
    page = _page(browser, PHONE)
    login(page, site, "resident")
    link = page.locator(".menu a", has_text="我要上报").bounding_box()
    assert link is not None and link["x"] + link["width"] <= PHONE["width"]


def test_the_monthly_trend_shows_its_rates_as_percentages(browser, site, world):
    page = _leader_on_indicators(browser, site, world)
    page.locator("#chart-month").scroll_into_view_if_needed()  # below the fold of her 800-px screen
    box = page.locator("#chart-month").bounding_box()
    for x in range(60, int(box["width"]) - 60, 40):  # along the axis until the hover lands on the month
        page.mouse.move(box["x"] + x, box["y"] + box["height"] / 2)
        tip = page.locator("#chart-month div", has_text="结案率").last
        if tip.count() and tip.is_visible() and "结案率" in tip.inner_text():
            break
    assert re.search(r"结案率\s*\d+(\.\d+)?%", tip.inner_text())


def test_a_visitor_who_reported_without_a_mobile_copies_the_follow_link_on_the_phone(browser, live_server,
                                                                                     transactional_db, case_world):
    """A visitor reports anonymously and leaves no mobile: no text will bring the link back, so the page shows
    it whole and 复制链接 puts it on the clipboard."""
    from gridgov.cases.services import case_report

    lat, lon = case_world.point_a
    case = case_report(acting_user=None, data={"category": "0102", "lat": lat, "lon": lon, "anonymous": True,
                                               "description": "桥下有垃圾"}).case
    link = f"{live_server.url}/cases/follow/{case.follow_token}/"
    page = _page(browser, PHONE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(link)
    assert page.input_value("#follow-link") == link
    box = page.locator("#follow-link").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    page.click("text=复制链接")
    page.wait_for_selector("button:has-text('已复制')")
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_the_12345_hint_shows_when_the_grid_worker_picks_the_hotline(browser, site):
    page = _page(browser, PHONE)
    login(page, site, "worker_a")
    page.goto(f"{site}/cases/report/")
    hint = page.locator("[data-for-channel=hotline]")
    assert not hint.is_visible()
    page.select_option("select[name=channel]", "hotline")
    assert hint.is_visible()
    page.select_option("select[name=channel]", "patrol")
    assert not hint.is_visible()


def _label_rects(page) -> list[dict]:
    """Where ECharts drew the category labels of the chart by dimension (page pixels within its canvas)."""
    return page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById("chart-by"));
        const labels = chart.getOption().xAxis[0].data;
        const named = t => typeof t === "string" && t && labels.some(l => l.startsWith(t.replace(/(…|[.]{3})$/, "")));
        return chart.getZr().storage.getDisplayList()  // the axis's labels are the rotated texts
            .filter(el => el.style && el.parent && el.parent.rotation && named(el.style.text))
            .map(el => { const r = el.getBoundingRect().clone(); if (el.transform) r.applyTransform(el.transform);
                         return {text: el.style.text, x: r.x, y: r.y, width: r.width, height: r.height}; }); }""")


def test_the_leader_reads_twenty_handlers_twelve_at_a_time_with_every_label_whole(browser, site, world):
    """镇领导乙 looks at the rates by 处置人: twenty people are twenty groups of four bars. The chart shows twelve
    at a time with a slider to move on, and no label, the first one included, is cut at the chart's edge."""
    from gridgov.accounts.models import User

    due = timezone.now() - dt.timedelta(days=3)
    for i in range(20):
        handler = User.objects.create(username=f"handler{i:02d}", display_name=f"专业网格员{i:02d}号（环卫）",
                                      town=world.town)
        make_cases(world, 1, deadline=due, filed_at=due - dt.timedelta(days=2), assignee=handler)
    page = _page(browser, {"width": 1366, "height": 800})
    login(page, site, "leader")
    page.goto(f"{site}/cases/indicators/?by=worker")
    page.wait_for_function("() => window.echarts && echarts.getInstanceByDom(document.getElementById('chart-by'))")
    zoom = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-by')).getOption().dataZoom")
    rects = _label_rects(page)
    width = page.evaluate("() => document.getElementById('chart-by').clientWidth")
    _shot(page, "indicators-by-worker.png")
    assert (zoom[0]["startValue"], zoom[0]["endValue"]) == (0, 11)
    assert len(rects) == 12
    assert all(r["x"] >= 0 and r["x"] + r["width"] <= width for r in rects)


def test_the_leader_exports_the_ledger_as_she_has_just_filtered_it(browser, site, world):
    """镇领导戊 narrows the list to 网格B (the form filters in place, without reloading the page), then clicks
    导出台账: the file is the list she sees, not the one the page was opened with."""
    make_cases(world, 2)
    make_cases(world, 1, grid=world.grid_b)
    page = _page(browser, {"width": 1366, "height": 800})
    login(page, site, "leader")
    page.goto(f"{site}/cases/")
    page.select_option("form.filters select[name=grid]", str(world.grid_b.pk))
    page.wait_for_url(re.compile(rf"grid={world.grid_b.pk}"))
    with page.expect_download() as download:
        page.click("a[data-with-query]")
    assert f"grid={world.grid_b.pk}" in download.value.url
    assert download.value.suggested_filename.endswith(".xlsx")
