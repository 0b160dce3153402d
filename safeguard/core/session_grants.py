"""A time-limited grant kept in the session (a follow-up sign-in by reference and secret): read it, or forget it
once it has expired or is malformed."""

from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone


def unexpired_grant(session: SessionBase, key: str) -> dict | None:
    """The grant under `key` if it is a dict whose ISO `expires` is still ahead; an expired one is removed."""
    grant = session.get(key)
    if not isinstance(grant, dict):
        return None
    try:
        expired = datetime.fromisoformat(grant["expires"]) < timezone.now()
    except (KeyError, TypeError, ValueError):
        expired = True
    if expired:
        session.pop(key, None)
        return None
    return grant
