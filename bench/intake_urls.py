"""gridgov's URLs plus /bench/noop/: the same middleware stack answering without doing anything; and
/bench/noop-write/: the same, writing one row durably (one INSERT in its own transaction, committed before the
answer), for the ratio against the least work a report must do."""

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gridgov.urls import urlpatterns as gridgov_urls


@csrf_exempt
def noop(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok": true}', content_type="application/json")


@csrf_exempt
def noop_write(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_noop_write (body) VALUES (%s)", [request.body[:200].decode()])
    return HttpResponse(b'{"ok": true}', content_type="application/json")


urlpatterns = [path("bench/noop/", noop), path("bench/noop-write/", noop_write), *gridgov_urls]
