"""System checks of an installation (`gridgov check --deploy`): what Django's own deploy checks cannot know."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The development key is in the repository: whoever reads it can forge sessions and CSRF tokens."""
    if settings.SECRET_KEY == getattr(settings, "DEV_SECRET_KEY", None):
        return [Error("SECRET_KEY is gridgov's public development key.",
                      hint="Set GRIDGOV_SECRET_KEY to a random value of 50 characters or more "
                           "(docs/security.md); with GRIDGOV_DEBUG=0 gridgov refuses to start without it.",
                      id="gridgov.E001")]
    return []
