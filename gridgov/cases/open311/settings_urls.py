"""The Open311 clients' settings pages, mounted by gridgov/urls.py at /open311/clients/ (the app's own urls.py
is the GeoReport v2 interface at /open311/v2/)."""

from django.urls import path

from . import settings_views

app_name = "open311_settings"
urlpatterns = [
    path("", settings_views.client_list, name="client_list"),
    path("new/", settings_views.client_new, name="client_new"),
    path("<int:pk>/edit/", settings_views.client_edit, name="client_edit"),
    path("<int:pk>/rotate/", settings_views.client_rotate, name="client_rotate"),
]
