"""The scope walk: every page and every API route, requested by every persona, proves that no record leaks.

Contract (docs/scope.md): each gridgov app may have `gridgov/<app>/tests/scope_fixtures.py` with

    def scope_fixtures(world) -> dict[str, Any]:
        return {"residents": {"grid_a": r_a, "grid_b": r_b, "other_town": r_o}, ...}

A key names what a route parameter refers to: the literal path segment before the parameter
("residents" for `/register/residents/<int:pk>/`), optionally qualified by the segment before it
("register/residents"), or the parameter's own name ("case_id"). A value is either one record per
position (grid A and grid B of 泊里镇, the other town 辛安街道), with optional "field" (attribute put in the
URL, default "pk") and "canary" (positions whose `str(record)` must never appear in a response to someone
who cannot view the record; default all three), or a constant (str/int) for a parameter that is not a
record. Optional module attributes: `PUBLIC_ROUTES` (route ids that anonymous users may open) and
`BODIES` (route id -> request body, when the body generated from the OpenAPI schema is not valid).

A route id is the URL name of a page ("register:resident_detail") or "METHOD /api/v1/path" of an API
operation ("PATCH /api/v1/register/residents/{pk}").

The oracle is `Model.objects.restrict(persona, action)`: a record the persona cannot view answers 404
on every route (read or write), a guessed id answers 404, nothing answers 500, anonymous users are sent to
the login page (pages) or get 401 (API), lists hold only rows the persona may view, and writes with
out-of-scope ids change nothing.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

POSITIONS = ("grid_a", "grid_b", "other_town")
PERSONAS = ("worker_a", "worker_b", "grid_leader", "clerk", "leader", "other_leader", "admin", "resident")
GUESSED = "guessed"
API_PREFIX = "/api/v1/"
WRITE_METHODS = ("post", "put", "patch", "delete")
# Open to anonymous users by design.
PUBLIC_ROUTES = {
    "accounts:login", "accounts:logout", "set_language", "admin:login", "admin:logout",
    "api:openapi-json", "api:openapi-view", "api:api-root",
    "api:api-not-found",  # every path under /api/v1/ that names no route: the JSON 404, the same for everyone
}
# Guessed values per URL converter / schema type: a record that does not exist.
_GUESS = {"int": 2147483000, "integer": 2147483000, "uuid": "00000000-0000-4000-8000-00000000dead"}
_ADMIN_DUMMY = {"object_id": "1", "content_type_id": 1, "url": "nowhere/"}


# ---------------------------------------------------------------- registry


@dataclass
class Entry:
    key: str
    app: str
    objects: dict[str, models.Model] = field(default_factory=dict)
    attr: str = "pk"
    canary: tuple[str, ...] = POSITIONS
    constant: Any = None

    @property
    def is_record(self) -> bool:
        return bool(self.objects)

    def value(self, position: str) -> Any:
        return self.constant if not self.is_record else getattr(self.objects[position], self.attr)


@dataclass
class Registry:
    entries: dict[str, Entry] = field(default_factory=dict)
    public: set[str] = field(default_factory=lambda: set(PUBLIC_ROUTES))
    bodies: dict[str, Any] = field(default_factory=dict)

    def add(self, app: str, raw: dict[str, Any]) -> None:
        for key, value in raw.items():
            if key in self.entries:
                raise ValueError(f"scope fixture key {key!r} given by both {self.entries[key].app} and {app}")
            if isinstance(value, dict):
                missing = [p for p in POSITIONS if p not in value]
                if missing:
                    raise ValueError(f"{app} scope fixture {key!r} lacks {missing}")
                canary = value.get("canary", POSITIONS)
                canary = POSITIONS if canary is True else () if canary is False else tuple(canary)
                self.entries[key] = Entry(key, app, {p: value[p] for p in POSITIONS}, value.get("field", "pk"),
                                          canary)
            else:
                self.entries[key] = Entry(key, app, constant=value)

    def records(self) -> Iterator[tuple[Entry, str, models.Model]]:
        seen: set[tuple[str, Any]] = set()
        for entry in self.entries.values():
            for pos, obj in entry.objects.items():
                if (obj._meta.label_lower, obj.pk, pos) not in seen:
                    seen.add((obj._meta.label_lower, obj.pk, pos))
                    yield entry, pos, obj


def load_registry(world: Any) -> Registry:
    """Collect every app's scope fixtures (creating their records in the test database)."""
    registry = Registry()
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov.") or find_spec(f"{config.name}.tests") is None:
            continue
        name = f"{config.name}.tests.scope_fixtures"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        registry.add(config.label, module.scope_fixtures(world))
        registry.public |= set(getattr(module, "PUBLIC_ROUTES", ()))
        registry.bodies.update(getattr(module, "BODIES", {}))
    return registry


