"""Error pages in the GOV.UK layout: 400, 403, 404 (handler400/403/404 in safeguard/urls.py), the 500 and 503
pages (core.views.server_error) and the CSRF failure page, which is what an expired session looks like.

Pages outside /staff/ are public: Exit this page, a way back and where to get help now. Pages under /staff/
use the staff layout; the staff 403 says in plain words what the role lacks and what it can use instead.
The API answers JSON, as django-ninja does for its own errors.
"""

import json
import re
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from safeguard.accounts.areas import areas_for, capability_words, role_label
from safeguard.accounts.roles import Capability, CapabilityDenied, staff_home_url_name

from .journeys import has_answers, journey_for

STAFF_PREFIX = "/staff/"
API_PREFIX = "/api/"

# The message check_capability used before CapabilityDenied, still raised as-is in a few places.
_LEGACY_CAPABILITY_MESSAGE = re.compile(r"^Your role does not allow this \((\w+)\)\.?$")


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PREFIX)


def _api_error(status: int, detail: str) -> HttpResponse:
    return HttpResponse(json.dumps({"detail": detail}), status=status, content_type="application/json")


def error_template(path: str, name: str) -> str:
    """`errors/404.html` for the public, `errors/staff_404.html` under /staff/."""
    return f"errors/staff_{name}" if is_staff_path(path) else f"errors/{name}"


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "Bad request")
    return render(request, error_template(request.path, "400.html"), status=400)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "Not found")
    return render(request, error_template(request.path, "404.html"), status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "Forbidden")
    if not is_staff_path(request.path):
        return render(request, "errors/403.html", status=403)
    return render(request, "errors/staff_403.html", staff_denied_context(request.user, exception), status=403)


def staff_denied_context(user, exception: Exception | None) -> dict:
    """What the staff 403 page says: the role, what it lacks (in words, never a capability's name), and the
    areas it can use instead (accounts.areas, the list the navigation shows)."""

    capability = getattr(exception, "capability", None) if isinstance(exception, CapabilityDenied) else None
    message = str(exception or "").strip()
    if capability is None and (legacy := _LEGACY_CAPABILITY_MESSAGE.match(message)):
        capability = legacy.group(1) if legacy.group(1) in Capability._value2member_map_ else None
    return {
        "role_label": role_label(user),
        "denied_words": capability_words(capability) if capability else "",
        # Other refusals are written for people ("This package was not sent to your force.").
        "reason": "" if capability or _LEGACY_CAPABILITY_MESSAGE.match(message) else message,
        "areas": [{"label": area.label, "url": reverse(area.url_name)} for area in areas_for(user)],
    }


def _same_site_path(request: HttpRequest, url: str) -> str:
    """The path (and query) of `url` if it is one of our own pages, else ""."""
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page left open too long, or after the cookies went.

    On a registered public journey (core.journeys) whose answers are still in the session, the page links
    back to the same page by GET, so nothing already answered is lost; otherwise it says kindly that the
    answers were cleared and offers to start again. Under /staff/ it asks the person to sign in again.
    """
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "CSRF check failed")
    if is_staff_path(request.path):
        return render(request, "errors/staff_session_expired.html", _staff_expired_context(request), status=403)
    journey = journey_for(request.path)
    answers_kept = journey is not None and has_answers(getattr(request, "session", None), journey)
    start_url = ""
    if journey is not None:
        try:
            start_url = reverse(journey.start_url_name)
        except NoReverseMatch:
            start_url = ""
    context = {"answers_kept": answers_kept, "resume_url": request.get_full_path(), "start_url": start_url}
    return render(request, "errors/session_expired.html", context, status=403)


def _staff_expired_context(request: HttpRequest) -> dict:

    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated and getattr(user, "is_verified", lambda: False)())
    # The page the form was on (browsers send a same-origin Referer: SECURE_REFERRER_POLICY is same-origin).
    came_from = _same_site_path(request, request.headers.get("Referer", ""))
    came_from = came_from if is_staff_path(came_from) else ""
    sign_in_url = reverse("accounts:login")
    if came_from and came_from != sign_in_url:
        sign_in_url = f"{sign_in_url}?{urlencode({'next': came_from})}"
    return {
        "signed_in": signed_in,
        "back_url": came_from or (reverse(staff_home_url_name(user)) if signed_in else sign_in_url),
        "back_is_page": bool(came_from),
        "sign_in_url": sign_in_url,
    }
