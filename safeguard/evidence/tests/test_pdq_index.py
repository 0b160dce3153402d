import numpy as np
import pytest

from safeguard.evidence.pdq_index import (
    BruteForcePdqIndex,
    FaissMultiHashIndex,
    MultiIndexHashIndex,
    codes_to_hex,
    hamming,
    hex_to_codes,
    plan_chunks,
)


def _flip(codes: np.ndarray, distances: np.ndarray, rng) -> np.ndarray:
    bits = np.unpackbits(codes, axis=1)
    for row, distance in enumerate(distances):
        bits[row, rng.choice(256, size=distance, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


@pytest.fixture(scope="module")
def planted():
    """Random listed hashes, and queries planted at every distance from 0 to 40 from some of them."""
    rng = np.random.default_rng(20261129)
    listed = rng.integers(0, 256, size=(20_000, 32), dtype=np.uint8)
    chosen = rng.integers(0, len(listed), size=410)
    distances = np.repeat(np.arange(41), 10)
    queries = np.vstack([_flip(listed[chosen], distances, rng), rng.integers(0, 256, size=(50, 32), dtype=np.uint8)])
    return listed, queries, chosen, distances


def test_multi_index_recall_is_exact_against_brute_force(planted):
    listed, queries, chosen, distances = planted
    expected = BruteForcePdqIndex(listed).search(queries)
    assert MultiIndexHashIndex(listed).search(queries) == expected
    for i, (row, distance) in enumerate(zip(chosen, distances, strict=True)):
        assert ((int(row), int(distance)) in expected[i]) == (distance <= 31)


@pytest.mark.parametrize("threshold", [0, 10, 31, 45])
def test_any_threshold_is_exact(planted, threshold):
    listed, queries, _, _ = planted
    expected = BruteForcePdqIndex(listed, threshold=threshold).search(queries)
    assert MultiIndexHashIndex(listed, threshold=threshold, workers=2, batch_size=64).search(queries) == expected


def test_faiss_backend_agrees(planted):
    listed, queries, _, _ = planted
    listed = listed[:5000]  # faiss builds slowly; a subset still has the planted neighbours of its rows
    assert FaissMultiHashIndex(listed).search(queries) == BruteForcePdqIndex(listed).search(queries)


@pytest.mark.parametrize("n", [1, 1000, 10_000_000])
def test_chunk_plan_satisfies_the_pigeonhole_bound(n):
    for threshold in (0, 31, 63):
        plan = plan_chunks(n, threshold)
        assert sum(length for _, length, _ in plan) == 256
        assert sum(flips + 1 for _, _, flips in plan) >= threshold + 1


def test_hex_round_trip_and_hamming():
    values = ["0" * 64, "f" * 64, "0123456789abcdef" * 4]
    assert codes_to_hex(hex_to_codes(values)) == values
    assert hamming("0" * 64, "f" * 64) == 256
    with pytest.raises(ValueError, match="64 hexadecimal"):
        hex_to_codes(["abc"])


def test_small_and_empty_queries():
    listed = np.zeros((1, 32), dtype=np.uint8)
    index = MultiIndexHashIndex(listed)
    assert index.search(np.zeros((1, 32), dtype=np.uint8)) == [[(0, 0)]]
    assert index.search(np.zeros((0, 32), dtype=np.uint8)) == []


def test_distance_arithmetic_at_the_extremes():
    from safeguard.evidence.pdq_index import _distances

    zeros = np.zeros((3, 4), dtype=np.uint64)
    others = np.array([[0] * 4, [2**64 - 1] * 4, [1, 0, 0, 2**63]], dtype=np.uint64)
    assert _distances(zeros, others).tolist() == [0, 256, 2]
    assert _distances(zeros[:, :2], others[:, :2]).tolist() == [0, 128, 1]


def test_forked_pool_gives_the_same_results(planted):
    from safeguard.evidence.pdq_index import ForkedSearchPool

    listed, queries, _, _ = planted
    index = MultiIndexHashIndex(listed, batch_size=32)
    with ForkedSearchPool(index, processes=2) as pool:
        assert pool.search(queries) == index.search(queries)


@pytest.mark.parametrize("threshold", [0, 31, 45])
def test_compiled_and_numpy_search_paths_agree(planted, threshold):
    pytest.importorskip("numba")
    listed, queries, _, _ = planted
    index = MultiIndexHashIndex(listed, threshold=threshold, workers=2, engine="numba")
    compiled = index.search(queries)
    index.engine = "numpy"
    assert compiled == index.search(queries) == BruteForcePdqIndex(listed, threshold=threshold).search(queries)


def test_compiled_search_hands_queries_with_many_hits_to_the_numpy_path():
    """A list full of near-duplicates: more hits for one query than the compiled loop keeps."""
    pytest.importorskip("numba")
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, size=(1, 32), dtype=np.uint8)
    listed = np.vstack([_flip(np.repeat(base, 100, axis=0), rng.integers(0, 20, size=100), rng), base])
    index = MultiIndexHashIndex(listed, threshold=31, engine="numba")
    index.COMPILED_CAP = 8
    (hits,) = index.search(base)
    assert len(hits) == 101 and hits == BruteForcePdqIndex(listed, threshold=31).search(base)[0]
