"""Answer 503 with Retry-After while the database or evidence storage is unreachable, not a 500.

A database restart must not need Safeguard restarted: requests fail fast while it is down (psycopg's
connect fails at once on a refused port, `connect_timeout` caps a silent one) and, with
CONN_HEALTH_CHECKS, the next request after it returns opens a fresh connection.
"""

import errno
import json
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


def is_storage_outage(error: BaseException | None) -> bool:
    """Evidence storage full, read-only or unreachable (local disk, or an S3 endpoint that does not answer).

    The services that store files write the file before the row and delete it if the row fails, so when
    this reaches a view nothing of the request is stored: the answer is a retryable 503, never a 500.
    """
    if isinstance(error, OSError) and error.errno in STORAGE_ERRNOS:
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is pinned, but S3 is optional
        return False
    return isinstance(error, BotoCoreError | ClientError)


STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ENOTDIR, errno.EACCES}


def is_outage(error: BaseException | None) -> bool:
    return is_database_outage(error) or is_storage_outage(error)


def service_unavailable(request: HttpRequest, error: BaseException | None = None) -> HttpResponse:
    storage = is_storage_outage(error)
    if request.path.startswith("/api/"):
        what = "Evidence storage is unavailable" if storage else "Service temporarily unavailable"
        response = HttpResponse(
            json.dumps({"detail": f"{what}. Nothing from this request was stored; please retry.",
                        "type": "storage_unavailable" if storage else "unavailable"}),
            status=503,
            content_type="application/json",
        )  # fmt: skip
    else:
        try:
            body: str = render_to_string("core/unavailable.html", request=request)
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
        if is_outage(exception):
            what = "storage" if is_storage_outage(exception) else "database"
            # One line per request, no traceback: during an outage every request fails the same way.
            logger.warning("%s unavailable, answered 503: %r", what, exception, extra={"path": request.path})
            return service_unavailable(request, exception)
        return None
