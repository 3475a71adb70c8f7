from django.urls import path

from . import settings_views, views

app_name = "network"
urlpatterns = [
    path("map/", views.grid_map, name="map"),
    path("divisions/", views.division_list, name="division_list"),
    path("divisions/<int:pk>/", views.division_detail, name="division_detail"),
    path("divisions/<int:pk>/edit/", views.division_edit, name="division_edit"),
    path("departments/", settings_views.department_settings, name="department_settings"),
    path("departments/new/", settings_views.department_new, name="department_new"),
    path("departments/<int:pk>/edit/", settings_views.department_edit, name="department_edit"),
]
