"""Passwords are hashed with Argon2 in production; the tests' fast hasher (gridgov/conftest.py) is for tests
only and never reaches the settings a server runs with."""

from __future__ import annotations

import runpy
from pathlib import Path

from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.test import override_settings

import gridgov

SETTINGS = Path(gridgov.__file__).with_name("settings.py")


def production_hashers() -> list[str]:
    return runpy.run_path(str(SETTINGS))["PASSWORD_HASHERS"]


def test_it_hashes_with_argon2_under_the_production_settings():
    with override_settings(PASSWORD_HASHERS=production_hashers()):
        encoded = make_password("gridgov-demo")
        assert (identify_hasher(encoded).algorithm, check_password("gridgov-demo", encoded)) == ("argon2", True)


def test_it_names_no_fast_hasher_in_the_production_settings():
    assert not [h for h in production_hashers() if "MD5" in h or "UnsaltedSHA1" in h]


def test_it_uses_the_fast_hasher_only_inside_the_tests():
    assert identify_hasher(make_password("x")).algorithm == "md5"
