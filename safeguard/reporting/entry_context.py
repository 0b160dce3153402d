"""Context a report may arrive with from outside the journey: a partner's signed Report Abuse button
(`/report/?ctx=<token>`, ADR 0013). Reporting does not know how such a token is checked; the app that issues
them (partners, above reporting) registers the two functions in its AppConfig.ready(). With none registered,
a `ctx` parameter is ignored."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class EntryContext:
    verify: Callable[[str], tuple[dict | None, str | None]]  # token -> (context or None, notice for the page)
    prefill: Callable[[dict | None, str], dict]  # (context, step slug) -> suggested answers for the step


_registered: list[EntryContext] = []


def register(entry_context: EntryContext) -> None:
    _registered[:] = [entry_context]


def verify(token: str) -> tuple[dict | None, str | None]:
    return _registered[0].verify(token) if _registered else (None, None)


def prefill(context: dict | None, slug: str) -> dict:
    return _registered[0].prefill(context, slug) if _registered and context else {}


# --- concerns: what the way in already tells us about a report ---------------------------------------------------
# A route into reporting that knows something the form's questions would not ask puts it in
# `details["entry_concerns"]` (a list of these values); triage's features read them (triage/features.py).

CONCERNS_KEY = "entry_concerns"
# From Remove it (/remove-it/someone-is-threatening-me/): someone is threatening to share a young person's own
# nude or sexual pictures (sextortion). Feeds the "threats" factor, as the form's "Threatened to share" does.
THREAT_TO_SHARE_OWN_IMAGES = "threat_to_share_own_images"
CONCERN_LABELS = {
    THREAT_TO_SHARE_OWN_IMAGES: "Someone is threatening to share the young person's own pictures (from Remove it)",
}


def concerns(details: dict | None) -> frozenset[str]:
    """The known concerns a report arrived with; unknown or malformed values are left out."""
    found = details.get(CONCERNS_KEY) if isinstance(details, dict) else None
    if not isinstance(found, list):
        return frozenset()
    return frozenset(value for value in found if isinstance(value, str) and value in CONCERN_LABELS)
