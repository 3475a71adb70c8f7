"""Browser tests: a real Chromium (Debian's, through Playwright) against the live server.

Run just these with `pytest -m browser`. They need /usr/bin/chromium (`make browser` installs it).
"""

from __future__ import annotations

import os
import re

import pytest

from gridgov.testing import PASSWORD

# The sync Playwright API runs an event loop in this thread; Django's ORM must still be usable from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("GRIDGOV_SCREENSHOTS", "")  # a directory to save screenshots into (never committed)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium (make browser)")]


def _page(browser, viewport=None):
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900}, locale="zh-CN")
    # Tiles are opt-in and the machine may be offline: fail any outside request at once.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    return context.new_page()


def login(page, site: str, username: str) -> None:
    page.goto(f"{site}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    if "/login/2fa/" in page.url:  # an administrator: sets up her authenticator as on her first sign-in
        from gridgov.accounts.twofactor import current_step, totp

        page.fill("input[name=code]", totp(page.inner_text("#totp-secret"), current_step()))
        page.click("#second-factor-setup button[type=submit]")
        page.click("#recovery-codes a.button")
    page.wait_for_url(f"{site}/")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_it_signs_a_grid_worker_in_to_their_home(browser, site):
    page = _page(browser)
    login(page, site, "worker_a")
    assert "网格A" in page.inner_text("#my-grids") and page.is_visible("#quick-actions")


def test_it_shows_grid_polygons_and_a_clicked_grids_staff(browser, site, world):
    page = _page(browser)
    login(page, site, "leader")
    page.goto(f"{site}/network/map/")
    page.wait_for_selector("path.grid")
    assert page.locator("path.grid").count() == 2 and page.locator("path.town-outline").count() == 1
    page.click(f"path.grid-{world.grid_a.code}")
    info = page.locator("#grid-info")
    assert "网格员甲" in info.inner_text() and info.get_attribute("data-grid") == world.grid_a.code
    _shot(page, "map.png")


def test_it_keeps_the_input_and_names_the_bad_checksum_then_registers(browser, site, world):
    from gridgov.core.validators import resident_id_check_char

    page = _page(browser)
    login(page, site, "worker_a")
    page.goto(f"{site}/register/residents/new/")
    page.fill("#f-name", "王小明")
    page.fill("#f-id_number", "110105194912310021")
    page.select_option("#f-grid", str(world.grid_a.pk))
    page.click("#resident-form button[type=submit]")
    error = page.locator('[data-field="id_number"] .field-error')
    assert "校验位错误" in error.inner_text()
    _shot(page, "resident_form_error.png")
    assert page.input_value("#f-id_number") == "110105194912310021" and page.input_value("#f-name") == "王小明"
    good = "37021119900101001" + resident_id_check_char("37021119900101001")
    page.fill("#f-id_number", good)
    page.click("#resident-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/residents/\d+/$"))
    assert page.inner_text("#id-number") == good[:6] + "********" + good[-4:]


def _residents(world, n: int) -> None:
    from gridgov.register.tests.test_pages import make_residents

    make_residents(world, world.grid_a, n)


def test_it_filters_the_list_through_htmx_without_reloading(browser, site, world):
    _residents(world, 12)
    page = _page(browser)
    login(page, site, "worker_a")
    page.goto(f"{site}/register/residents/")
    page.evaluate("window.__same_page = true")
    page.fill("#filters input[name=q]", "居民11")
    page.press("#filters input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=%E5%B1%85%E6%B0%9111|q=居民11"))
    page.wait_for_function("document.querySelectorAll('#rows tbody tr').length === 1")
    assert "居民11" in page.inner_text("#rows") and page.evaluate("window.__same_page") is True


@pytest.mark.parametrize("path", ["/", "/register/residents/", "/network/map/", "/register/enterprises/new/"])
def test_it_fits_a_phone_screen_without_horizontal_scroll(browser, site, world, path):
    _residents(world, 5)
    page = _page(browser, PHONE)
    login(page, site, "worker_a")
    page.goto(f"{site}{path}")
    page.wait_for_load_state("load")
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    _shot(page, "phone" + path.replace("/", "_") + ".png")


def test_it_translates_the_menu_into_english(browser, site):
    page = _page(browser)
    login(page, site, "worker_a")
    assert "居民" in page.inner_text("#menu")
    page.select_option("#language", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    menu = page.inner_text("#menu")
    assert "Residents" in menu and "Grid map" in menu and "居民" not in menu
    _shot(page, "home_en.png")


def test_it_picks_an_enterprise_location_on_the_map(browser, site, world):
    from gridgov.register.models import Enterprise

    page = _page(browser)
    login(page, site, "worker_a")
    page.goto(f"{site}/register/enterprises/new/")
    for field, value in {"name": "董家口制造厂", "credit_code": "91350100M000100Y43", "industry": "制造业",
                         "legal_representative": "张三", "address": "港区路1号"}.items():
        page.fill(f"#f-{field}", value)
    page.wait_for_selector(f"path.grid-{world.grid_a.code}")
    box = page.locator(f"path.grid-{world.grid_a.code}").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the map takes the click
    assert page.input_value("#f-lat") and page.input_value("#f-crs") == "wgs84"
    page.click("#enterprise-form button[type=submit]")
    page.wait_for_url(re.compile(r"/register/enterprises/\d+/$"))
    assert Enterprise.objects.get().grid_id == world.grid_a.pk
