"""The recipient suggestion for each line, through the routing app's bulk suggester (docs/adr/0072).

`routing.services.RecipientSuggester` (owned by the routing app) preloads its lookups once; this wrapper
adds a per-import memo (the same postcode, IP and country give the same answer) and a null suggester
when the routing app cannot suggest at all, so an import never fails for want of a suggestion.
"""

from dataclasses import dataclass
from typing import Protocol

from safeguard.routing.services import RecipientSuggester


@dataclass(frozen=True)
class NoSuggestion:
    recipient: object = None
    basis: str = "no suggestion (routing unavailable)"
    approximate: bool = True


class Suggester(Protocol):
    def suggest(self, *, postcode: str | None = None, ip: str | None = None, country: str | None = None): ...


class MemoSuggester:
    def __init__(self, inner: Suggester, limit: int = 200_000):
        self.inner = inner
        self.memo: dict = {}
        self.limit = limit

    def suggest(self, *, postcode=None, ip=None, country=None):
        key = (postcode, ip, country)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.inner.suggest(postcode=postcode, ip=ip, country=country)
            if len(self.memo) < self.limit:
                self.memo[key] = hit
        return hit


def make_suggester() -> Suggester:
    return MemoSuggester(RecipientSuggester())
