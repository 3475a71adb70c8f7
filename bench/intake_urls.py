"""gridgov's URLs plus three reference endpoints on the same server and middleware:

- /bench/noop/: answers without doing anything (the issue's reference);
- /bench/noop-write/: writes one row durably (one INSERT in its own transaction, committed before the answer),
  the least any durable report costs on this machine;
- /bench/ninja-write/: the least the stack DESIGN.md prescribes does for a report: django-ninja validates the
  report's JSON against a schema, the ORM saves one row in a transaction, the answer is rendered from a schema.
"""

from django.db import connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from noop_views import noop

from gridgov.urls import urlpatterns as gridgov_urls


@csrf_exempt
def noop_write(request: HttpRequest) -> HttpResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_noop_write (body) VALUES (%s)", [request.body[:200].decode()])
    return HttpResponse(b'{"ok": true}', content_type="application/json")


class BenchReport(models.Model):
    """A row of bench_noop_write (the bench creates the table)."""

    at = models.DateTimeField(auto_now_add=True)
    body = models.TextField()

    class Meta:
        app_label = "cases"
        db_table = "bench_noop_write"
        managed = False


class ReportIn(Schema):
    category: str
    lat: float
    lon: float
    description: str = ""
    force_new: bool = False


class ReportOut(Schema):
    id: int
    category: str


bench_api = NinjaAPI(urls_namespace="bench", docs_url=None, openapi_url=None)


@bench_api.post("/ninja-write", response={201: ReportOut})
def ninja_write(request: HttpRequest, payload: ReportIn) -> tuple[int, dict]:
    with transaction.atomic():
        row = BenchReport.objects.create(body=payload.description)
    return 201, {"id": row.pk, "category": payload.category}


urlpatterns = [path("bench/noop/", noop), path("bench/noop-write/", noop_write), path("bench/", bench_api.urls),
               *gridgov_urls]
