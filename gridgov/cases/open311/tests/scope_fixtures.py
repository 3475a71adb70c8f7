"""Scope fixtures of the Open311 edge for the scope walk (docs/scope.md). GeoReport v2 is public by design
(anyone may read the service list and the requests posted through it; posting needs an api_key), so every route is
public; the parameters point at the case engine's own fixtures (走查 cases, category 9901)."""

from __future__ import annotations

from typing import Any

PUBLIC_ROUTES = {f"open311:{name}{x}" for name in ("discovery", "services", "service", "requests", "request", "token",
                                                  "not_found")
                 for x in ("", "_xml")}


def scope_fixtures(world: Any) -> dict[str, Any]:
    return {
        "v2/services": "9901",
        "v2/requests": "SJSCOPE0001",
        "v2/tokens": "scope-token-grid_a",
        "open311/v2": "nothing.json",  # the error answer of any other path
    }
