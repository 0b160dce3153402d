"""The multi-index hashing search loop compiled with numba (ADR 0024), one chunk per call.

Same index, same arrays, same answers as the NumPy path in pdq_index.py; only the search loop differs. The
NumPy path spends most of its time building temporary arrays (every probe, every candidate position, the
gathered sketches) and in random `np.take` reads; compiled, each query walks its probes and candidates in
one loop with nothing allocated, several queries at once on separate threads (no interpreter lock).

Each query keeps at most `cap` distinct hits; a query with more (a list full of near-duplicates) is
reported as overflowing and the caller answers it with the NumPy path, so results never get cut short.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to start loading array[index] now (LLVM's prefetch, for reading, keep in all caches).

    The search is bound by random reads into tables far bigger than the caches; issuing every probe's read
    before using any of them lets the memory system serve many at once instead of one after another.
    """
    signature = types.void(array, index)

    def codegen(context, builder, sig, args):
        data = context.make_array(sig.args[0])(context, builder, args[0]).data
        address = builder.bitcast(builder.gep(data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        function_type = ir.FunctionType(ir.VoidType(), [address.type, i32, i32, i32])
        prefetch = cgutils.get_or_insert_function(builder.module, function_type, "llvm.prefetch.p0")
        builder.call(prefetch, [address, ir.Constant(i32, 0), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return signature, codegen


@njit(inline="always", cache=True)
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return np.int64((x * _H01) >> np.uint64(56))


@njit(inline="always", cache=True)
def _chunk_key(q, start, length):
    word = start // 64
    offset = start % 64
    mask = (np.uint64(1) << np.uint64(length)) - np.uint64(1)
    low = q[word] >> np.uint64(offset)
    if offset + length > 64:
        low = low | (q[word + 1] << np.uint64(64 - offset))
    return low & mask


@njit(inline="always", cache=True)
def _search_one(
    qi, queries, start, length, masks, runs, rows, sketch, sketch_words, words, limit, out_rows, out_dist, counts
):
    """One query's probes and candidates in one chunk (see search_chunk)."""
    cap = out_rows.shape[1]
    n_probes = masks.shape[0]
    q = queries[qi]
    qs0 = q[sketch_words[0]]
    qs1 = q[sketch_words[1]]
    count = counts[qi]
    key = _chunk_key(q, start, length)
    probes = np.empty(n_probes, dtype=np.int64)
    begins = np.empty(n_probes, dtype=np.int64)
    ends = np.empty(n_probes, dtype=np.int64)
    # Three passes so that no read waits on another: prefetch every probe's run, read the runs and
    # prefetch the first sketch of each, then check the candidates.
    for k in range(n_probes):
        probes[k] = np.int64(key ^ masks[k])
        _prefetch(runs, 2 * probes[k])
    for k in range(n_probes):
        begins[k] = runs[2 * probes[k]]
        ends[k] = runs[2 * probes[k] + 1]
        if ends[k] > begins[k]:
            _prefetch(sketch, 2 * begins[k])
    for k in range(n_probes):
        for pos in range(begins[k], ends[k]):
            if _popcount(sketch[2 * pos] ^ qs0) + _popcount(sketch[2 * pos + 1] ^ qs1) > limit:
                continue
            row = rows[pos]
            listed = words[row]
            distance = (
                _popcount(listed[0] ^ q[0])
                + _popcount(listed[1] ^ q[1])
                + _popcount(listed[2] ^ q[2])
                + _popcount(listed[3] ^ q[3])
            )
            if distance > limit:
                continue
            seen = False
            for j in range(min(count, cap)):
                if out_rows[qi, j] == row:
                    seen = True
                    break
            if seen:
                continue
            if count < cap:
                out_rows[qi, count] = row
                out_dist[qi, count] = distance
            count += 1
    counts[qi] = count


@njit(parallel=True, cache=True)
def search_chunk(
    queries, start, length, masks, runs, rows, sketch, sketch_words, words, limit, out_rows, out_dist, counts
):
    """Add one chunk's hits to each query's distinct hits in out_rows/out_dist (queries x cap), counting them
    in counts, queries spread over numba's threads. Called once per chunk with the same output arrays, so
    every call has the same signature (compiled once, whatever the number of chunks). A count above cap
    means the query overflowed and its row of results is incomplete."""
    for qi in prange(queries.shape[0]):
        _search_one(
            qi,
            queries,
            start,
            length,
            masks,
            runs,
            rows,
            sketch,
            sketch_words,
            words,
            limit,
            out_rows,
            out_dist,
            counts,
        )


@njit(cache=True)
def search_chunk_serial(
    queries, start, length, masks, runs, rows, sketch, sketch_words, words, limit, out_rows, out_dist, counts
):
    """search_chunk on the calling thread only: no thread pool, so it is safe in forked processes and has
    no per-call barrier (a busy machine can leave one of two threads waiting for the other)."""
    for qi in range(queries.shape[0]):
        _search_one(
            qi,
            queries,
            start,
            length,
            masks,
            runs,
            rows,
            sketch,
            sketch_words,
            words,
            limit,
            out_rows,
            out_dist,
            counts,
        )
