"""The test settings: production's, plus a small second flow that only the tests install
(gridgov/core/tests/flowapp), to prove a new flow is a declaration and touches no case code."""

from gridgov.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "gridgov.core.tests.flowapp"]  # noqa: F405
