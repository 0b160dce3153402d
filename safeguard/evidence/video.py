"""Video hashes with vPDQ (Meta's frame-level PDQ, issue 22, ADR 0108): hashing and matching.

Hashing: `vpdq.computeHash` takes a path only, so the decrypted bytes are written to an anonymous
memory file (`os.memfd_create`) and handed to it as `/proc/self/fd/N`. The file has no name in any
file system, lives in RAM (it is never written to disk, swap aside), and is gone once the descriptor
is closed, which `finally` does, and the kernel does even if the process dies. `ffprobe` (from the same
FFmpeg) reads the container's duration first, through the inherited descriptor, so a video over the
limit is refused before any frame is decoded; the last frame's timestamp is checked again afterwards,
since a container header can lie. vpdq's own failure is one bare `Exception`; here it becomes a
`VideoHashError` with a code: not_a_video, unreadable, too_long, too_large or unavailable.

Matching (vPDQ's algorithm, the vpdq README and python-threatexchange's brute matcher): both videos'
frames are de-duplicated (identical PDQ) and frames under the quality floor dropped; a query frame
matches when some compared frame is within the PDQ distance, and the other way round. The query
match percent is the share of the query's frames matched, the compared match percent the share of the
compared video's. A match needs both at or above their thresholds: by default 80% of the query
(the uploaded video) and 0% of the compared (the listed video), as python-threatexchange (and so
Meta's Hasher-Matcher-Actioner, which partners run) has it; see ADR 0108. All-pairs Hamming distances
are NumPy (the PDQ helpers of pdq_index); `VideoIndex` finds the close pairs against many stored
videos at once with the same multi-index hashing as PDQ lists.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from .pdq_index import MultiIndexHashIndex, _words, hex_to_codes

# Ten minutes. Evidence is hashed inline at ingest, as images are, and vpdq decodes every frame: about 600
# frames/s here (bench_video.py), so a 10-minute 25 fps video costs ~25 s. Longer ones are kept and matched on
# their exact hashes only (ADR 0108; hashing them on a task worker is the way to lift this).
DEFAULT_MAX_SECONDS = 600
DEFAULT_MAX_BYTES = 100 * 1024 * 1024  # the evidence store's own limit (services.DEFAULT_MAX_BYTES)
DEFAULT_DISTANCE = 31
DEFAULT_MIN_QUALITY = 50
DEFAULT_QUERY_MATCH_PERCENT = 80.0
DEFAULT_COMPARED_MATCH_PERCENT = 0.0
SECONDS_PER_HASH = 1.0
PROBE_TIMEOUT_S = 30
_HEX64 = re.compile(r"[0-9a-f]{64}")
# Brute force (every query frame against every stored frame) below this many pairs; the index above it.
# At 900,000 pairs (30 frames against 30,000) the scan takes ~40 ms and the index ~0.3 ms (bench_video.py).
BRUTE_FORCE_PAIRS = 50_000


class VideoHashError(Exception):
    """A video could not be hashed. `code`: not_a_video, unreadable, too_long, too_large or unavailable;
    `str()` is a plain sentence for staff."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Frame:
    pdq: str  # 64 lower-case hex characters
    quality: int  # 0-100
    timestamp: float  # seconds, 3 decimal places

    def as_dict(self) -> dict:
        return {"pdq": self.pdq, "quality": self.quality, "timestamp": self.timestamp}


def frames_from_dicts(rows: Iterable[dict]) -> list[Frame]:
    """Frames as stored ({"pdq", "quality", "timestamp"}: EvidenceFile.vpdq, KnownHash.vpdq, SharedHash.vpdq)."""
    return [Frame(str(r["pdq"]).lower(), int(r["quality"]), float(r["timestamp"])) for r in rows]


def frames_to_dicts(frames: Iterable[Frame]) -> list[dict]:
    return [f.as_dict() for f in frames]


