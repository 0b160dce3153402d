"""Two-factor sign-in is mandatory for everything under /staff/, enforced here in one place.

A view cannot forget it: any URL under /staff/ that is not one of the sign-in pages below needs a
session that has passed both the password and the one-time code. Tested by walking every staff URL.
"""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

STAFF_PREFIX = "/staff/"

# The only staff pages reachable before the second factor. Each checks its own state.
TWO_FACTOR_PAGES = frozenset(
    {
        "accounts:login",
        "accounts:verify",
        "accounts:enrol",
        "accounts:sign_out",
    }
)


def needs_two_factor_redirect(user) -> str | None:
    """The sign-in step this user must finish first, or None if they are fully signed in."""
    from django_otp import user_has_device

    if not user.is_authenticated:
        return "accounts:login"
    is_verified = getattr(user, "is_verified", None)  # installed by django_otp's OTPMiddleware
    if is_verified is not None and is_verified():
        return None
    if user_has_device(user, confirmed=True):
        return "accounts:verify"
    return "accounts:enrol"


class StaffTwoFactorMiddleware:
    """Send any session that has not passed both factors to the step it still needs.

    Must come after django_otp's OTPMiddleware, which provides `request.user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path.startswith(STAFF_PREFIX):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_PAGES:
            return None
        step = needs_two_factor_redirect(request.user)
        if step is None:
            return _forced_password_change(request, match)
        url = reverse(step)
        if request.method == "GET":
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        elif step == "accounts:login":
            # A form sent after the session ended: sign-in says so, then returns to the page the form was on.
            query = {"expired": "1"}
            came_from = _staff_referer_path(request)
            if came_from:
                query["next"] = came_from
            url = f"{url}?{urlencode(query)}"
        return HttpResponseRedirect(url)


# Where a fully signed-in person who still holds a one-time password must go first (accounts/passwords.py).
FORCED_CHANGE_PAGE = "accounts:change_password"


def _forced_password_change(request, match):
    """Send someone still on a one-time password to choose their own, before any other staff page."""
    from .passwords import must_choose_password

    if not must_choose_password(request.user) or (match is not None and match.view_name == FORCED_CHANGE_PAGE):
        return None
    url = reverse(FORCED_CHANGE_PAGE)
    if request.method == "GET":
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    return HttpResponseRedirect(url)


def _staff_referer_path(request) -> str:
    """The staff page a form was sent from (same-origin Referer), or ""."""
    from urllib.parse import urlsplit

    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return ""
    parts = urlsplit(referer)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if path.startswith(STAFF_PREFIX) else ""
