"""查看流程图 draws the flow as a picture in a real Chromium (`pytest -m browser`): the mermaid npm package,
served as a static file like leaflet, renders the flow's declaration (Flow.graph()) to an SVG; the source stays
on the page under its <details>."""

from __future__ import annotations

import os
import re

import pytest

from gridgov.cases import engine
from gridgov.core.tests.test_browser import CHROMIUM, PHONE, _page, _shot, login

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs /usr/bin/chromium (make browser)")]


def _open_flow(page, site: str, kind: str) -> list[str]:
    """Open the flow page and wait for its picture; returns the page's errors and console errors."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site}/cases/flows/{kind}/")
    page.wait_for_selector("#flow-picture[data-state]")
    return errors


@pytest.mark.parametrize("kind", ["grid_event", "complaint"])
def test_it_draws_each_flow_as_a_picture_with_every_stage_by_name(browser, site, kind):
    """网格员甲 follows 查看流程图: the flow is drawn as an SVG naming every stage as staff know it (待立案,
    待派遣, …), with no script error and nothing refused by the page's content security policy."""
    page = _page(browser)
    login(page, site, "worker_a")
    errors = _open_flow(page, site, kind)
    assert page.get_attribute("#flow-picture", "data-state") == "drawn", errors
    drawn = page.locator("#flow-picture svg").text_content()
    stages = [str(s.label) for s in engine.flow_for(kind).stages]
    assert [s for s in stages if s not in drawn] == [] and errors == []
    _shot(page, f"flow-{kind}.png")


def test_it_keeps_the_source_text_under_the_picture(browser, site):
    page = _page(browser)
    login(page, site, "worker_a")
    _open_flow(page, site, "grid_event")
    assert not page.is_visible("#flow-mermaid")  # folded until asked for
    page.click("details.card > summary")
    assert page.inner_text("#flow-mermaid").startswith("stateDiagram-v2")


def test_it_fits_the_picture_to_a_phone_screen(browser, site):
    page = _page(browser, PHONE)
    login(page, site, "worker_a")
    _open_flow(page, site, "grid_event")
    box = page.locator("#flow-picture svg").bounding_box()
    assert box["width"] > 100 and page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert re.search(r"待立案", page.locator("#flow-picture svg").text_content())
