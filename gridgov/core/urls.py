from django.urls import path

from . import verify_views, views

app_name = "core"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("verify/", verify_views.verify_form, name="verify_form"),
    path("verify/key.pem", verify_views.public_key, name="verify_key"),
    path("verify/<str:code>", verify_views.verify, name="verify"),
]
