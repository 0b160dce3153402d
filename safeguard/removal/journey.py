"""What the Remove it pages keep in the session: a sign-in grant for ONE request, and what a page shows once.

Signing in with a reference and secret authorises the session for that request only, for a short while (as a
report's follow-up does). The plain secret is kept only to show it on the "sent" page, in the server-side session,
for SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES; Exit this page flushes the session and with it all of this.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from safeguard.core.session_grants import unexpired_grant

from .models import RemovalRequest

SESSION_KEY = "remove_it"
SENT_KEY = "remove_it_sent"
THREAT_SENT_KEY = "remove_it_threat_sent"
AUTHORISATION_LIFETIME = timedelta(minutes=30)


def _until() -> float:
    return (timezone.now() + timedelta(minutes=settings.SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES)).timestamp()


def sign_in(session: SessionBase, removal: RemovalRequest) -> None:
    session.cycle_key()  # a fresh session id once it grants access to something
    session[SESSION_KEY] = {
        "request_id": removal.pk,
        "reference": removal.reference,
        "expires": (timezone.now() + AUTHORISATION_LIFETIME).isoformat(),
    }


def signed_in_request(session: SessionBase) -> RemovalRequest | None:
    grant = unexpired_grant(session, SESSION_KEY)
    if grant is None:
        return None
    return RemovalRequest.objects.filter(pk=grant.get("request_id"), reference=grant.get("reference")).first()


def sign_out(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def remember_sent(session: SessionBase, *, reference: str, secret: str, count: int, threatened: bool) -> None:
    session[SENT_KEY] = {
        "reference": reference,
        "secret": secret,
        "count": count,
        "threatened": threatened,
        "until": _until(),
    }


def take_shown(session: SessionBase, key: str) -> dict | None:
    """What a "sent" page shows; after its window the secret is forgotten for good (the reference stays)."""
    shown = session.get(key)
    if not isinstance(shown, dict):
        return None
    if shown.get("secret") and timezone.now().timestamp() >= float(shown.get("until") or 0):
        shown = {**shown, "secret": ""}
        session[key] = shown
    return dict(shown)


def remember_threat_report(session: SessionBase, *, reference: str, secret: str) -> None:
    session[THREAT_SENT_KEY] = {"reference": reference, "secret": secret, "until": _until()}


def secret_shown_minutes() -> int:
    return settings.SAFEGUARD_FOLLOW_UP_SECRET_SHOWN_MINUTES
