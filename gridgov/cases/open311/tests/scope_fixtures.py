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
        "clients": _clients(world),  # the settings pages and API of the town's clients
    }


def _clients(world: Any) -> dict[str, Any]:
    from gridgov.cases.open311.models import Client
    from gridgov.cases.open311.services import hash_key

    def make(name: str, town: Any) -> Any:
        return Client.objects.create(name=name, town=town, key_prefix=name[:8], key_hash=hash_key(name))

    return {"grid_a": make("走查甲系统", world.town), "grid_b": make("走查乙系统", world.town),
            "other_town": make("走查外镇系统", world.other_town), "canary": ("other_town",)}
