"""Matching an evidence video's vPDQ against listed videos and young people's self-reported videos (ADR 0108).

Both sets are held in memory as one `video.VideoIndex` each, rebuilt when they change: the known list's
key is the set of active list versions (as for PDQ, matching.py), the self-reported list's the feed's
latest sequence (every add, withdrawal, hold and release takes a new one), so held and withdrawn videos
stop matching at once, in every process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from .hashlists import active_hashes
from .matching import Match, _active_versions
from .models import HashType, SharedHashKind
from .self_reported import _in_feed, latest_sequence
from .video import Frame, Thresholds, VideoIndex, frames_from_dicts, thresholds


class CachedVideoIndex:
    """A VideoIndex over (id, frames) rows, rebuilt only when `key()` (or the thresholds) change. Thread-safe."""

    def __init__(self, *, key: Callable[[], Hashable], rows: Callable[[], Iterable[tuple[int, list]]]) -> None:
        self._key_of, self._rows_of = key, rows
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._index: VideoIndex | None = None
        self._ids: list[int] = []

    def get(self, limits: Thresholds) -> tuple[VideoIndex | None, list[int]]:
        key = (self._key_of(), limits)
        with self._lock:
            if key != self._key:
                rows = [(pk, frames) for pk, frames in self._rows_of() if frames]
                self._ids = [pk for pk, _ in rows]
                self._index = VideoIndex([frames_from_dicts(f) for _, f in rows], limits=limits) if rows else None
                self._key = key
            return self._index, self._ids

    def clear(self) -> None:
        with self._lock:
            self._key, self._index, self._ids = None, None, []


known_video_cache = CachedVideoIndex(
    key=_active_versions,
    rows=lambda: active_hashes().filter(hash_type=HashType.VPDQ).values_list("pk", "vpdq").iterator(),
)
self_reported_video_cache = CachedVideoIndex(
    key=latest_sequence,
    rows=lambda: _in_feed().filter(kind=SharedHashKind.VIDEO).values_list("pk", "vpdq").iterator(),
)


def known_video_matches(frames: list[Frame]) -> list[Match]:
    """Listed vPDQ videos this video matches (vPDQ's thresholds from settings, video.thresholds)."""
    limits = thresholds()
    index, ids = known_video_cache.get(limits)
    if index is None:
        return []
    return [
        Match(ids[m.target], HashType.VPDQ, m.distance, m.query_percent, m.compared_percent)
        for m in index.search(frames)
    ]


@dataclass(frozen=True)
class SelfReportedVideoMatch:
    shared_hash_id: int
    distance: int
    query_percent: float
    compared_percent: float


def self_reported_video_matches(frames: list[Frame]) -> list[SelfReportedVideoMatch]:
    """Self-reported videos in the feed (not held, not withdrawn) that this video matches."""
    index, ids = self_reported_video_cache.get(thresholds())
    if index is None:
        return []
    return [
        SelfReportedVideoMatch(ids[m.target], m.distance, m.query_percent, m.compared_percent)
        for m in index.search(frames)
    ]


def clear_caches() -> None:
    known_video_cache.clear()
    self_reported_video_cache.clear()
