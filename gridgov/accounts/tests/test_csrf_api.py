"""CSRF on the JSON API (issue 16, item 5): a write made with a signed-in session needs the token on every
route, public ones included, so another site cannot act as the signed-in user; a public write without a
session needs none."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from gridgov.core.models import ChangeRecord

WRITES = ("post", "put", "patch", "delete")


def _write_routes() -> list[tuple[str, str]]:
    """(method, path with every parameter filled) of each write operation of the OpenAPI description."""
    schema = Client().get("/api/v1/openapi.json").json()  # over HTTP: accounts imports no capability app
    out = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            if method not in WRITES:
                continue
            types = {p["name"]: p.get("schema", {}).get("type", "string") for p in op.get("parameters", [])
                     if p.get("in") == "path"}
            filled = re.sub(r"\{(\w+)\}", lambda m, t=types: "1" if t.get(m.group(1)) == "integer" else "x", path)
            out.append((method, filled))
    return out


def test_it_finds_the_write_routes_of_the_api(db):
    routes = _write_routes()
    assert len(routes) > 40 and ("post", "/api/v1/cases/public/cases") in routes


@pytest.mark.parametrize("persona", ["admin", "worker_a"])
def test_it_refuses_every_api_write_made_with_a_session_and_no_csrf_token(world, persona):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.people[persona])
    before = ChangeRecord.objects.count()
    answered = {}
    for method, path in _write_routes():
        resp = getattr(c, method)(path, data="{}", content_type="text/plain")
        body = resp.json() if resp.get("Content-Type", "").startswith("application/json") else {}
        answered[f"{method.upper()} {path}"] = (resp.status_code, body.get("code"))
    refused = {k: v for k, v in answered.items() if v != (403, "forbidden")}
    assert (refused, ChangeRecord.objects.count()) == ({}, before)


def test_it_refuses_a_cross_site_report_filed_as_the_signed_in_worker(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.worker_a)
    body = json.dumps({"category": "0102", "lat": 35.905, "lon": 120.005, "title": "跨站"})
    resp = c.post("/api/v1/cases/public/cases", data=body, content_type="text/plain",
                  HTTP_ORIGIN="https://evil.example")
    assert resp.status_code == 403


def test_it_takes_a_public_write_without_a_session_and_without_a_token(world):
    resp = Client(enforce_csrf_checks=True).post("/api/v1/cases/public/cases", data="{}",
                                                 content_type="application/json")
    assert resp.status_code == 422
