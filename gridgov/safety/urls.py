from django.urls import path

from . import views

app_name = "safety"
urlpatterns = [
    path("", views.home, name="home"),
    path("profiles/", views.profile_list, name="profile_list"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/<int:pk>/inspect/", views.inspection_start, name="inspection_start"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/report.xlsx", views.hazard_report, name="hazard_report"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/install/", views.catalogue_install, name="catalogue_install"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("major-rules/", views.major_rules, name="major_rules"),
    path("rules/", views.rules_edit, name="rules"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("warnings/", views.warnings, name="warnings"),
    path("statistics/", views.statistics, name="statistics"),
    path("my/", views.my, name="my"),
]
