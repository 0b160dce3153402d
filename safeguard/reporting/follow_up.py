"""Coming back to a report: who may see it, for how long, and its status in plain words.

Signing in with a reference and secret authorises the session for THAT report only. Signing in to
another report replaces the authorisation; nothing in the session ever opens two reports.
"""

from datetime import datetime, timedelta

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from . import services
from .models import Report, Status

SESSION_KEY = "follow_up"
# Long enough to read the status and add something; short enough for a shared device.
AUTHORISATION_LIFETIME = timedelta(minutes=30)

# Same words whichever part was wrong, so a guess reveals nothing about which references exist.
WRONG_DETAILS_MESSAGE = "The reference or secret code is not right. Check them and try again"

STATUS_WORDS: dict[str, str] = {
    Status.RECEIVED: "We have received your report. Someone will look at it soon.",
    Status.TRIAGED: "We have read your report and decided how urgent it is. "
    "It is waiting for the next person on our team to look at it.",
    Status.IN_REVIEW: "Someone on our team is looking at your report now.",
    Status.ACTIONED: "We have taken action on your report. This might mean we passed it to the police "
    "or asked a website to remove something.",
    Status.CLOSED: "We have finished working on your report. Thank you for telling us.",
}


def sign_in(session: SessionBase, *, reference: str, secret: str) -> Report | None:
    """Check the pair and, if right, authorise this session for that one report."""
    report = services.check_follow_up(reference=reference or "SG-NONE-0000", secret=secret)
    if report is None:
        return None
    session.cycle_key()  # a fresh session id once it grants access to something
    session[SESSION_KEY] = {
        "report_id": report.pk,
        "reference": report.reference,
        "expires": (timezone.now() + AUTHORISATION_LIFETIME).isoformat(),
    }
    return report


def authorised_report(session: SessionBase) -> Report | None:
    grant = session.get(SESSION_KEY)
    if not isinstance(grant, dict):
        return None
    try:
        expired = datetime.fromisoformat(grant["expires"]) < timezone.now()
    except (KeyError, TypeError, ValueError):
        expired = True
    if expired:
        session.pop(SESSION_KEY, None)
        return None
    # Both the id and the reference must still match the same report.
    # A grant without an id matches nothing (pk=None); django-stubs refuses None for pk.
    return Report.objects.filter(pk=grant.get("report_id"), reference=grant.get("reference")).first()  # type: ignore[misc]


def sign_out(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def status_in_words(report: Report) -> str:
    return STATUS_WORDS.get(report.status, "We have received your report.")