# ---------------------------------------------------------------- routes


@dataclass
class Param:
    name: str
    kind: str  # "int", "str", "uuid", "slug", "path", "integer", "string", ...
    segments: tuple[str, ...]  # literal path segments before it, nearest last


@dataclass
class Route:
    ident: str
    kind: str  # "page" | "api" | "admin"
    template: str  # /register/residents/{pk}/
    method: str = "get"
    params: list[Param] = field(default_factory=list)
    url_name: str = ""
    query: list[dict[str, Any]] = field(default_factory=list)
    body: dict[str, Any] | None = None  # OpenAPI requestBody
    query_values: dict[str, Any] = field(default_factory=dict)  # required query parameters, sampled
    components: dict[str, Any] = field(default_factory=dict)


def _regex_to_template(regex: str) -> str:
    out, i = "", 0
    regex = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end = regex.index(">", i)
            name, depth, j = regex[i + 4:end], 1, end + 1
            while depth and j < len(regex):
                depth += {"(": 1, ")": -1}.get(regex[j], 0)
                j += 1
            out, i = out + "{" + name + "}", j
        else:
            out, i = out + regex[i], i + 1
    return out.replace("\\", "")


def _template_of(pattern: Any) -> str:
    text = str(pattern)
    if type(pattern).__name__ == "RegexPattern":
        return _regex_to_template(text)
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)


def _kinds_of(pattern: Any) -> dict[str, str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return {n: type(c).__name__.replace("Converter", "").lower() for n, c in converters.items()}
    return {n: "str" for n in pattern.regex.groupindex}


def _params(template: str, kinds: dict[str, str]) -> list[Param]:
    parts = [p for p in template.split("/") if p]
    params = []
    for i, part in enumerate(parts):
        for name in re.findall(r"\{(\w+)\}", part):
            literals = tuple(p for p in parts[max(0, i - 2):i] if "{" not in p)
            params.append(Param(name, kinds.get(name, "str"), literals))
    return params


def page_patterns() -> Iterator[tuple[str, str, dict[str, str]]]:
    """(template, url name, parameter kinds) of every URL pattern, walking resolvers recursively."""

    def walk(patterns: list, prefix: str, ns: str, kinds: dict[str, str]) -> Iterator[tuple[str, str, dict]]:
        for p in patterns:
            template, here = prefix + _template_of(p.pattern), {**kinds, **_kinds_of(p.pattern)}
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, template, ":".join(x for x in (ns, p.namespace) if x), here)
            elif isinstance(p, URLPattern):
                yield "/" + template, (f"{ns}:{p.name}" if ns and p.name else p.name or ""), here

    yield from walk(get_resolver().url_patterns, "", "", {})


def api_routes(schema: dict[str, Any]) -> list[Route]:
    routes = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            kinds = {p["name"]: p.get("schema", {}).get("type", "string")
                     for p in op.get("parameters", []) if p["in"] == "path"}
            routes.append(Route(
                ident=f"{method.upper()} {path}", kind="api", template=path, method=method,
                params=_params(path, kinds), query=[p for p in op.get("parameters", []) if p["in"] == "query"],
                body=op.get("requestBody"), components=schema.get("components", {}).get("schemas", {})))
    return routes


def all_routes(client: Client) -> tuple[list[Route], list[str]]:
    """Every page, admin page and API operation; plus problems (URL patterns nobody can walk)."""
    problems: list[str] = []
    resp = client.get(API_PREFIX + "openapi.json")
    if resp.status_code != 200:
        return [], [f"{API_PREFIX}openapi.json answers {resp.status_code}: the API cannot be enumerated"]
    routes = api_routes(resp.json())
    api_templates = {r.template for r in routes}
    seen: set[str] = set()
    for template, name, kinds in page_patterns():
        if template.startswith(API_PREFIX):
            if name not in PUBLIC_ROUTES and template not in api_templates:
                problems.append(f"API URL {template} ({name}) is missing from the OpenAPI schema: not walked")
            continue
        is_admin = name.startswith("admin:") or template.startswith("/admin/")
        if not name and not is_admin:  # Django's admin has a few unnamed redirects; ours must be named
            problems.append(f"URL pattern {template} has no name: give it one so it can be walked")
            continue
        ident = name or f"admin {template}"
        if ident in seen:
            continue
        seen.add(ident)
        routes.append(Route(ident=ident, kind="admin" if is_admin else "page", template=template,
                            params=_params(template, kinds), url_name=name))
    return routes, problems


