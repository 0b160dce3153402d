"""Answer 503 with Retry-After while the database is unreachable, instead of a 500 and a stack trace.

A database restart must not need Safeguard restarted: requests fail fast while it is down (psycopg's
connect fails at once on a refused port, `connect_timeout` caps a silent one) and, with
CONN_HEALTH_CHECKS, the next request after it returns opens a fresh connection.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("safeguard.availability")

RETRY_AFTER_SECONDS = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error: BaseException | None) -> bool:
    # SQLite's "database is locked" is an OperationalError too: also temporary, so also worth a retry.
    return isinstance(error, UNAVAILABLE_ERRORS)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = HttpResponse(
            '{"detail": "Service temporarily unavailable. Nothing was stored; please retry."}',
            status=503,
            content_type="application/json",
        )
    else:
        try:
            body = render_to_string("core/unavailable.html", request=request)
        except Exception:  # the page must render even when a context processor needs the database
            body = "<h1>Sorry, the service is unavailable</h1><p>Nothing was stored. Please try again shortly.</p>"
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into 503 + Retry-After (see core.views.server_error for
    the same failure in a middleware, which Django hands to handler500 instead)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.warning("database unavailable: answered 503", extra={"path": request.path})
            return service_unavailable(request)
        return None
