"""Coming back to a report: who may see it, for how long, and its status in plain words.

Signing in with a reference and secret authorises the session for THAT report only. Signing in to
another report replaces the authorisation; nothing in the session ever opens two reports.
"""

from datetime import timedelta

from django.contrib.sessions.backends.base import SessionBase
from django.utils import timezone

from safeguard.core.session_grants import unexpired_grant

from . import services
from .models import Report, ReporterRole, Status

SESSION_KEY = "follow_up"
# Long enough to read the status and add something; short enough for a shared device.
AUTHORISATION_LIFETIME = timedelta(minutes=30)

# Same words whichever part was wrong, so a guess reveals nothing about which references exist.
WRONG_DETAILS_MESSAGE = "The reference or secret code is not right. Check them and try again"

# Honest words (issue 20): automatic scoring is not a person reading. Until someone on the team has opened the
# report (`Report.first_opened_at`), a received or triaged report is "received", never "read".
NOT_YET_READ = "not_yet_read"
READ = "read"
STATUS_WORDS: dict[str, dict[str, str]] = {
    NOT_YET_READ: {
        "default": "We have received your report. Nobody on our team has read it yet: "
        "we check every report and the most urgent first.",
        ReporterRole.YOUNG_PERSON: "We have got your report. Nobody on our team has read it yet. "
        "We read every report, and we look at the most worrying ones first.",
    },
    READ: {
        "default": "Someone on our team has read your report. It is waiting for the next person to work on it.",
        ReporterRole.YOUNG_PERSON: "Someone on our team has read your report. "
        "The next person to work on it will pick it up soon.",
    },
    Status.IN_REVIEW: {"default": "Someone on our team is looking at your report now."},
    Status.ACTIONED: {
        "default": "We have taken action on your report. This might mean we passed it to the police "
        "or asked a website to remove something.",
        ReporterRole.YOUNG_PERSON: "We have done something about your report. We might have told the police, "
        "or asked a website to take something down.",
    },
    Status.CLOSED: {"default": "We have finished working on your report. Thank you for telling us."},
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
    grant = unexpired_grant(session, SESSION_KEY)
    if grant is None:
        return None
    # Both the id and the reference must still match the same report.
    # A grant without an id matches nothing (pk=None); django-stubs refuses None for pk.
    return Report.objects.filter(pk=grant.get("report_id"), reference=grant.get("reference")).first()  # type: ignore[misc]


def sign_out(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def _status_key(report: Report) -> str:
    if report.status in (Status.RECEIVED, Status.TRIAGED):
        return READ if report.first_opened_at is not None else NOT_YET_READ
    return report.status if report.status in STATUS_WORDS else NOT_YET_READ


def status_in_words(report: Report) -> str:
    """Where the report is, in words the reporter can trust: "read" only once a person has opened it."""
    words = STATUS_WORDS[_status_key(report)]
    return words.get(report.reporter_role, words["default"])
