from django.urls import path

from . import indicator_views

app_name = "case_indicators"
urlpatterns = [path("", indicator_views.indicators_page, name="page"),
               path("export/", indicator_views.indicators_export_view, name="export")]
