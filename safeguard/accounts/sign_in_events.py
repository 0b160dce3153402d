"""Sign-in events in the audit chain, each with the client's address and user agent (ADR 0103).

The one place that writes them. Callers: the axes handler (`sign_in_throttle`) for refused passwords, lockouts
and address throttles; the sign-in views for an accepted password and for sign-out; `services` for one-time
codes, the two-factor lock, enrolment and sign-in resets; `lockouts.unlock` for unlocks.

Services have no request, so `SignInClientMiddleware` keeps the current one in a context variable and
`client_detail()` reads the address and user agent from it.

Attempts refused without their password or code being checked (the account or address is locked) are not
written one by one: axes keeps counting them (the locked accounts page shows the count), and the entry for the
lockout itself is in the chain. An attacker hammering a locked form must not be able to flood the chain, whose
head every audited write in the service waits for (ADR 0014).
"""

import ipaddress
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest

from safeguard.audit.models import Action, AuditEntry
from safeguard.audit.services import Actor, record

# The events, as stored in an entry's detail ("event"). The audit log page shows them in words
# ("sign in password refused"), as it does every detail value made of lowercase words and underscores.
PASSWORD_ACCEPTED = "sign_in_password_accepted"  # noqa: S105 (an event name)
PASSWORD_REFUSED = "sign_in_password_refused"  # noqa: S105 (an event name)
LOCKED_OUT = "sign_in_locked_out"  # five wrong passwords for one username from one address
ADDRESS_THROTTLED = "sign_in_address_throttled"  # too many wrong passwords from one address, any usernames
UNLOCKED = "sign_in_unlocked"
CODE_ACCEPTED = "one_time_code_accepted"
CODE_REFUSED = "one_time_code_refused"
TWO_FACTOR_LOCKED = "two_factor_locked"
TWO_FACTOR_ENROLLED = "two_factor_enrolled"
SIGN_IN_RESET = "sign_in_reset"
SIGNED_OUT = "signed_out"

USER_AGENT_LENGTH = 200
# An attempted username is kept short: people sometimes type their password into the username box.
ATTEMPTED_USERNAME_LENGTH = 64
# The object of an event about a username that has no account (password spraying shows up here).
UNKNOWN_USER = ("accounts.user", "unknown")
# Who refused passwords and lockouts are by: the person typing has not proved who they are.
UNVERIFIED = Actor(label="unverified sign-in attempt")
THROTTLE = Actor.system("sign-in throttle")

logger = logging.getLogger(__name__)

_current_request: ContextVar[HttpRequest | None] = ContextVar("sign_in_request", default=None)


class SignInClientMiddleware:
    """Keep the request in a context variable for the request's length, for `client_detail()`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with current_request(request):
            return self.get_response(request)


@contextmanager
def current_request(request: HttpRequest | None) -> Iterator[None]:
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def client_address(request: HttpRequest | None) -> str:
    """The client's address, read as the public rate limits read it (django-ratelimit's RATELIMIT_IP_META_KEY).

    REMOTE_ADDR, unless SAFEGUARD_TRUST_X_FORWARDED_FOR is set for a proxy we run, which sets X-Forwarded-For
    (deploy/nginx.conf.template replaces any the client sent). Of a list, the right-most entry: the one our proxy
    saw. "" when there is no valid address.
    """
    if request is None:
        return ""
    key = getattr(settings, "RATELIMIT_IP_META_KEY", None) or "REMOTE_ADDR"
    raw = str(request.META.get(key, "")) if isinstance(key, str) else ""
    candidate = raw.rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return ""


def user_agent(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH]


def client_detail(request: HttpRequest | None = None) -> dict[str, str]:
    """{"address": ..., "user_agent": ...} of this request, or of the current one; empty strings outside one."""
    request = request if request is not None else _current_request.get()
    return {"address": client_address(request), "user_agent": user_agent(request)}


def attempted_username(username) -> str:
    return str(username or "")[:ATTEMPTED_USERNAME_LENGTH]


def record_event(
    event: str,
    *,
    obj,
    actor: Actor,
    request: HttpRequest | None = None,
    action: Action = Action.COLLECTION,
    **detail,
) -> AuditEntry:
    """Append one sign-in event with the client's address and user agent (the request's, or the current one)."""
    return record(action=action, actor=actor, obj=obj, detail={"event": event, **client_detail(request), **detail})


def _account(username: str):
    """The account a typed username names (exactly, as Django's ModelBackend looks it up), or None."""
    from .models import User

    return User.objects.filter(username=username).first() if username else None


# --- the events --------------------------------------------------------------------------------------------


def password_accepted(request: HttpRequest, user) -> None:
    record_event(PASSWORD_ACCEPTED, request=request, obj=user, actor=Actor.of(user), username=user.username)


def password_refused(
    request: HttpRequest, *, username, locked_out: bool, address_throttled: bool, failures: int, address_failures: int
) -> None:
    """A password that was checked and was wrong, for a known username or not; and the lock it caused, if any."""
    typed = attempted_username(username)
    user = _account(typed)
    obj = user if user is not None else UNKNOWN_USER
    address = client_address(request)
    known = "a known" if user else "an unknown"
    logger.info("Sign-in password refused for %s username %r from %s", known, typed, address)
    record_event(
        PASSWORD_REFUSED,
        request=request,
        obj=obj,
        actor=UNVERIFIED,
        username=typed,
        known_username=user is not None,
        failures_from_this_address=failures,
    )
    if locked_out:
        logger.warning("Sign-in locked for username %r at %s after %d wrong passwords", typed, address, failures)
        record_event(
            LOCKED_OUT,
            request=request,
            obj=obj,
            actor=THROTTLE,
            action=Action.ALTERATION,
            username=typed,
            failures_from_this_address=failures,
            locked_minutes=_cooloff_minutes(),
        )
    if address_throttled:
        logger.warning("Sign-in throttled for address %s after %d wrong passwords", address, address_failures)
        record_event(
            ADDRESS_THROTTLED,
            request=request,
            obj=("axes.accessattempt", address or "unknown"),
            actor=THROTTLE,
            action=Action.ALTERATION,
            failures_from_this_address=address_failures,
            locked_minutes=_cooloff_minutes(),
        )


def code_accepted(user, *, enrolling: bool) -> None:
    record_event(CODE_ACCEPTED, obj=user, actor=Actor.of(user), enrolling=enrolling)


def code_refused(user, *, enrolling: bool, wrong_codes_in_a_row: int) -> None:
    record_event(
        CODE_REFUSED, obj=user, actor=Actor.of(user), enrolling=enrolling, wrong_codes_in_a_row=wrong_codes_in_a_row
    )


def signed_out(request: HttpRequest) -> None:
    user = request.user
    if user.is_authenticated:
        record_event(SIGNED_OUT, request=request, obj=user, actor=Actor.of(user))


def _cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
