"""Shared pytest fixtures: the world of two towns and its personas (see gridgov.testing)."""

from __future__ import annotations

import itertools

import pytest
from django.test import Client

from gridgov.testing import PASSWORD, World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("worker_a") → a Client signed in as that persona; client_for(None) → anonymous."""

    def make(key: str | None) -> Client:
        c = Client()
        if key:
            c.force_login(world.people[key])
        return c

    return make


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, headless, one per test module (browser tests only)."""
    from playwright.sync_api import sync_playwright

    from gridgov.core.tests.test_browser import ARGS, CHROMIUM

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def site(live_server, transactional_db, world):
    """The live server's address, with the world in a database the server's threads see."""
    return live_server.url


# Tests only: a fast password hasher. Argon2 (the production hasher, gridgov/settings.py; proven by
# core/tests/test_password_hashing.py) costs about half a second a password, and the personas of every test
# sign in with one. Hashes made by Argon2 (fixtures, a restored demo) still verify: it stays in the list.
FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    from django.conf import settings
    from django.contrib.auth import hashers

    production = list(settings.PASSWORD_HASHERS)
    settings.PASSWORD_HASHERS = [FAST_HASHER, *production]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    yield
    settings.PASSWORD_HASHERS = production
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _anchor_dir(tmp_path_factory):
    """Anchors and their key in a temporary directory, never in GRIDGOV_HOME (fixtures wider than one test,
    such as a module's demo, anchor to the session's file)."""
    from django.conf import settings

    directory = tmp_path_factory.mktemp("audit-anchors")
    settings.GRIDGOV_AUDIT_ANCHORS = str(directory / "anchors-session.log")
    settings.GRIDGOV_AUDIT_KEY = str(directory / "anchor.key")
    return directory


_anchor_files = itertools.count()


@pytest.fixture(autouse=True)
def _audit_anchors_of_this_test(_anchor_dir):
    """Each test its own anchor file (gridgov/core/anchor.py): its database goes away after it, and the anchors of
    that chain with it. One signing key for the session."""
    from django.conf import settings

    kept = settings.GRIDGOV_AUDIT_ANCHORS, settings.GRIDGOV_AUDIT_KEY
    settings.GRIDGOV_AUDIT_ANCHORS = str(_anchor_dir / f"anchors-{next(_anchor_files)}.log")
    settings.GRIDGOV_AUDIT_KEY = str(_anchor_dir / "anchor.key")
    yield
    settings.GRIDGOV_AUDIT_ANCHORS, settings.GRIDGOV_AUDIT_KEY = kept


@pytest.fixture
def production_passwords(settings):
    """The production hashers for one test (ask for it before `world`, so the personas are hashed with them)."""
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if h != FAST_HASHER]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    yield
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _catalogues():
    """Compiled translation catalogues (.mo are not in the repository), so English pages can be tested."""
    import io

    from django.core.management import call_command

    call_command("compile_catalogues", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _fresh_locator():
    from gridgov.network.selectors import locator_cache

    locator_cache._locator = None
    locator_cache._version = None
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves English active in the test's thread (LanguageMiddleware activates, nothing
    deactivates): every test starts and ends in the default language, whatever ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_tables():
    """Rows a rolled-back test created (categories, point rules; seeds write them in bulk, without signals)
    must not linger in the per-process tables."""
    from gridgov.core.tables import ProcessTable

    for table in ProcessTable.instances:
        table.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test starts with an empty calendar cache: a rolled-back override must not linger."""
    from gridgov.core import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


__all__ = ["PASSWORD"]
