"""Per-import memo for identifier normalisation (docs/adr/0073).

Referral files repeat identifiers far more than single reports do: the same IP addresses, platforms, e-mail
domains and display names recur across thousands of lines, and normalising them (IP parsing, e-mail rules,
confusable folding) is the largest share of preparing a chunk.
`subjects.normalise.normalise` and `normalise_platform` are pure functions of their arguments, so while a chunk
is prepared the extraction module's references to them point at a memo that answers repeats from a dict; its
answers (frozen `Normalised` values, strings) are the very ones the normalisers return, so nothing the import
stores changes.

The memo lives for one import in one process (a worker process keeps its own) and is bounded: when full it is
emptied, so memory stays flat however many distinct identifiers a file holds.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from safeguard.subjects import extraction

_ORIGINAL = extraction.normalise
_ORIGINAL_PLATFORM = extraction.normalise_platform
MEMO_LIMIT = 200_000


class NormaliseMemo:
    def __init__(self, import_pk: int | None = None, limit: int = MEMO_LIMIT):
        self.import_pk = import_pk
        self.limit = limit
        self.values: dict = {}
        self.platforms: dict[str, str] = {}

    def __call__(self, kind, raw):
        key = (kind, raw)
        hit = self.values.get(key)
        if hit is None:
            hit = _ORIGINAL(kind, raw)
            if len(self.values) >= self.limit:
                self.values.clear()
            self.values[key] = hit
        return hit

    def platform(self, text: str) -> str:
        hit = self.platforms.get(text)
        if hit is None:
            hit = _ORIGINAL_PLATFORM(text)
            if len(self.platforms) >= self.limit:
                self.platforms.clear()
            self.platforms[text] = hit
        return hit


_current = NormaliseMemo()


def memo_for(import_pk: int) -> NormaliseMemo:
    """This process's memo for the import (a new import starts an empty one)."""
    global _current
    if _current.import_pk != import_pk:
        _current = NormaliseMemo(import_pk)
    return _current


@contextmanager
def memoised_normalisation(memo: NormaliseMemo) -> Iterator[None]:
    # Pure function, same results: another thread extracting meanwhile gets the same answers, only faster.
    extraction.normalise, extraction.normalise_platform = memo, memo.platform
    try:
        yield
    finally:
        extraction.normalise, extraction.normalise_platform = _ORIGINAL, _ORIGINAL_PLATFORM
