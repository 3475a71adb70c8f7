"""Production settings (issue 16, item 7): no start on the public development key, and `gridgov check --deploy`
names it; with the settings docs/security.md lists, the deploy check is clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GRIDGOV = str(Path(sys.executable).with_name("gridgov"))
A_KEY = "k3y-of-this-installation-" + "Zq8vR2mW" * 6


def _gridgov(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    # As an installation starts: none of the suite's own settings (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE
    # for the live server, which the deploy check rightly refuses).
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("GRIDGOV_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    return subprocess.run([GRIDGOV, *args], env={**clean, "GRIDGOV_HOME": str(tmp_path), **env},
                          capture_output=True, text=True, timeout=120)


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    run = _gridgov(tmp_path, "check", GRIDGOV_DEBUG="0")
    assert run.returncode != 0 and "ImproperlyConfigured: GRIDGOV_SECRET_KEY is not set" in run.stderr


def test_production_on_the_public_development_key_refuses_to_start(tmp_path):
    from django.conf import settings

    run = _gridgov(tmp_path, "check", GRIDGOV_DEBUG="0", GRIDGOV_SECRET_KEY=settings.DEV_SECRET_KEY)
    assert run.returncode != 0 and "ImproperlyConfigured" in run.stderr


def test_check_deploy_names_the_development_key(tmp_path):
    run = _gridgov(tmp_path, "check", "--deploy")
    assert run.returncode != 0 and "gridgov.E001" in run.stderr


@pytest.mark.parametrize("proxy", ["X-Forwarded-Proto", ""])
def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path, proxy):
    run = _gridgov(tmp_path, "check", "--deploy", GRIDGOV_DEBUG="0", GRIDGOV_SECRET_KEY=A_KEY,
                   GRIDGOV_ALLOWED_HOSTS="gridgov.example.cn", GRIDGOV_PROXY_SSL_HEADER=proxy)
    assert run.returncode == 0 and "no issues (0 silenced)" in run.stdout, run.stderr


def test_the_demo_still_runs_on_the_development_key_with_debug_on(tmp_path):
    # `make run` (DEBUG on, no key) must keep working for anyone trying gridgov out.
    run = _gridgov(tmp_path, "check")
    assert run.returncode == 0, run.stderr
