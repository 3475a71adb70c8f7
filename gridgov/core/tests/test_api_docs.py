"""/api/v1/docs works without internet (issue 15, item 17): Swagger UI from the installed django-ninja package,
served as our own static files, no CDN and no inline script (the Content-Security-Policy allows none)."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders


def test_the_api_docs_load_their_files_from_this_site(world, client_for):
    html = client_for("admin").get("/api/v1/docs").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    assert all(s.startswith("/static/") for s in sources), sources


def test_the_api_docs_files_are_installed(world):
    assert finders.find("ninja/swagger-ui-bundle.js") and finders.find("ninja/swagger-ui-init.js")


def test_the_api_docs_page_has_no_inline_script(world, client_for):
    html = client_for("admin").get("/api/v1/docs").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs, _body in scripts)
