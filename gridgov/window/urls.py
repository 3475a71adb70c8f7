from django.urls import path

from . import views

app_name = "window"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("items/export/", views.catalogue_export, name="catalogue_export"),
    path("items/import/", views.catalogue_import, name="catalogue_import"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("follow/", views.follow, name="follow"),
    path("follow/<str:token>/", views.follow_token, name="follow_token"),
    path("indicators/", views.indicators, name="indicators"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
]
