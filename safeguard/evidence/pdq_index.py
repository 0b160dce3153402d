"""Near matching of PDQ hashes: every listed hash within a Hamming distance of a query.

Three interchangeable indexes answer the same question, `search(queries) -> [[(row, distance)...]]`:

- `MultiIndexHashIndex` (the default): multi-index hashing (Norouzi, Punjani and Fleet, 2012) with
  generalised pigeonhole thresholds, written in NumPy. The 256 bits are cut into m chunks; chunk i is
  probed with every key within t_i bit flips, and the t_i are chosen so that sum(t_i + 1) > threshold.
  If a listed hash is within the threshold, at least one chunk is within its t_i, so it is found:
  recall is exact, not approximate. Each chunk keeps a direct-address table (CSR offsets over
  2^bits keys) of row numbers, so a probe is two array reads and no hashing.
- `FaissMultiHashIndex`: faiss `IndexBinaryMultiHash(256, 16, 16)` with nflip = threshold // 16, as
  Meta's open-source matcher does. Exact for the same reason (16 chunks, 1 flip each). Kept so the two
  can be compared; on a 2-core machine it is much slower on large lists (see docs/adr/0021).
- `BruteForcePdqIndex`: a NumPy scan of every hash, the reference the others are tested against.

Hashes are passed as uint8 arrays of shape (n, 32), the 64 hex characters of a PDQ hash as bytes.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

PDQ_BITS = 256
PDQ_BYTES = 32
DEFAULT_THRESHOLD = 31

Hit = tuple[int, int]  # (row in the index, Hamming distance)


def hex_to_codes(hex_hashes: Iterable[str]) -> np.ndarray:
    """64-hex-character PDQ hashes as an (n, 32) uint8 array."""
    joined = "".join(hex_hashes)
    if len(joined) % 64:
        raise ValueError("PDQ hashes must be 64 hexadecimal characters each")
    return np.frombuffer(bytes.fromhex(joined), dtype=np.uint8).reshape(-1, PDQ_BYTES)


def codes_to_hex(codes: np.ndarray) -> list[str]:
    return [row.tobytes().hex() for row in np.asarray(codes, dtype=np.uint8).reshape(-1, PDQ_BYTES)]


def _as_codes(codes: np.ndarray) -> np.ndarray:
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    if codes.ndim != 2 or codes.shape[1] != PDQ_BYTES:
        raise ValueError(f"expected an (n, {PDQ_BYTES}) uint8 array, got shape {codes.shape}")
    return codes


def _words(codes: np.ndarray) -> np.ndarray:
    """(n, 32) uint8 -> (n, 4) uint64. Any fixed bit order will do: Hamming distance ignores it."""
    return _as_codes(codes).view(np.uint64)


def _distances(a_words: np.ndarray, b_words: np.ndarray) -> np.ndarray:
    """Hamming distance of each row pair of 2 or 4 words. The per-word bit counts (uint8 each) are
    summed by one multiply of their uint16/uint32 view, several times faster than .sum(axis=1)."""
    counts = np.bitwise_count(a_words ^ b_words)
    if counts.shape[1] == 4:
        packed = counts.view(np.uint32).ravel()
        total = ((packed * np.uint32(0x01010101)) >> np.uint32(24)).astype(np.int32)
        # The byte sum wraps at 256: a total of 0 with any word differing means every bit differs.
        return np.where((total == 0) & (counts[:, 0] != 0), 256, total)
    if counts.shape[1] == 2:
        packed = counts.view(np.uint16).ravel()
        return ((packed * np.uint16(0x0101)) >> np.uint16(8)).astype(np.int32)
    return counts.sum(axis=1, dtype=np.int32)


class BruteForcePdqIndex:
    """Compares each query with every listed hash. Simple, obviously right, slow on big lists."""

    def __init__(self, codes: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD) -> None:
        self.words = _words(codes)
        self.threshold = threshold

    def __len__(self) -> int:
        return len(self.words)

    def search(self, queries: np.ndarray, *, threshold: int | None = None) -> list[list[Hit]]:
        limit = self.threshold if threshold is None else threshold
        results = []
        for query in _words(queries):
            distances = np.bitwise_count(self.words ^ query).sum(axis=1, dtype=np.int32)
            rows = np.flatnonzero(distances <= limit)
            results.append([(int(r), int(distances[r])) for r in rows])
        return results

    @property
    def memory_bytes(self) -> int:
        return self.words.nbytes


def _flip_masks(length: int, flips: int) -> np.ndarray:
    """Every length-bit mask with at most `flips` bits set: the probes around one key."""
    masks = [0]
    for k in range(1, flips + 1):
        masks.extend(sum(1 << b for b in bits) for bits in combinations(range(length), k))
    return np.array(masks, dtype=np.uint64)


def plan_chunks(n: int, threshold: int, *, bits: int | None = None) -> list[tuple[int, int, int]]:
    """(start bit, length, flips) per chunk for a list of n hashes.

    Chunks of about log2(n) bits keep about one listed hash per key, the balance the MIH paper
    recommends. Flips are spread so that sum(flips + 1) >= threshold + 1 (generalised pigeonhole).
    `bits` overrides the chunk length (for tuning: shorter chunks mean fewer probes but fuller buckets).
    """
    if bits is None:
        bits = min(24, max(8, math.ceil(math.log2(max(n, 2)))))
    m = math.ceil(PDQ_BITS / bits)
    base, longer = divmod(PDQ_BITS, m)
    lengths = [base + 1] * longer + [base] * (m - longer)
    needed = max(0, threshold + 1 - m)
    flip_base, extra = divmod(needed, m)
    # Extra flips go to the shortest chunks, where a flip costs the fewest probes.
    flips = [flip_base + (1 if i >= m - extra else 0) for i in range(m)]
    plan, start = [], 0
    for length, flip in zip(lengths, flips, strict=True):
        plan.append((start, length, flip))
        start += length
    return plan


def _chunk_keys(words: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits [start, start + length) of each 256-bit row as an integer key (length <= 32)."""
    word, offset = divmod(start, 64)
    mask = np.uint64((1 << length) - 1)
    if offset + length <= 64:
        return (words[:, word] >> np.uint64(offset)) & mask
    low_bits = 64 - offset
    low = words[:, word] >> np.uint64(offset)
    high = words[:, word + 1] << np.uint64(low_bits)
    return (low | high) & mask


