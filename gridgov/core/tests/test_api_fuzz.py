"""Property-based API testing with schemathesis against our own OpenAPI description (/api/v1/openapi.json).

The project's rule, proved on generated input: whatever a client sends, bad input gets a clear error naming the
field and the reason in our error body ({"code", "detail", "errors"?}), never a 500; an answer that succeeds
has the documented shape; and a refused write leaves the database as it was (nothing half-written).

Every operation is called in process (WSGI) as the town's administrator (管理员庚 of 泊里镇), the routes open to
anonymous users without a session. Path parameters of positive cases name real records in grid A (the scope
fixtures of every app, docs/scope.md), so reads and writes reach the services and not only the 404; negative
cases keep the generated (wrong) value. Deterministic (fixed seed, derandomized, no example database) and
bounded (a few examples per operation) so it runs in CI on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from gridgov.core.tests.scopewalk import Param, load_registry, resolve
from gridgov.testing import build_world

# The bare Django handler: gridgov.wsgi would also start the audit sealer thread, which tests do not want.
application = WSGIHandler()
CONFIG = schemathesis.Config.from_dict({
    "seed": 20240611,
    "generation": {"deterministic": True, "database": "none", "max-examples": 12, "mode": "all",
                   "with-security-parameters": False},
    # A method a path does not take: one is enough, every route has the same JSON 405 (gridgov.api).
    "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": ["PUT"]}},
})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
STAFF = "admin"
CSRF_TOKEN = "fuzz" * 8  # 32 letters, as Django expects; the cookie and the header must agree
# No 5xx; the documented content type and, for documented statuses, the documented schema. Not
# `negative_data_rejection`: pydantic's lax parsing accepts on purpose what the strict JSON Schema calls wrong
# (`created_before=0` is 1970-01-01, `false` an id of 0, a repeated query parameter its last value), and none
# of that is a server error or an unclear refusal. Not `status_code_conformance`: the description documents the
# success statuses only, and every refusal is checked below against our error body instead.
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
# Tables a refused request may still write to: the session of the caller, and the rate limits' counts (every
# attempt at a public route counts, refused or not: core/ratelimit.py).
UNWATCHED_TABLES = {"django_session", "core_ratecount"}


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The world, every app's scope fixtures and a signed-in administrator, built once for the module inside a
    transaction rolled back at its end (each operation's test rolls back to it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        registry = load_registry(world)
        client = Client()
        client.force_login(world.people[STAFF])
        cookies = {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                   django_settings.CSRF_COOKIE_NAME: CSRF_TOKEN}
        yield {"world": world, "registry": registry, "cookies": cookies}
        transaction.set_rollback(True)


@pytest.fixture
def in_process(db: Any, fuzz_world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Requests served on the test's own connection: the handler must not close it between requests (Django's
    test Client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield dict(fuzz_world)  # this operation's own copy: its fingerprint is rolled back with it
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def error_body_check(response: Any, case: Any) -> None:
    """A refusal is our error body: JSON with a code and a detail; a 422 names each field with its reasons."""
    if response.status_code < 400:
        return
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    assert response.headers.get("content-type", [""])[0].startswith("application/json"), \
        f"{where}: not JSON ({response.headers.get('content-type')}): {response.content[:300]!r}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"], f"{where}: {body}"
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), f"{where}: no detail: {body}"
    if response.status_code == 422:
        errors = body.get("errors")
        assert isinstance(errors, dict) and errors, f"{where}: a 422 must name the field: {body}"
        for field, reasons in errors.items():
            assert field and isinstance(reasons, list) and reasons and all(isinstance(r, str) and r.strip()
                                                                            for r in reasons), f"{where}: {body}"


def fingerprint() -> str:
    """Every row of every table of the project: a refused write must leave it unchanged."""
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.db_table in UNWATCHED_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        digest.update(model._meta.db_table.encode())
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def point_at_records(case: Any, registry: Any) -> None:
    """Positive cases: each path parameter names a real record of grid A (the administrator's own town)."""
    if not case.path_parameters or case.meta is None or case.meta.generation.mode.is_negative:
        return
    segments = [s for s in case.operation.path.split("/") if s]
    for name in list(case.path_parameters):
        at = segments.index("{" + name + "}")
        before = tuple(s for s in segments[:at] if not s.startswith("{"))[-2:]
        entry = resolve(Param(name, "integer", before), registry)
        if entry is not None:
            case.path_parameters[name] = entry.value("grid_a")


class Writes:
    """Counts the statements that may change a watched table, so a row-by-row fingerprint is taken only when
    something was written (most generated requests are refused before any write)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip()[:7].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE", "WITH")) and not any(t in sql for t in UNWATCHED_TABLES):
            self.count += 1
        return execute(sql, params, many, context)


@schema.parametrize()
@settings(deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_it_answers_any_input_without_a_server_error(case: Any, in_process: dict[str, Any]) -> None:
    registry = in_process["registry"]
    point_at_records(case, registry)
    public = f"{case.method.upper()} {case.operation.path}" in registry.public
    if "fingerprint" not in in_process:
        in_process["fingerprint"] = fingerprint()
    writes = Writes()
    with connection.execute_wrapper(writes):
        response = case.call(cookies=None if public else in_process["cookies"],
                             headers={"X-CSRFToken": CSRF_TOKEN})
    case.validate_response(response, checks=CHECKS)
    error_body_check(response, case)

    if writes.count:
        before, in_process["fingerprint"] = in_process["fingerprint"], fingerprint()
        assert response.status_code < 400 or in_process["fingerprint"] == before, \
            f"{case.method} {case.formatted_path} answered {response.status_code} but changed the database"
