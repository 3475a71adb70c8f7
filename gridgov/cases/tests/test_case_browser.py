"""The case pages in a real Chromium (`pytest -m browser`): reporting from a phone, the case map, the 12345 desk,
a clerk's steps on a phone. Moved here unchanged from core/tests/test_browser.py: the foundation's tests import
no capability (core/tests/test_layers.py)."""

from __future__ import annotations

import os
import re

import pytest

from gridgov.core.tests.test_browser import CHROMIUM, PHONE, _page, _shot, login
from gridgov.testing import PASSWORD

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium (make browser)")]


def test_a_resident_reports_from_a_phone_with_gps_and_a_photo_and_follows_the_case(browser, site, world,
                                                                                   tmp_path):
    """居民辛 on a phone: picks 暴露垃圾, lets the browser give the position, adds a photo and sends; the case
    opens in grid A with the photo, the follow page shows its number, and the town's dispatcher (管理员庚)
    finds it in the inbox."""
    from gridgov.cases.models import Attachment, Case, Category, Notification
    from gridgov.cases.tests.scope_fixtures import PNG

    env = Category.objects.create(code="01", name="市容环境")
    Category.objects.create(code="0102", name="暴露垃圾", parent=env, deadline_amount=4, deadline_unit="hours")
    photo = tmp_path / "rubbish.png"
    photo.write_bytes(PNG)
    lat, lon = world.point_a
    context = browser.new_context(viewport=PHONE, locale="zh-CN", permissions=["geolocation"],
                                  geolocation={"latitude": lat, "longitude": lon})
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site}/cases/report/")
    assert page.locator("path.town-outline").count() == 2  # both towns drawn, no tile server needed
    page.select_option("select[name=category]", label="0102 市容环境 / 暴露垃圾")
    page.click("#gps")
    page.wait_for_function("document.getElementById('lat').value !== ''")
    page.fill("textarea[name=description]", "小区门口垃圾堆了三天")
    page.set_input_files("input[name=photos]", str(photo))
    page.click("#report-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/follow/"))
    case = Case.objects.get()
    assert case.number in page.inner_text("body")
    assert (case.grid_id, case.channel, case.description) == (world.grid_a.pk, "public", "小区门口垃圾堆了三天")
    assert Attachment.objects.filter(case=case).count() == 1
    assert Notification.objects.filter(case=case, recipient=world.people["admin"]).exists()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    _shot(page, "resident-report-follow.png")
    context.close()

    desk = _page(browser)
    login(desk, site, "admin")
    desk.goto(f"{site}/cases/inbox/")
    assert case.number in desk.inner_text("body")


def test_a_leader_sees_the_open_cases_on_the_towns_outline_with_the_late_ones_marked(browser, site, world):
    """镇领导 opens the case map with no tile server: 泊里's outline (not 辛安's) is drawn under the points, one
    point per open case, the overdue one counted as late; picking 待派遣（网格事件） leaves only those."""
    import datetime as dt

    from django.utils import timezone

    from gridgov.cases.models import Case, Category
    from gridgov.cases.tests.bulk_cases import make_cases

    env = Category.objects.create(code="01", name="市容环境")
    Category.objects.create(code="0102", name="暴露垃圾", parent=env, deadline_amount=4, deadline_unit="hours")
    make_cases(world, 3, stage="reported")
    late = make_cases(world, 2, stage="filed")[0]
    Case.objects.filter(pk=late.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=1))
    page = _page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, site, "leader")
    page.goto(f"{site}/cases/map/")
    page.wait_for_selector("#map[data-points]")
    assert page.locator("path.town-outline").count() == 1
    assert (page.get_attribute("#map", "data-points"), page.get_attribute("#map", "data-late")) == ("5", "1")
    page.select_option("select[name=stage]", label="待派遣（网格事件）")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"stage=filed"))
    assert page.get_attribute("#map", "data-points") == "2" and errors == []
    _shot(page, "case-map.png")


def test_the_12345_desk_follows_a_second_caller_onto_the_open_case(browser, site, world):
    """话务员壬 at the 12345 desk takes a second call about the same bin: the form shows the open case first,
    关注此事件 makes the caller follow it, and the case page gives the caller's own link to read out and lists
    the caller, masked, beside 关注人 (a value under its label, not shifted into the label column)."""
    from gridgov.accounts.models import RoleAssignment, User
    from gridgov.accounts.roles import Role
    from gridgov.cases.models import Case, CaseFollower, Category
    from gridgov.cases.services import case_report

    env = Category.objects.create(code="01", name="市容环境")
    Category.objects.create(code="0102", name="暴露垃圾", parent=env, deadline_amount=4, deadline_unit="hours")
    desk = User(username="operator", display_name="话务员壬", kind=User.Kind.STAFF, town=world.town)
    desk.set_password(PASSWORD)
    desk.save()
    RoleAssignment.objects.create(user=desk, role=Role.FRONT_DESK, division=world.town)
    lat, lon = world.point_a
    first = case_report(acting_user=desk, data={
        "kind": "complaint", "channel": "hotline", "category": "0102", "lat": lat, "lon": lon,
        "description": "垃圾桶满溢", "reporter_name": "王先生", "reporter_phone": "13912345678"}).case
    page = _page(browser)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, site, "operator")
    page.goto(f"{site}/cases/report/")
    page.select_option("select[name=kind]", "complaint")
    page.select_option("select[name=channel]", "hotline")
    page.select_option("select[name=category]", label="0102 市容环境 / 暴露垃圾")
    page.evaluate("([lat, lon]) => { document.getElementById('lat').value = lat;"
                  " document.getElementById('lon').value = lon; }", [lat, lon])
    page.fill("textarea[name=description]", "又一位来电反映垃圾桶满溢")
    page.fill("input[name=reporter_name]", "李女士")
    page.fill("input[name=reporter_phone]", "13787654321")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".dupes")
    assert first.number in page.inner_text(".dupes")
    page.click(".dupes form button")
    page.wait_for_url(f"{site}/cases/{first.pk}/")
    token = CaseFollower.objects.get(case=first).token
    assert f"/cases/follow/{token}/" in page.inner_text(".messages") and Case.objects.count() == 1
    assert "李女士 137****4321" in page.inner_text("ul.followers")
    shifted = page.evaluate("""() => [...document.querySelectorAll('dl.fields dt')].filter(dt => {
        const a = dt.getBoundingClientRect(), b = dt.nextElementSibling.getBoundingClientRect();
        return Math.abs(a.top - b.top) > 8 || b.left < a.right; }).map(dt => dt.textContent)""")
    assert shifted == []  # every label has its value beside it, after the followers and the unmask form too
    heading, step = page.locator("#actions h2").bounding_box(), page.locator("#actions ul.waiting").bounding_box()
    assert step["y"] > heading["y"] + heading["height"] - 1 and errors == []  # the steps stand under 下一步
    _shot(page, "hotline-follow.png")


