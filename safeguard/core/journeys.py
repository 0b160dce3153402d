"""Public journeys that keep a person's answers in the session, registered by the apps that own them.

The session-expired page (core.errors.csrf_failure) uses this to say whether earlier answers are still
there and to offer the way back. Core never imports the apps above it: an app registers its journey from
its AppConfig.ready(), naming its session key and the URL name of its start page, e.g.

    register_session_journey(path_prefix="/report/", draft_key="report_draft", start_url_name="reporting:start")
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionJourney:
    path_prefix: str  # the journey's pages, e.g. "/report/"
    draft_key: str  # the session key its answers are kept under
    start_url_name: str  # where to start again once the answers have gone


_JOURNEYS: dict[str, SessionJourney] = {}


def register_session_journey(*, path_prefix: str, draft_key: str, start_url_name: str) -> None:
    """Idempotent: ready() may run more than once in tests."""
    _JOURNEYS[path_prefix] = SessionJourney(path_prefix, draft_key, start_url_name)


def journey_for(path: str) -> SessionJourney | None:
    """The registered journey whose pages include this path (the longest matching prefix), if any."""
    matches = [j for prefix, j in _JOURNEYS.items() if path.startswith(prefix)]
    return max(matches, key=lambda j: len(j.path_prefix), default=None)


def has_answers(session, journey: SessionJourney) -> bool:
    """Whether the session still holds this journey's draft (a non-empty value under its key)."""
    return bool(session.get(journey.draft_key)) if session is not None else False
