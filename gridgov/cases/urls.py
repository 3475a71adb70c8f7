from django.urls import path

from . import settings_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("report/", views.report, name="report"),
    path("map/", views.case_map, name="map"),
    path("export/", views.case_export, name="export"),
    path("inbox/", views.inbox, name="inbox"),
    path("flows/<str:kind>/", views.flow_detail, name="flow"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("dispatch-rules/", settings_views.rule_list, name="rule_list"),
    path("dispatch-rules/new/", settings_views.rule_new, name="rule_new"),
    path("dispatch-rules/<int:pk>/edit/", settings_views.rule_edit, name="rule_edit"),
    path("dispatch-rules/<int:pk>/delete/", settings_views.rule_delete, name="rule_delete"),
    path("category-limits/", settings_views.limit_list, name="limit_list"),
    path("category-limits/new/", settings_views.limit_new, name="limit_new"),
    path("category-limits/<int:pk>/edit/", settings_views.limit_edit, name="limit_edit"),
    path("category-limits/<int:pk>/delete/", settings_views.limit_delete, name="limit_delete"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/fire/<str:name>/", views.case_fire, name="case_fire"),
    path("<int:pk>/merge/", views.case_merge, name="case_merge"),
    path("<int:pk>/photos/", views.case_photos, name="case_photos"),
]
