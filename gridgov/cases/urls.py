from django.urls import path

from . import views

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
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/fire/<str:name>/", views.case_fire, name="case_fire"),
    path("<int:pk>/merge/", views.case_merge, name="case_merge"),
    path("<int:pk>/photos/", views.case_photos, name="case_photos"),
]
