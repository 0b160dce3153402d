"""The real URLs plus the baseline the intake benchmark compares against. Used only by bench/bench_intake.py."""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from safeguard.urls import urlpatterns as real_urlpatterns


@csrf_exempt
def minimal_insert(request):
    """The least a Django view can do to accept a report: store the body as one row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (body, created_at) VALUES (%s, CURRENT_TIMESTAMP)", [request.body.decode()]
        )
    return HttpResponse(status=201)


urlpatterns = [path("bench/minimal-insert", minimal_insert), *real_urlpatterns]
