"""The lockout under concurrent guesses (issue 16, items 1 and 2): an attempt is counted before its password is
checked, so guesses sent together cannot outrun the count, and a good sign-in among them never answers 500.

Threads need a database where writers run side by side: PostgreSQL. SQLite serialises every writer, so the race
cannot be shown there; the lockout itself is the same code on both."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from gridgov.accounts.tests import hashers
from gridgov.testing import PASSWORD

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")


@pytest.fixture
def counted(settings):
    """Passwords hashed by the counting hasher (asked for before `world`, so the personas use it)."""
    from django.contrib.auth import hashers as django_hashers

    settings.PASSWORD_HASHERS = ["gridgov.accounts.tests.hashers.CountingHasher"]
    django_hashers.get_hashers.cache_clear()
    django_hashers.get_hashers_by_algorithm.cache_clear()
    hashers.CHECKS.clear()
    yield hashers.CHECKS
    django_hashers.get_hashers.cache_clear()
    django_hashers.get_hashers_by_algorithm.cache_clear()


def _together(passwords: list[str], username: str = "worker_a") -> list[tuple[int, bool]]:
    """Post every password to /login/ at once, one thread each: (status, signed in) per attempt."""
    barrier = threading.Barrier(len(passwords))
    results: list[tuple[int, bool]] = [(0, False)] * len(passwords)

    def attempt(i: int, password: str) -> None:
        c = Client(raise_request_exception=False)  # a crash is the 500 a browser would get
        try:
            barrier.wait()
            resp = c.post("/login/", {"username": username, "password": password})
            results[i] = (resp.status_code, "_auth_user_id" in c.session)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(passwords)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_it_checks_no_more_passwords_than_allowed_under_32_concurrent_guesses(counted, transactional_db, world):
    results = _together(["wrong-password"] * 32)
    assert (len(counted), [s for s, _in in results if s >= 500]) == (settings.GRIDGOV_LOGIN_MAX_FAILURES, [])


def test_it_never_signs_in_the_right_password_after_the_allowed_wrong_ones(counted, transactional_db, world):
    results = _together(["wrong-password"] * 31 + [PASSWORD])
    signed_in = results[-1][1]
    wrong_before_right = counted.index(True) if True in counted else len(counted)
    # Signing in is fair only while fewer wrong passwords than the limit were checked before it.
    assert not (signed_in and wrong_before_right >= settings.GRIDGOV_LOGIN_MAX_FAILURES)
    assert [s for s, _in in results if s >= 500] == []


def test_it_never_answers_500_to_right_and_wrong_passwords_alternating(counted, transactional_db, world):
    results = _together([PASSWORD if i % 2 else "wrong-password" for i in range(24)])
    assert [s for s, _in in results if s >= 500] == []
