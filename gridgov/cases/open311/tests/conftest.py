"""The Open311 tests' world: a service (0901 暴露垃圾, 4 working hours) and a client system with its api_key."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from gridgov.cases.open311.services import open311_client_create
from gridgov.cases.tests.bulk import category, fast_passwords  # noqa: F401


@pytest.fixture
def o311(world):
    world.cat = category("0901", "暴露垃圾（测试）", 4, "hours")
    _client, world.api_key = open311_client_create(name="12345平台", acting_user=None)
    world.http = HttpClient()
    return world