def parse_vpdq_value(text: str) -> list[Frame]:
    """A vPDQ hash as text: the feed's lines "pdq,quality,timestamp" (self_reported.vpdq_value), or
    python-threatexchange's signal string (a JSON list of such strings). ValueError says what is wrong."""
    text = (text or "").strip()
    if not text:
        raise ValueError("vPDQ value is empty")
    if text.startswith("["):
        try:
            parts = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("vPDQ value looks like JSON but is not valid JSON") from None
        if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
            raise ValueError('vPDQ JSON must be a list of "pdq,quality,timestamp" strings')
    else:
        parts = [line for line in text.replace(";", "\n").splitlines() if line.strip()]
    frames, previous = [], -1.0
    for n, part in enumerate(parts, start=1):
        fields = [f.strip() for f in part.split(",")]
        if len(fields) != 3:
            raise ValueError(f'vPDQ frame {n} must be "pdq,quality,timestamp", not {len(fields)} fields')
        pdq, quality, timestamp = fields[0].lower(), fields[1], fields[2]
        if not _HEX64.fullmatch(pdq):
            raise ValueError(f"vPDQ frame {n}'s PDQ must be 64 hexadecimal characters")
        if not quality.isdigit() or not 0 <= int(quality) <= 100:
            raise ValueError(f"vPDQ frame {n}'s quality must be a whole number from 0 to 100")
        try:
            seconds = float(timestamp)
        except ValueError:
            raise ValueError(f"vPDQ frame {n}'s timestamp must be a number of seconds") from None
        if not math.isfinite(seconds) or seconds < 0 or seconds < previous:
            raise ValueError(f"vPDQ frame {n}'s timestamp goes backwards or is not a time")
        previous = seconds
        frames.append(Frame(pdq, int(quality), round(seconds, 3)))
    if not frames:
        raise ValueError("vPDQ value has no frames")
    return frames


def canonical_value(frames: Sequence[Frame]) -> str:
    """The feed's text form (self_reported.vpdq_value): its SHA-256 names a video hash in lists and reports."""
    return "\n".join(f"{f.pdq},{f.quality},{f.timestamp:.3f}" for f in frames)


# --- settings -----------------------------------------------------------------------------------------


def max_seconds() -> float:
    return float(getattr(settings, "SAFEGUARD_VIDEO_MAX_SECONDS", DEFAULT_MAX_SECONDS))


def max_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_VIDEO_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Thresholds:
    distance: int = DEFAULT_DISTANCE
    min_quality: int = DEFAULT_MIN_QUALITY
    query_percent: float = DEFAULT_QUERY_MATCH_PERCENT
    compared_percent: float = DEFAULT_COMPARED_MATCH_PERCENT


def thresholds() -> Thresholds:
    """From settings: SAFEGUARD_VPDQ_DISTANCE, _MIN_QUALITY, _QUERY_MATCH_PERCENT, _COMPARED_MATCH_PERCENT."""
    return Thresholds(
        distance=int(getattr(settings, "SAFEGUARD_VPDQ_DISTANCE", DEFAULT_DISTANCE)),
        min_quality=int(getattr(settings, "SAFEGUARD_VPDQ_MIN_QUALITY", DEFAULT_MIN_QUALITY)),
        query_percent=float(getattr(settings, "SAFEGUARD_VPDQ_QUERY_MATCH_PERCENT", DEFAULT_QUERY_MATCH_PERCENT)),
        compared_percent=float(
            getattr(settings, "SAFEGUARD_VPDQ_COMPARED_MATCH_PERCENT", DEFAULT_COMPARED_MATCH_PERCENT)
        ),
    )


# --- hashing ------------------------------------------------------------------------------------------


def available() -> bool:
    try:
        import vpdq  # noqa: F401
    except ImportError:
        return False
    return True


def _looks_like_video(head: bytes) -> bool:
    import filetype

    kind = filetype.guess(head[:8192])
    return kind is not None and kind.mime.startswith("video/")