# Words 0 and 2 of each hash, copied in each chunk's key order: a 128-bit sketch read next to the
# bucket. Any hash within 31 of a query is within 31 on these 128 bits too, while an unrelated hash
# almost never is (P(Binomial(128, 1/2) <= 31) < 1e-8), so the full 256-bit check is rarely needed.
SKETCH_WORDS = (0, 2)


class _Chunk:
    __slots__ = ("flips", "length", "masks", "rows", "runs", "sketch", "start")

    def __init__(self, words: np.ndarray, start: int, length: int, flips: int) -> None:
        if len(words) >= 2**31:
            raise ValueError("an index holds at most 2^31 - 1 hashes")
        self.start, self.length, self.flips = start, length, flips
        keys = _chunk_keys(words, start, length)
        self.rows = np.argsort(keys, kind="stable").astype(np.int32)
        sketch = np.empty((len(words), len(SKETCH_WORDS)), dtype=np.uint64)
        for column, word in enumerate(SKETCH_WORDS):
            np.take(words[:, word], self.rows, out=sketch[:, column])
        self.sketch = sketch.view(np.dtype((np.void, 8 * len(SKETCH_WORDS)))).ravel()
        counts = np.bincount(keys.astype(np.int64), minlength=1 << length)
        offsets = np.zeros((1 << length) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        # (begin, end) side by side, read as one int64: a probe costs one memory access, not two.
        runs = np.empty((1 << length, 2), dtype=np.int32)
        runs[:, 0] = offsets[:-1]
        runs[:, 1] = offsets[1:]
        self.runs = runs.view(np.int64).ravel()
        self.masks = _flip_masks(length, flips)

    def candidates(self, query_words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query number, position in this chunk's order) for every listed hash sharing a probed key."""
        keys = _chunk_keys(query_words, self.start, self.length)
        probes = (keys[:, None] ^ self.masks[None, :]).astype(np.int64).ravel()
        # np.take, not fancy indexing: it is several times faster on big tables and releases the GIL.
        runs = np.take(self.runs, probes).view(np.int32).reshape(-1, 2)
        all_sizes = runs[:, 1] - runs[:, 0]
        per_query = all_sizes.reshape(len(query_words), -1).sum(axis=1)
        occupied = np.flatnonzero(all_sizes)  # many probed keys have no listed hash: drop them early
        if not len(occupied):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        begins = runs[occupied, 0].astype(np.int64)
        sizes = all_sizes[occupied]
        # Expand the [begin, begin + size) runs into one array of positions without a Python loop.
        total = int(per_query.sum())
        run_starts = np.cumsum(sizes, dtype=np.int64) - sizes
        positions = np.arange(total, dtype=np.int64) + np.repeat(begins - run_starts, sizes)
        query_of = np.repeat(np.arange(len(query_words)), per_query)
        return query_of, positions

    @property
    def memory_bytes(self) -> int:
        return self.rows.nbytes + self.runs.nbytes + self.masks.nbytes + self.sketch.nbytes


class MultiIndexHashIndex:
    """Exact near matching in sub-linear time; see the module docstring."""

    def __init__(
        self,
        codes: np.ndarray,
        *,
        threshold: int = DEFAULT_THRESHOLD,
        batch_size: int = 128,
        workers: int = 1,
        chunk_bits: int | None = None,
        engine: str = "auto",
    ) -> None:
        self.words = _words(codes)
        # One 32-byte item per hash, so np.take gathers whole rows at once.
        self._rows_as_void = self.words.view(np.dtype((np.void, PDQ_BYTES))).ravel()
        self.threshold = threshold
        self.batch_size = batch_size
        self.workers = workers
        plan = plan_chunks(len(self.words), threshold, bits=chunk_bits)
        self.chunks = [_Chunk(self.words, s, length, f) for s, length, f in plan]
        self.engine = _choose_engine(engine)
        self._kernel_arrays: tuple | None = None

    def __len__(self) -> int:
        return len(self.words)

    def search(self, queries: np.ndarray, *, threshold: int | None = None) -> list[list[Hit]]:
        if threshold is not None and threshold > self.threshold:
            raise ValueError(f"this index was built for distances up to {self.threshold}, not {threshold}")
        limit = self.threshold if threshold is None else threshold
        query_words = _words(queries)
        if self.engine == "numba":
            return self._search_compiled(query_words, limit)
        batches = [query_words[i : i + self.batch_size] for i in range(0, len(query_words), self.batch_size)]
        if self.workers > 1 and len(batches) > 1:
            # NumPy releases the GIL in the heavy array operations, so threads share the cores.
            with ThreadPoolExecutor(self.workers) as pool:
                parts = list(pool.map(lambda b: self._search_batch(b, limit), batches))
        else:
            parts = [self._search_batch(b, limit) for b in batches]
        return [hits for part in parts for hits in part]

    # Hits kept per query by the compiled loop before it hands the query to the NumPy path instead.
    COMPILED_CAP = 64

    def _search_compiled(self, query_words: np.ndarray, limit: int, *, threads: int | None = None) -> list[list[Hit]]:
        import numba

        from .pdq_kernel import search_chunk, search_chunk_serial

        if self._kernel_arrays is None:
            # Views of each chunk's arrays (no copies), flat as the kernel reads them.
            self._kernel_arrays = [
                (
                    np.int64(c.start),
                    np.int64(c.length),
                    c.masks,
                    c.runs.view(np.int32),  # begin, end, begin, end, ...
                    c.rows,
                    c.sketch.view(np.uint64),  # the two sketch words of each hash, side by side
                )
                for c in self.chunks
            ]
        sketch_words = np.array(SKETCH_WORDS, dtype=np.int64)
        out_rows = np.empty((len(query_words), self.COMPILED_CAP), dtype=np.int32)
        out_dist = np.empty((len(query_words), self.COMPILED_CAP), dtype=np.int32)
        counts = np.zeros(len(query_words), dtype=np.int64)
        threads = max(1, min(threads or self.workers, numba.config.NUMBA_NUM_THREADS))
        kernel = search_chunk if threads > 1 else search_chunk_serial
        previous = numba.get_num_threads()
        if threads > 1:
            numba.set_num_threads(threads)
        try:
            for start, length, masks, runs, rows, sketch in self._kernel_arrays:
                kernel(
                    query_words,
                    start,
                    length,
                    masks,
                    runs,
                    rows,
                    sketch,
                    sketch_words,
                    self.words,
                    np.int64(limit),
                    out_rows,
                    out_dist,
                    counts,
                )
        finally:
            if threads > 1:
                numba.set_num_threads(previous)
        results: list[list[Hit]] = []
        for number, count in enumerate(counts.tolist()):
            if count > self.COMPILED_CAP:  # more hits than kept: answer this one the slower, unbounded way
                results.append(self._search_batch(query_words[number : number + 1], limit)[0])
            else:
                hits = zip(out_rows[number, :count].tolist(), out_dist[number, :count].tolist(), strict=True)
                results.append(sorted(hits))
        return results

    def _search_batch(self, query_words: np.ndarray, limit: int) -> list[list[Hit]]:
        found_query, found_row, found_distance = [], [], []
        query_sketch = np.ascontiguousarray(query_words[:, SKETCH_WORDS])
        for chunk in self.chunks:
            query_of, positions = chunk.candidates(query_words)
            if not len(positions):
                continue
            listed_sketch = np.take(chunk.sketch, positions).view(np.uint64).reshape(-1, len(SKETCH_WORDS))
            sketch_distances = _distances(listed_sketch, np.take(query_sketch, query_of, axis=0))
            promising = np.flatnonzero(sketch_distances <= limit)
            query_of = query_of[promising]
            rows = np.take(chunk.rows, positions[promising])
            listed = np.take(self._rows_as_void, rows).view(np.uint64).reshape(-1, 4)
            distances = _distances(listed, np.take(query_words, query_of, axis=0))
            close = distances <= limit
            found_query.append(query_of[close])
            found_row.append(rows[close])
            found_distance.append(distances[close])
        results: list[list[Hit]] = [[] for _ in range(len(query_words))]
        if found_query:
            seen: set[tuple[int, int]] = set()
            # The same listed hash is often found through several chunks; report it once.
            for q, r, d in zip(
                np.concatenate(found_query).tolist(),
                np.concatenate(found_row).tolist(),
                np.concatenate(found_distance).tolist(),
                strict=True,
            ):
                if (q, r) not in seen:
                    seen.add((q, r))
                    results[q].append((r, d))
            for hits in results:
                hits.sort()
        return results

    @property
    def memory_bytes(self) -> int:
        return self.words.nbytes + sum(chunk.memory_bytes for chunk in self.chunks)


def _choose_engine(engine: str) -> str:
    """ "numba" (compiled search loop, pdq_kernel.py) when numba is installed, else "numpy"."""
    if engine not in {"auto", "numba", "numpy"}:
        raise ValueError(f"unknown PDQ search engine {engine!r}")
    if engine == "numpy":
        return engine
    try:
        import numba  # noqa: F401
    except ImportError:
        if engine == "numba":
            raise
        return "numpy"
    return "numba"


_FORKED_INDEX: MultiIndexHashIndex | None = None


def _search_in_forked_child(job: tuple[np.ndarray, int]) -> list[list[Hit]]:
    assert _FORKED_INDEX is not None
    query_words, limit = job
    if _FORKED_INDEX.engine == "numba":
        return _FORKED_INDEX._search_compiled(query_words, limit, threads=1)
    return _FORKED_INDEX._search_batch(query_words, limit)


class ForkedSearchPool:
    """Bulk search on several processes that share one index by fork (copy-on-write, no copying).

    For bulk work (benchmarks, re-matching a store against a new list) on Linux: separate processes
    avoid the interpreter lock entirely, which matters on a busy machine. Not for use in web workers.

        with ForkedSearchPool(index, processes=2) as pool:
            results = pool.search(queries)
    """

    def __init__(self, index: MultiIndexHashIndex, *, processes: int = 2) -> None:
        self.index = index
        self.processes = processes
        self._pool = None

    def __enter__(self) -> ForkedSearchPool:
        import multiprocessing

        global _FORKED_INDEX
        _FORKED_INDEX = self.index
        self._pool = multiprocessing.get_context("fork").Pool(self.processes)
        return self

    def __exit__(self, *exc) -> None:
        global _FORKED_INDEX
        self._pool.terminate()
        self._pool.join()
        _FORKED_INDEX = None

    def search(self, queries: np.ndarray, *, threshold: int | None = None) -> list[list[Hit]]:
        limit = self.index.threshold if threshold is None else min(threshold, self.index.threshold)
        query_words = _words(queries)
        size = self.index.batch_size
        jobs = [(query_words[i : i + size], limit) for i in range(0, len(query_words), size)]
        return [hits for part in self._pool.map(_search_in_forked_child, jobs, chunksize=4) for hits in part]


class FaissMultiHashIndex:
    """Meta's configuration: faiss IndexBinaryMultiHash(256, nhash=16, b=16), nflip = threshold // 16."""

    def __init__(self, codes: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD, nhash: int = 16) -> None:
        import faiss  # imported here: only this backend needs it

        codes = _as_codes(codes)
        self.threshold = threshold
        self.index = faiss.IndexBinaryMultiHash(PDQ_BITS, nhash, PDQ_BITS // nhash)
        self.index.nflip = threshold // nhash
        self.index.add(codes)
        self._size = len(codes)

    def __len__(self) -> int:
        return self._size

    def search(self, queries: np.ndarray, *, threshold: int | None = None) -> list[list[Hit]]:
        limit = self.threshold if threshold is None else threshold
        # faiss keeps results with distance strictly below the radius.
        lims, distances, rows = self.index.range_search(_as_codes(queries), limit + 1)
        return [
            sorted(zip(rows[lims[i] : lims[i + 1]].tolist(), distances[lims[i] : lims[i + 1]].tolist(), strict=True))
            for i in range(len(lims) - 1)
        ]


def hamming(a_hex: str, b_hex: str) -> int:
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def build_index(codes: np.ndarray, *, threshold: int = DEFAULT_THRESHOLD) -> MultiIndexHashIndex:
    return MultiIndexHashIndex(codes, threshold=threshold)


__all__: Sequence[str] = [
    "DEFAULT_THRESHOLD",
    "BruteForcePdqIndex",
    "FaissMultiHashIndex",
    "ForkedSearchPool",
    "MultiIndexHashIndex",
    "build_index",
    "codes_to_hex",
    "hamming",
    "hex_to_codes",
    "plan_chunks",
]


class CachedPdqIndex:
    """A PDQ index over (id, hex) rows, rebuilt only when `key()` changes (a list's versions, a feed's sequence).

    `get(threshold)` returns (index, ids) or (None, None) when there are no rows; ids[i] is the id of the index's
    row i. Thread-safe; `clear()` forces a rebuild on the next `get`.
    """

    def __init__(self, *, key: Callable[[], Hashable], rows: Callable[[], Iterable[tuple[int, str]]]) -> None:
        self._key_of, self._rows_of = key, rows
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._index: MultiIndexHashIndex | None = None
        self._ids: np.ndarray | None = None

    def get(self, threshold: int) -> tuple[MultiIndexHashIndex | None, np.ndarray | None]:
        key = (self._key_of(), threshold)
        with self._lock:
            if key != self._key:
                rows = list(self._rows_of())
                if rows:
                    ids, values = zip(*rows, strict=True)
                    self._index = MultiIndexHashIndex(hex_to_codes(values), threshold=threshold)
                    self._ids = np.array(ids, dtype=np.int64)
                else:
                    self._index, self._ids = None, None
                self._key = key
            return self._index, self._ids

    def clear(self) -> None:
        with self._lock:
            self._key, self._index, self._ids = None, None, None
