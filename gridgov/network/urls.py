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
    path("working-hours/", settings_views.working_hours_settings, name="working_hours_settings"),
    path("working-hours/<int:pk>/edit/", settings_views.working_hours_edit, name="working_hours_edit"),
    path("working-hours/<int:pk>/reset/", settings_views.working_hours_reset, name="working_hours_reset"),
    path("holidays/", settings_views.holiday_settings, name="holiday_settings"),
    path("holidays/upload/", settings_views.holidays_upload, name="holidays_upload"),
    path("holidays/official/", settings_views.holidays_mark_official, name="holidays_mark_official"),
    path("boundaries/import/", settings_views.boundaries_import, name="boundaries_import"),
    path("boundaries/export/", settings_views.boundaries_export, name="boundaries_export"),
]