def _probe_seconds(fd: int) -> float | None:
    """The container's duration (ffprobe through the inherited descriptor), None when it gives none;
    VideoHashError when ffprobe cannot read the file as media at all."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        raise VideoHashError(
            "unavailable", "Video hashing needs FFmpeg's ffprobe, which is not installed (make system-deps)."
        )
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, our own descriptor
            [
                ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
                "format=duration:stream=codec_type", "-of", "json", f"/proc/self/fd/{fd}",
            ],
            pass_fds=(fd,),
            capture_output=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise VideoHashError("unreadable", "The video's header could not be read in time; it was not hashed.") from None
    if done.returncode != 0:
        raise VideoHashError("unreadable", "The video's container is damaged or truncated and cannot be read.")
    try:
        described = json.loads(done.stdout or b"{}")
    except json.JSONDecodeError:
        described = {}
    if not described.get("streams"):
        raise VideoHashError("not_a_video", "The file has no video picture to hash (no video stream).")
    try:
        seconds = float(described.get("format", {}).get("duration"))
    except (TypeError, ValueError):
        return None
    return seconds if math.isfinite(seconds) else None


def hash_video_bytes(data: bytes) -> list[Frame]:
    """vPDQ frames (one a second) of a video held in memory. VideoHashError when it cannot be hashed."""
    return hash_video_chunks([data])


def hash_video_chunks(chunks: Iterable[bytes]) -> list[Frame]:
    """hash_video_bytes for a video read in parts (the vault's decrypting reader): never all in memory twice."""
    try:
        import vpdq
    except ImportError:
        raise VideoHashError("unavailable", "Video hashing (the vpdq package) is not installed here.") from None
    limit_bytes, limit_seconds = max_bytes(), max_seconds()
    fd = os.memfd_create("safeguard-video", os.MFD_CLOEXEC)
    try:
        size, head = 0, b""
        for chunk in chunks:
            size += len(chunk)
            if size > limit_bytes:
                raise VideoHashError(
                    "too_large", f"The video is larger than the {limit_bytes:,} byte limit for hashing; not hashed."
                )
            if len(head) < 8192:
                head += chunk[: 8192 - len(head)]
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
        if not _looks_like_video(head):
            raise VideoHashError("not_a_video", "The file is not a video in a format we recognise.")
        seconds = _probe_seconds(fd)
        if seconds is not None and seconds > limit_seconds:
            raise VideoHashError(
                "too_long", f"The video is {seconds:,.0f} seconds long, over the {limit_seconds:,.0f} second limit."
            )
        try:
            features = vpdq.computeHash(f"/proc/self/fd/{fd}", seconds_per_hash=SECONDS_PER_HASH)
        except Exception:  # vpdq raises a bare Exception("Fail to create VPDQ hash") for every failure
            raise VideoHashError(
                "unreadable", "The video's frames are damaged or truncated and cannot be decoded."
            ) from None
    finally:
        os.close(fd)
    frames = [Frame(f.hex.lower(), int(f.quality), round(float(f.timestamp), 3)) for f in features]
    if not frames:
        raise VideoHashError("unreadable", "No frame of the video could be decoded (damaged or truncated).")
    if frames[-1].timestamp > limit_seconds:  # the header said less than the frames do
        raise VideoHashError(
            "too_long", f"The video runs past the {limit_seconds:,.0f} second limit (its header said otherwise)."
        )
    return frames


# --- matching -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoMatch:
    target: int  # position of the compared video (0 for match_video; the row for VideoIndex)
    query_percent: float
    compared_percent: float
    distance: int  # the largest distance at which a matched query frame found its nearest compared frame
    is_match: bool


def prepare(frames: Sequence[Frame], min_quality: int) -> np.ndarray:
    """De-duplicated (identical PDQ), quality-filtered frames as (n, 4) uint64 words, first occurrence kept."""
    seen: set[str] = set()
    kept = []
    for frame in frames:
        if frame.quality >= min_quality and frame.pdq not in seen:
            seen.add(frame.pdq)
            kept.append(frame.pdq)
    if not kept:
        return np.empty((0, 4), dtype=np.uint64)
    return _words(hex_to_codes(kept)).copy()


PAIRS_PER_BLOCK = 65_536  # 2 MB of temporaries a block: they stay in cache


def pair_distances(query_words: np.ndarray, target_words: np.ndarray) -> np.ndarray:
    """All-pairs Hamming distances, (len(query), len(target)) int32, a block of query rows at a time (small
    temporaries). The four words' bit counts are summed by pdq_index's byte-sum trick (one multiply of their
    uint32 view), not a reduction over an axis of 4, which is several times slower."""
    out = np.empty((len(query_words), len(target_words)), dtype=np.int32)
    step = max(1, PAIRS_PER_BLOCK // max(1, len(target_words)))
    for start in range(0, len(query_words), step):
        block = query_words[start : start + step]
        counts = np.bitwise_count(block[:, None, :] ^ target_words[None, :, :]).reshape(-1, 4)  # uint8
        total = (counts.view(np.uint32).ravel() * np.uint32(0x01010101)) >> np.uint32(24)
        total = total.astype(np.int32)
        total[(total == 0) & (counts[:, 0] != 0)] = 256  # the byte sum wraps when all 256 bits differ
        out[start : start + len(block)] = total.reshape(len(block), -1)
    return out


def _decide(query_percent: float, compared_percent: float, limits: Thresholds) -> bool:
    return query_percent >= limits.query_percent and compared_percent >= limits.compared_percent


def match_video(query: Sequence[Frame], target: Sequence[Frame], *, limits: Thresholds | None = None) -> VideoMatch:
    """vPDQ's comparison of two videos (see the module docstring). A video with no frame at or above the
    quality floor matches nothing (0%)."""
    limits = limits or thresholds()
    q, t = prepare(query, limits.min_quality), prepare(target, limits.min_quality)
    if not len(q) or not len(t):
        return VideoMatch(0, 0.0, 0.0, 0, False)
    close = pair_distances(q, t)
    within = close <= limits.distance
    query_matched = within.any(axis=1)
    query_percent = 100.0 * int(query_matched.sum()) / len(q)
    compared_percent = 100.0 * int(within.any(axis=0).sum()) / len(t)
    distance = int(close.min(axis=1)[query_matched].max()) if query_matched.any() else 0
    return VideoMatch(0, query_percent, compared_percent, distance, _decide(query_percent, compared_percent, limits))


class VideoIndex:
    """Many stored videos' prepared frames, searched at once: which of them does a query video match?

    Close frame pairs come from a brute-force NumPy scan while (query frames x stored frames) is small,
    else from the PDQ multi-index hash (exact: every pair within the distance is found); the per-video
    percentages are then counted from the pairs with bincounts, no Python loop per video.
    """

    def __init__(self, videos: Sequence[Sequence[Frame]], *, limits: Thresholds | None = None, engine: str = "auto"):
        if engine not in {"auto", "brute", "index"}:
            raise ValueError(f"unknown video index engine {engine!r}")
        self.limits = limits or thresholds()
        prepared = [prepare(v, self.limits.min_quality) for v in videos]
        self.videos = len(prepared)
        self.sizes = np.array([len(p) for p in prepared], dtype=np.int64)
        self.words = np.concatenate(prepared) if prepared else np.empty((0, 4), dtype=np.uint64)
        self.owner = np.repeat(np.arange(self.videos, dtype=np.int64), self.sizes)
        self.engine = engine
        self._index: MultiIndexHashIndex | None = None

    def __len__(self) -> int:
        return self.videos

    def _pairs(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query frame, stored frame, distance) of every pair within the distance."""
        engine = self.engine
        if engine == "auto":
            engine = "brute" if len(q) * len(self.words) <= BRUTE_FORCE_PAIRS else "index"
        if engine == "brute":
            distances = pair_distances(q, self.words)
            qi, ti = np.nonzero(distances <= self.limits.distance)
            return qi.astype(np.int64), ti.astype(np.int64), distances[qi, ti].astype(np.int64)
        if self._index is None:
            self._index = MultiIndexHashIndex(self.words.view(np.uint8).reshape(-1, 32), threshold=self.limits.distance)
        hits = self._index.search(q.view(np.uint8).reshape(-1, 32))
        counts = np.array([len(h) for h in hits], dtype=np.int64)
        flat = [pair for h in hits for pair in h]
        if not flat:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, empty
        rows, dists = (np.array(column, dtype=np.int64) for column in zip(*flat, strict=True))
        return np.repeat(np.arange(len(q), dtype=np.int64), counts), rows, dists

    def search(self, query: Sequence[Frame], *, matches_only: bool = True) -> list[VideoMatch]:
        """The stored videos the query matches (or, matches_only=False, every one with a close frame)."""
        q = prepare(query, self.limits.min_quality)
        if not len(q) or not len(self.words):
            return []
        qi, ti, dist = self._pairs(q)
        if not len(qi):
            return []
        owner = self.owner[ti]
        compared = np.bincount(self.owner[np.unique(ti)], minlength=self.videos)
        # Each (video, query frame) once, with its nearest distance: sort by key then distance, keep the first.
        key = owner * len(q) + qi
        order = np.lexsort((dist, key))
        key, dist = key[order], dist[order]
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        video_of = key[first] // len(q)
        queried = np.bincount(video_of, minlength=self.videos)
        worst = np.zeros(self.videos, dtype=np.int64)
        np.maximum.at(worst, video_of, dist[first])
        results = []
        for video in np.flatnonzero(queried).tolist():
            query_percent = 100.0 * int(queried[video]) / len(q)
            compared_percent = 100.0 * int(compared[video]) / int(self.sizes[video])
            is_match = _decide(query_percent, compared_percent, self.limits)
            if is_match or not matches_only:
                results.append(VideoMatch(video, query_percent, compared_percent, int(worst[video]), is_match))
        return results