# ---------------------------------------------------------------- values and bodies


def resolve(param: Param, registry: Registry) -> Entry | None:
    """The registry entry for a path parameter: "a/b" segments, then "b", then the parameter name."""
    candidates = []
    if len(param.segments) == 2:
        candidates.append("/".join(param.segments))
    if param.segments:
        candidates.append(param.segments[-1])
    candidates.append(param.name)
    for key in candidates:
        if key in registry.entries:
            return registry.entries[key]
    return None


def guess(kind: str) -> Any:
    return _GUESS.get(kind, "no-such-record")


def sample(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A minimal valid value for a JSON schema (required fields only)."""
    if depth > 8:
        return None
    if "$ref" in schema:
        return sample(components[schema["$ref"].rsplit("/", 1)[-1]], components, depth + 1)
    for combo in ("allOf", "anyOf", "oneOf"):
        if combo in schema:
            options = [s for s in schema[combo] if s.get("type") != "null"] or schema[combo]
            return sample(options[0], components, depth + 1)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample(props[k], components, depth + 1) for k in schema.get("required", []) if k in props}
    fmt = schema.get("format", "")
    return {"array": [], "integer": 1, "number": 1.0, "boolean": False}.get(kind or "", {
        "date": "2020-01-01", "date-time": "2020-01-01T00:00:00Z", "uuid": _GUESS["uuid"],
        "binary": b"x"}.get(fmt, "x"))


def request_kwargs(route: Route, registry: Registry) -> dict[str, Any]:
    """Body of a write request: BODIES override, else generated from the OpenAPI schema."""
    if route.ident in registry.bodies:
        return {"data": json.dumps(registry.bodies[route.ident]), "content_type": "application/json"}
    if not route.body:
        return {}
    content = route.body.get("content", {})
    if "application/json" in content:
        body = sample(content["application/json"].get("schema", {}), route.components)
        return {"data": json.dumps(body), "content_type": "application/json"}
    for ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if ctype in content:
            schema = content[ctype].get("schema", {})
            data = sample(schema, route.components) or {}
            form = {k: SimpleUploadedFile("scope.csv", v) if isinstance(v, bytes) else v for k, v in data.items()}
            return {"data": form} if ctype.startswith("multipart") else {
                "data": "&".join(f"{k}={v}" for k, v in form.items()), "content_type": ctype}
    return {}


def text_of(resp: Any) -> str:
    """Everything a response says, as text (JSON unescaped; .xlsx unzipped) for the canary check."""
    raw = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                return " ".join(zf.read(n).decode("utf-8", "ignore") for n in zf.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    text = raw.decode("utf-8", "ignore")
    if "json" in resp.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


# ---------------------------------------------------------------- the walk


class Walk:
    def __init__(self, world: Any, registry: Registry):
        self.world, self.registry = world, registry
        self.problems: list[str] = []
        self.requests = 0
        self.clients = {None: Client()}
        for key in PERSONAS:
            c = Client()
            c.force_login(world.people[key])
            self.clients[key] = c
        self._visible: dict[tuple[str | None, str, str, Any], bool] = {}
        self.reached: set[str] = set()  # routes where some persona saw an in-scope record

    # -- oracle
    def may(self, persona: str | None, obj: models.Model, action: str = "view") -> bool:
        key = (persona, action, obj._meta.label_lower, obj.pk)
        if key not in self._visible:
            user = self.world.people[persona] if persona else None
            self._visible[key] = type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()
        return self._visible[key]

    def canaries(self, persona: str | None) -> list[tuple[str, str]]:
        out = []
        for entry, pos, obj in self.registry.records():
            if pos in entry.canary and not self.may(persona, obj):
                out.append((str(obj), f"{entry.key}[{pos}]"))
        return out

    def snapshot(self) -> dict[Any, Any]:
        from gridgov.core.audit import snapshot
        from gridgov.core.models import ChangeRecord

        state: dict[Any, Any] = {"audit": ChangeRecord.objects.count()}
        wanted: dict[type[models.Model], set[Any]] = {}
        for _entry, _pos, obj in self.registry.records():
            wanted.setdefault(type(obj), set()).add(obj.pk)
        for model, pks in wanted.items():  # one query a model, not one a record: the walk takes ~180 snapshots
            rows = model._default_manager.in_bulk(pks)
            for pk in pks:
                row = rows.get(pk)
                state[(model._meta.label_lower, pk)] = snapshot(row) if row else None
        return state

    # -- requests
    def fail(self, route: Route, persona: str | None, what: str) -> None:
        self.problems.append(f"{route.ident} [{persona or 'anonymous'}]: {what}")

    def url(self, route: Route, values: dict[str, Any]) -> str:
        if route.kind == "api":
            url = route.template.format(**values)
            return url + ("?" + urlencode(route.query_values) if route.query_values else "")
        if not route.url_name:
            return route.template.format(**values)
        return reverse(route.url_name, kwargs=values)

    def send(self, route: Route, persona: str | None, method: str, url: str, **kwargs: Any) -> Any:
        self.requests += 1
        try:
            resp = getattr(self.clients[persona], method)(url, **kwargs)
        except Exception as exc:  # the walk reports every 500 instead of stopping at the first
            self.fail(route, persona, f"{method.upper()} {url} raised {type(exc).__name__}: {exc}")
            return None
        if resp.status_code >= 500:
            self.fail(route, persona, f"{method.upper()} {url} answered {resp.status_code}")
            return None
        text = text_of(resp)
        for canary, where in self.canaries(persona):
            if canary and canary in text:
                self.fail(route, persona, f"{method.upper()} {url} shows {where} {canary!r} outside the scope")
        return resp

    def combos(self, route: Route, entries: list[Entry]) -> list[tuple[str, dict[str, Any], list[models.Model]]]:
        """(label, url values, records involved) for each position, and each parameter guessed in turn."""
        out = []
        for pos in POSITIONS:
            values = {p.name: e.value(pos) for p, e in zip(route.params, entries, strict=True)}
            out.append((pos, values, [e.objects[pos] for e in entries if e.is_record]))
        for p, e in zip(route.params, entries, strict=True):
            if e.is_record:
                values = dict(out[0][1], **{p.name: guess(p.kind)})
                out.append((f"{GUESSED} {p.name}", values, [None]))
        return out

    def expect_login(self, route: Route, method: str, url: str, kwargs: dict[str, Any]) -> None:
        resp = self.send(route, None, method, url, **kwargs)
        if resp is None:
            return
        if route.kind == "api":
            if resp.status_code != 401:
                self.fail(route, None, f"{method.upper()} {url} answered {resp.status_code}, not 401")
            return
        login = reverse("admin:login") if route.kind == "admin" else settings.LOGIN_URL
        if resp.status_code == 405 and method != "get":
            return
        if resp.status_code != 302 or not resp["Location"].startswith(login):
            self.fail(route, None, f"{method.upper()} {url} answered {resp.status_code} "
                                   f"{resp.get('Location', '')}, not a redirect to {login}")

    def walk_route(self, route: Route) -> None:
        entries = []
        for p in route.params:
            if route.kind == "admin":  # closed to every persona: any value will do
                entries.append(Entry(p.name, "admin", constant=_ADMIN_DUMMY.get(p.name) or self._admin_app_label()))
                continue
            entry = resolve(p, self.registry)
            if entry is None:
                tried = [*(["/".join(p.segments)] if len(p.segments) == 2 else []), *p.segments[-1:], p.name]
                self.problems.append(f"{route.ident}: parameter {p.name!r} is not covered by any "
                                     f"scope_fixtures entry (keys tried: {tried}); see docs/scope.md")
                return
            entries.append(entry)
        combos = self.combos(route, entries)
        try:
            first_url = self.url(route, combos[0][1])
        except NoReverseMatch as exc:
            self.problems.append(f"{route.ident}: cannot build its URL from the scope fixtures ({exc})")
            return
        public = route.ident in self.registry.public
        if route.kind == "admin":
            for persona in (None, *PERSONAS):
                if not public:
                    self._admin_closed(route, persona, first_url)
            return
        methods = [route.method] if route.kind == "api" else (["get", "post"] if route.params else ["get"])
        for method in methods:
            kwargs = request_kwargs(route, self.registry) if method in WRITE_METHODS else {}
            if public:
                self.send(route, None, method, first_url, **kwargs)
            else:
                self.expect_login(route, method, first_url, kwargs)
            before = self.snapshot() if method in WRITE_METHODS else None
            for persona in PERSONAS:
                self.walk_persona(route, persona, method, combos, kwargs, public)
            if before is not None:
                after = self.snapshot()
                changed = [k for k in before if before[k] != after.get(k)]
                if changed:
                    self.problems.append(f"{route.ident}: out-of-scope {method.upper()} changed {changed}")

    def walk_persona(self, route: Route, persona: str, method: str, combos: list, kwargs: dict[str, Any],
                     public: bool) -> None:
        action = {"patch": "change", "put": "change", "delete": "delete"}.get(method)
        for label, values, objs in combos:
            visible = all(o is not None and self.may(persona, o) for o in objs)
            allowed = visible and (action is None or all(self.may(persona, o, action) for o in objs))
            if method in WRITE_METHODS and allowed:
                continue  # never write to records the persona may change
            if not route.params and method in WRITE_METHODS:
                continue  # creates: covered by the apps' own tests (anonymous is checked above)
            resp = self.send(route, persona, method, self.url(route, values), **kwargs)
            if resp is None:
                continue
            status = resp.status_code
            if not route.params:
                self.check_list(route, persona, resp)
                self.walk_filters(route, persona)
                return
            if not visible and not public and status not in (404, 405):
                self.fail(route, persona, f"{method.upper()} {resp.request['PATH_INFO']} ({label}: not "
                                          f"visible to the persona) answered {status}, not 404")
            elif visible and not allowed and status not in (403, 404, 405):
                self.fail(route, persona, f"{method.upper()} ({label}: visible, no {action} right) answered "
                                          f"{status}, not 403/404")
            elif visible and method == "get" and status == 200:
                self.reached.add(route.ident)

    def check_list(self, route: Route, persona: str, resp: Any) -> None:
        """API lists: every row must be one the persona may view."""
        if route.kind != "api" or resp.status_code != 200 or "json" not in resp.get("Content-Type", ""):
            return
        segments = [s for s in route.template.split("/") if s and "{" not in s]
        entry = resolve(Param("", "", tuple(segments[-2:])), self.registry)
        if entry is None or not entry.is_record:
            return
        body = resp.json()
        rows = body.get("items") if isinstance(body, dict) else body
        if not isinstance(rows, list):
            return
        model = type(entry.objects["grid_a"])
        allowed = set(model._default_manager.restrict(self.world.people[persona], "view").values_list("pk", flat=True))
        leaked = [r["id"] for r in rows if isinstance(r, dict) and "id" in r and r["id"] not in allowed]
        if leaked:
            self.fail(route, persona, f"list holds rows outside the scope: ids {leaked[:10]}")

    def walk_filters(self, route: Route, persona: str) -> None:
        """API list filters that take a record id (grid=, household=, ...) with out-of-scope records."""
        for q in route.query:
            entry = self.registry.entries.get(q["name"])
            if route.method != "get" or entry is None or not entry.is_record:
                continue
            for pos in POSITIONS:
                if not self.may(persona, entry.objects[pos]):
                    data = {**route.query_values, q["name"]: entry.value(pos)}
                    resp = self.send(route, persona, "get", route.template, data=data)
                    if resp is not None:
                        self.check_list(route, persona, resp)

    def _admin_closed(self, route: Route, persona: str | None, url: str) -> None:
        resp = self.send(route, persona, "get", url)
        if resp is not None and not (resp.status_code == 302 and resp["Location"].startswith(reverse("admin:login"))):
            self.fail(route, persona, f"admin page answered {resp.status_code}, not a redirect to the admin login")

    @staticmethod
    def _admin_app_label() -> str:
        from django.contrib import admin

        return next(iter(admin.site._registry))._meta.app_label

    def run(self, routes: list[Route]) -> None:
        for route in routes:
            route.query_values = {q["name"]: sample(q.get("schema", {}), route.components)
                                  for q in route.query if q.get("required")}
            self.walk_route(route)
