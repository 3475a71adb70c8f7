"""Open311 GeoReport v2, mounted by gridgov/urls.py at /open311/v2/. Each resource in both formats."""

from django.urls import path, re_path

from . import views

app_name = "open311"
urlpatterns = []
for _fmt in ("json", "xml"):
    _x = "" if _fmt == "json" else "_xml"
    urlpatterns += [
        path(f"discovery.{_fmt}", views.discovery, {"fmt": _fmt}, name=f"discovery{_x}"),
        path(f"services.{_fmt}", views.service_list, {"fmt": _fmt}, name=f"services{_x}"),
        path(f"services/<str:code>.{_fmt}", views.service_definition, {"fmt": _fmt}, name=f"service{_x}"),
        path(f"requests.{_fmt}", views.requests_endpoint, {"fmt": _fmt}, name=f"requests{_x}"),
        path(f"requests/<str:request_id>.{_fmt}", views.request_detail, {"fmt": _fmt}, name=f"request{_x}"),
        path(f"tokens/<str:token>.{_fmt}", views.token_detail, {"fmt": _fmt}, name=f"token{_x}"),
    ]
# Anything else under /open311/v2/ answers a 404 in the spec's error format, not an HTML page.
urlpatterns += [
    re_path(r"^(?P<rest>.+\.json)$", views.not_found, {"fmt": "json"}, name="not_found"),
    re_path(r"^(?P<rest>.*)$", views.not_found, {"fmt": "xml"}, name="not_found_xml"),
]
