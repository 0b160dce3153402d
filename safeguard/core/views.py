import hmac
import ipaddress
import logging
import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import server_error as django_server_error

from .db_unavailable import is_outage, service_unavailable
from .errors import API_PREFIX, error_template
from .readiness import run_checks

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
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database, cache, task queue and evidence storage all answer; 503 naming those that do not.

    A missing task worker is named too ("degraded", still 200) unless SAFEGUARD_READYZ_REQUIRES_TASK_WORKER makes
    it required (core/readiness.py)."""
    checks = run_checks()
    ready = all(check.ok for check in checks if check.required)
    status = "unavailable" if not ready else "ready" if all(check.ok for check in checks) else "degraded"
    body = {"status": status, "checks": {c.name: c.detail for c in checks}}
    response = JsonResponse(body, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = "10"
    return response


def _metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token when SAFEGUARD_METRICS_TOKEN is set; otherwise only from the machine itself."""
    token = settings.SAFEGUARD_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format. Not public: see _metrics_allowed and docs/production.md."""
    from prometheus_client import CONTENT_TYPE_LATEST

    from .metrics import render_metrics

    if not _metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage met in a middleware (sessions, sign-in) is a 503 too, not a 500.

    Otherwise the GOV.UK "Sorry, there is a problem" page, rendered as Django renders 500.html: with an
    empty context, so that it cannot fail on a context processor or the database (core/errors.py).
    """
    error = sys.exc_info()[1]
    if is_outage(error):
        return service_unavailable(request, error)
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Server error"}, status=500)
    return django_server_error(request, template_name=error_template(request.path, "500.html"))


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


@cache_control(public=True, max_age=300)
def home(request: HttpRequest) -> HttpResponse:
    # The same for everyone, no form and no session: a shared cache (nginx, deploy/) may keep it (ADR 0094).
    return render(request, "core/home.html")


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Shown when a client has sent too many requests. Kind wording: it may be a child."""
    response = render(request, "core/rate_limited.html", status=429)
    response["Retry-After"] = "3600"
    return response
