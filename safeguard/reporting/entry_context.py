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
