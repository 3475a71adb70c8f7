from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("map/", views.grid_map, name="map"),
    path("divisions/", views.division_list, name="division_list"),
    path("divisions/<int:pk>/", views.division_detail, name="division_detail"),
    path("divisions/<int:pk>/edit/", views.division_edit, name="division_edit"),
]
