"""Static files of an npm package: only what its page loads is served and collected (mermaid's 6 MB of 130)."""

from __future__ import annotations

from django.contrib.staticfiles import finders

from gridgov.core.staticfinders import PackageFilesFinder


def test_the_flow_page_finds_mermaids_module_and_the_chunks_it_imports():
    entry = finders.find("vendor/mermaid/mermaid.esm.min.mjs")
    assert entry and entry.endswith("node_modules/mermaid/dist/mermaid.esm.min.mjs")
    with open(entry, encoding="utf-8") as f:
        imported = f.read().split('from"./', 1)[1].split('"', 1)[0]  # the first chunk the module imports
    assert imported.startswith("chunks/mermaid.esm.min/")
    assert finders.find(f"vendor/mermaid/{imported}")


def test_it_serves_and_collects_nothing_else_of_the_package():
    finder = PackageFilesFinder()
    listed = [path for path, storage in finder.list([]) if storage.prefix == "vendor/mermaid"]
    assert "mermaid.esm.min.mjs" in listed and len(listed) > 50
    assert not [p for p in listed if p.endswith((".map", ".d.ts")) or p.startswith(("chunks/mermaid.esm/",
                                                                                   "chunks/mermaid.core/"))]
    for other in ("mermaid.esm.min.mjs.map", "mermaid.min.js", "mermaid.d.ts",
                  "chunks/mermaid.esm/" + listed[-1].rsplit("/", 1)[-1]):
        assert not finders.find(f"vendor/mermaid/{other}"), other
    assert not finders.find("vendor/mermaid/../package.json")


def test_the_other_vendor_libraries_are_still_found():
    for path in ("vendor/htmx/htmx.min.js", "vendor/leaflet/leaflet.js", "vendor/echarts/echarts.min.js"):
        assert finders.find(path), path
