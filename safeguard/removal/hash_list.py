"""The self-reported hash list, as this journey uses it: evidence's `self_reported` module (issue 22, part B).

Everything the journey asks of the list goes through these three functions, so the tests can stand a fake in for
the list (tests/conftest.py `fake_list`) and the list's own errors arrive here as one kind, `ListRefused`.
"""

from dataclasses import dataclass

from safeguard.evidence import self_reported


@dataclass
class ListRefused(Exception):
    """The list refused the codes (all of them: it takes a call's items all or nothing)."""

    code: str
    message: str
    index: int | None = None

    def __str__(self) -> str:
        return self.message


def add_hashes(*, request_ref: str, items: list[dict]) -> int:
    """Add the codes under the request; how many were stored. Raises ListRefused, with nothing stored."""
    try:
        stored = self_reported.add_hashes(request_ref=request_ref, items=items)
    except self_reported.SelfReportedHashError as refused:
        raise ListRefused(code=refused.code, message=str(refused), index=getattr(refused, "index", None)) from refused
    return len(stored)


def withdraw(*, request_ref: str) -> int:
    """Take every code of the request off the list (partners' feeds then send removals); how many."""
    return self_reported.withdraw(request_ref=request_ref)


def status_for(*, request_ref: str) -> dict:
    """`shared`, `withdrawn`, `platforms_matched`, `removed_by_platforms`, `last_removed_at`."""
    return self_reported.status_for(request_ref=request_ref)
