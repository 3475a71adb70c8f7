from django.urls import path
from noop_views import noop

urlpatterns = [path("bench/noop/", noop)]
