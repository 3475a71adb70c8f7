"""URL map: pages per app, the JSON API under /api/v1, admin for configuration only."""

from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("gridgov.accounts.urls")),
    path("network/", include("gridgov.network.urls")),
    path("register/", include("gridgov.register.urls")),
]
