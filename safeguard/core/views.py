import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not (for load balancers and checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("healthz: database unreachable", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@never_cache
def exit_this_page(request: HttpRequest) -> HttpResponse:
    """The target of every "Exit this page" button: forget everything, then go somewhere neutral.

    Flushing the session drops any half-written report, so pressing Back shows nothing.
    Clear-Site-Data asks the browser to drop our cookies and cached pages as well.
    """
    request.session.flush()
    response = HttpResponseRedirect(settings.SAFEGUARD_EXIT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Cache-Control"] = "no-store"
    return response


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Shown when a client has sent too many requests. Kind wording: it may be a child."""
    response = render(request, "core/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response
