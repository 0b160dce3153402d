"""Password sign-in throttling (ADR 0103): django-axes, keyed so that an attacker elsewhere cannot lock anyone out.

- Username + address: AXES_FAILURE_LIMIT (5) wrong passwords for one username from one address lock that
  username *at that address* for AXES_COOLOFF_TIME (30 minutes). The person still signs in from anywhere else.
- Address: SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT (20) wrong passwords from one address, whatever the
  usernames, refuse every sign-in from that address for the cool-off (password spraying).

Unknown usernames count exactly like known ones (the same answer, the same work: Django's ModelBackend hashes a
password for an unknown username too), so neither limit tells anyone which usernames exist. Both counts are
axes's `AccessAttempt` rows: a failure counts until AXES_COOLOFF_TIME passes without another one on its row, and
a correct password clears its username's rows at that address (AXES_RESET_ON_SUCCESS).
"""

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from . import sign_in_events


def throttle_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address (sign_in_events.client_address), IPv6 as its /64.

    One IPv6 connection usually holds a whole /64, so counting single IPv6 addresses would let one attacker
    rotate through billions of them (the public rate limits mask IPv6 the same way: RATELIMIT_IPV6_MASK).
    """
    address = sign_in_events.client_address(request)
    if not address:
        return None
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
        return str(ipaddress.ip_network(f"{ip}/{mask}", strict=False).network_address)
    return address


def address_failure_limit() -> int:
    return settings.SAFEGUARD_SIGN_IN_ADDRESS_FAILURE_LIMIT


def address_failures(request: HttpRequest) -> int:
    """Wrong passwords from the request's address still within the cool-off, across all usernames."""
    total = (
        AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )
    return int(total)


class SignInThrottleHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes's database handler, plus the per-address limit and the audit entries."""

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        allowed = super().is_allowed(request, credentials)
        # Read back in user_login_failed: a refused attempt whose password was never checked.
        request.sign_in_refused_unchecked = not allowed
        return allowed

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_failures(request) >= address_failure_limit()

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None:
            return
        from_address = address_failures(request)
        throttled = from_address >= address_failure_limit()
        if throttled and not request.axes_locked_out:
            # Answered like a username lockout (axes's middleware turns the flag into the 429 page).
            request.axes_locked_out = True
            request.axes_credentials = credentials
        if getattr(request, "sign_in_refused_unchecked", False):
            return  # counted by axes above; not written one by one (sign_in_events' docstring)
        # The password was checked, so neither lock held before this attempt: any lock now is new.
        failures = request.axes_failures_since_start or 0  # this username from this address
        sign_in_events.password_refused(
            request,
            username=get_client_username(request, credentials),
            locked_out=failures >= get_failure_limit(request, credentials),
            address_throttled=throttled,
            failures=failures,
            address_failures=from_address,
        )