def _case_in_handling(world):
    """A case of grid A reported by 网格员甲, filed and dispatched by 管理员庚, signed for by the 应急办 clerk."""
    from gridgov.cases.engine import fire
    from gridgov.cases.models import Category
    from gridgov.cases.services import case_report

    env = Category.objects.create(code="01", name="市容环境")
    Category.objects.create(code="0102", name="暴露垃圾", parent=env, deadline_amount=4, deadline_unit="hours")
    lat, lon = world.point_a
    case = case_report(acting_user=world.people["worker_a"], data={
        "category": "0102", "lat": lat, "lon": lon, "description": "路口有垃圾"}).case
    for name, who, data in (("file", "admin", {}), ("dispatch", "admin", {"department": world.department.pk}),
                            ("accept", "clerk", {})):
        case = fire(case=case, transition=name, acting_user=world.people[who], data=data)
    return case


def test_a_clerk_on_a_phone_sees_why_the_feedback_was_refused_without_scrolling_for_it(browser, site, world,
                                                                                        tmp_path):
    """The 应急办 clerk sends 处置反馈 with a file that is not a photo: the page comes back at the reason, beside
    the action and a screen below the case's details, with the note still typed."""
    case = _case_in_handling(world)
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"not a photo at all")
    page = _page(browser, PHONE)
    login(page, site, "clerk")
    page.goto(f"{site}/cases/{case.pk}/")
    form = page.locator("form[data-transition=feedback]")
    form.locator("summary").click()
    form.locator("textarea[name=note]").fill("垃圾已清运")
    form.locator("input[name=photos]").set_input_files(str(scan))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{site}/cases/{case.pk}/fire/feedback/")
    error = page.locator("form[data-transition=feedback] .error")
    assert "只接受" in error.inner_text() and error.is_visible()
    box = error.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"]  # in view, not below the fold
    assert page.input_value("form[data-transition=feedback] textarea[name=note]") == "垃圾已清运"
    _shot(page, "feedback-refused-phone.png")


def test_the_steps_a_clerk_may_take_are_thumb_sized_on_a_phone(browser, site, world):
    """退回, 处置反馈 and 申请延期 open with a tap: each is at least 40 px tall at 390 px, not a line of text."""
    case = _case_in_handling(world)
    page = _page(browser, PHONE)
    login(page, site, "clerk")
    page.goto(f"{site}/cases/{case.pk}/")
    heights = page.eval_on_selector_all("form.action summary", "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(heights) >= 3 and min(heights) >= 40
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_clerk_on_a_phone_sees_the_queues_cases_before_the_filters(browser, site, world):
    """The 应急办 clerk opens 待处置 on a phone: the first case is on the first screen, the twelve filters are
    folded under 筛选 (one tap opens them); on a desk screen they stay open."""
    case = _case_in_handling(world)
    page = _page(browser, PHONE)
    login(page, site, "clerk")
    page.goto(f"{site}/cases/?queue=handle")
    first = page.locator(f"#rows a:has-text('{case.number}')").bounding_box()
    assert first["y"] + first["height"] <= PHONE["height"] and not page.is_visible("form.filters select[name=stage]")
    page.click(".filter-box > summary")
    assert page.is_visible("form.filters select[name=stage]")
    desk = _page(browser)
    login(desk, site, "clerk")
    desk.goto(f"{site}/cases/?queue=handle")
    assert desk.is_visible("form.filters select[name=stage]")


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text colour against its own background colour."""
    return page.eval_on_selector(selector, """e => {
        const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                            return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const st = getComputedStyle(e), a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""")


def test_the_dispatcher_can_read_the_map_button_beside_the_work_queues(browser, site, world):
    """管理员庚 on the 事件办理 page: the 地图 button beside 上报事件 is legible (it was red text on dark grey,
    a contrast of 1.5 : 1, because the case pages' stylesheet greyed every secondary button)."""
    page = _page(browser, {"width": 1366, "height": 800})
    login(page, site, "admin")
    page.goto(f"{site}/cases/")
    assert _contrast(page, "h1 a.button.secondary") >= 4.5
