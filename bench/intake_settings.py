"""Settings of the intake bench's server: gridgov's own, plus a no-op endpoint beside the API."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "intake_urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "CRITICAL"}}
