"""Matching evidence against every active hash list: exact on MD5/SHA-1/SHA-256, near on PDQ.

The PDQ index is built in memory from the active lists and rebuilt when they change (a new version,
a removal); the cache key is the set of active versions, so every process notices on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from .hashlists import active_hashes
from .models import HashListVersion, HashType, KnownHash, VersionStatus
from .pdq_index import DEFAULT_THRESHOLD, CachedPdqIndex, hex_to_codes

DEFAULT_MIN_QUALITY = 50


def pdq_threshold() -> int:
    return int(getattr(settings, "SAFEGUARD_PDQ_MATCH_THRESHOLD", DEFAULT_THRESHOLD))


def pdq_min_quality() -> int:
    return int(getattr(settings, "SAFEGUARD_PDQ_MIN_QUALITY", DEFAULT_MIN_QUALITY))


@dataclass(frozen=True)
class Match:
    known_hash_id: int
    hash_type: str
    distance: int
    query_percent: float | None = None  # vPDQ only (video_matching.py)
    compared_percent: float | None = None


def exact_matches(hashes: dict[str, str]) -> list[Match]:
    query = Q()
    for kind in (HashType.MD5, HashType.SHA1, HashType.SHA256):
        if hashes.get(kind):
            query |= Q(hash_type=kind, value=hashes[kind].lower())
    if not query:
        return []
    return [Match(pk, kind, 0) for pk, kind in active_hashes().filter(query).values_list("pk", "hash_type")]


def _active_versions() -> tuple:
    return tuple(
        HashListVersion.objects.filter(status=VersionStatus.ACTIVE, hash_list__active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


pdq_cache = CachedPdqIndex(
    key=_active_versions,
    rows=lambda: active_hashes().filter(hash_type=HashType.PDQ).values_list("pk", "value").iterator(),
)


def pdq_matches(pdq_hex: str, *, quality: int) -> list[Match]:
    """Listed PDQ hashes within the threshold. Low-quality hashes match too much to be trusted: none."""
    if not pdq_hex or quality < pdq_min_quality():
        return []
    index, ids = pdq_cache.get(pdq_threshold())
    if index is None:
        return []
    (hits,) = index.search(hex_to_codes([pdq_hex]))
    return [Match(int(ids[row]), HashType.PDQ, distance) for row, distance in hits]


def known_hashes_for(matches: list[Match]) -> dict[int, KnownHash]:
    return KnownHash.objects.select_related("version__hash_list").in_bulk([m.known_hash_id for m in matches])
