"""The test settings: production's, plus a small second flow that only the tests install
(gridgov/core/tests/flowapp), to prove a new flow is a declaration and touches no case code."""

from gridgov.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "gridgov.core.tests.flowapp"]  # noqa: F405

# The walks and fuzzers send thousands of public requests from one address: limits far above them (the rate-limit
# tests set their own, gridgov/core/tests/test_ratelimit.py).
GRIDGOV_RATE_LIMITS = {route: (1_000_000, 1_000_000, 3600) for route in GRIDGOV_RATE_LIMITS}  # noqa: F405
