"""The scope walk (issue 2, item 5): every URL pattern and every API route, with every persona, leaks nothing.

See gridgov/core/tests/scopewalk.py for the checks and docs/scope.md for the fixture contract apps follow."""

from django.test import Client

from gridgov.core.tests import scopewalk
from gridgov.core.tests.scopewalk import Param, Registry, Route, Walk, all_routes, load_registry, resolve


def test_it_walks_every_route_with_every_persona_and_nothing_leaks(world):
    registry = load_registry(world)
    routes, problems = all_routes(Client())
    walk = Walk(world, registry)
    walk.run(routes)
    problems += walk.problems
    unreached = [r.ident for r in routes if r.kind != "admin" and r.params and r.method == "get"
                 and r.ident not in walk.reached and r.ident not in registry.public]
    problems += [f"{i}: no persona ever got 200 for an in-scope record (fixtures wrong?)" for i in unreached]
    assert not problems, f"{len(problems)} problem(s) in {walk.requests} requests:\n" + "\n".join(problems)


def test_it_enumerates_pages_admin_and_api_routes(world):
    routes, problems = all_routes(Client())
    idents = {r.ident for r in routes}
    assert {"register:resident_detail", "admin:index", "PATCH /api/v1/register/residents/{pk}"} <= idents


def test_it_fails_for_a_route_whose_id_nobody_covers(world):
    route = Route(ident="GET /api/v1/widgets/{widget_id}", kind="api", template="/api/v1/widgets/{widget_id}",
                  params=[Param("widget_id", "integer", ("v1", "widgets"))])
    walk = Walk(world, Registry())
    walk.run([route])
    assert "not covered by any scope_fixtures entry" in " ".join(walk.problems)


def test_it_finds_an_entry_by_segment_then_by_parameter_name(world):
    registry = Registry()
    registry.add("x", {"residents": "by-segment", "case_id": "by-name"})
    by_segment = resolve(Param("pk", "int", ("register", "residents")), registry)
    by_name = resolve(Param("case_id", "int", ("v1", "cases")), registry)
    assert (by_segment.constant, by_name.constant) == ("by-segment", "by-name")


def test_it_reports_a_leaking_route(world, monkeypatch):
    """The walk itself is checked: a view that ignores the scope must be caught."""
    registry = load_registry(world)
    leaky = Route(ident="GET /api/v1/register/residents/{pk}", kind="api",
                  template="/api/v1/register/residents/{pk}", params=[Param("pk", "integer", ("register", "residents"))])
    monkeypatch.setattr("gridgov.register.selectors.get_scoped",
                        lambda qs, user, action="view", **lookup: qs.get(**lookup) if qs.filter(**lookup).exists()
                        else (_ for _ in ()).throw(scopewalk_notfound()))
    walk = Walk(world, registry)
    walk.run([leaky])
    assert "not 404" in " ".join(walk.problems)


def scopewalk_notfound():
    from gridgov.core.errors import NotFound

    return NotFound()


__all__ = ["scopewalk"]
