"""gridgov's URLs plus /bench/noop/: the same middleware stack answering without doing anything."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gridgov.urls import urlpatterns as gridgov_urls


@csrf_exempt
def noop(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [path("bench/noop/", noop), *gridgov_urls]
