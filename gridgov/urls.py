"""URL map: pages per app (auto-included from each gridgov app's urls.py under /<label>/), the JSON API
under /api/v1, admin for configuration only."""

from importlib.util import find_spec

from django.apps import apps
from django.contrib import admin
from django.urls import include, path

from .api import api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("gridgov.cases.open311.urls")),
    path("open311/clients/", include("gridgov.cases.open311.settings_urls")),
    path("cases/indicators/", include("gridgov.cases.indicator_urls")),
    path("", include("gridgov.accounts.urls")),
    path("", include("gridgov.core.urls")),
]
for _config in apps.get_app_configs():
    # accounts and core are mounted at the root and Open311 at its versioned path above.
    if (_config.name.startswith("gridgov.") and _config.label not in ("accounts", "core", "open311")
            and find_spec(f"{_config.name}.urls")):
        urlpatterns.append(path(f"{_config.label}/", include(f"{_config.name}.urls")))
