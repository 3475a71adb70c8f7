from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    # Files: import (form, template), export (the list's filters in the query string), import reports.
    path("residents/import/", views.register_import, {"kind": "residents"}, name="resident_import"),
    path("residents/import/template/", views.import_template, {"kind": "residents"}, name="resident_template"),
    path("residents/export/", views.register_export, {"kind": "residents"}, name="resident_export"),
    path("households/import/", views.register_import, {"kind": "households"}, name="household_import"),
    path("households/import/template/", views.import_template, {"kind": "households"},
         name="household_template"),
    path("households/export/", views.register_export, {"kind": "households"}, name="household_export"),
    path("enterprises/import/", views.register_import, {"kind": "enterprises"}, name="enterprise_import"),
    path("enterprises/import/template/", views.import_template, {"kind": "enterprises"},
         name="enterprise_template"),
    path("enterprises/export/", views.register_export, {"kind": "enterprises"}, name="enterprise_export"),
    path("imports/<int:pk>/", views.import_result, name="import_result"),
    path("imports/<int:pk>/report/", views.import_report, name="import_report"),
]
