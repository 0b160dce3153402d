"""Process-wide interpreter tuning, for worker entry points only (CPython 3.11; ADR 0076).

Not framework-private, but process-wide: each setting changes every thread of the process, so only the
code that owns the process (a worker's entry point, a spawned worker's initializer) may use them, and the
context managers put the old value back however the block ends.

Names relied on: `gc.get_threshold` / `gc.set_threshold` (generation 0 threshold), `sys.getswitchinterval` /
`sys.setswitchinterval`. Tests: `safeguard/core/tests/test_internals.py` (`test_fewer_collections_*`,
`test_collect_less_often_*`, `test_handover_*`).
"""

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def fewer_collections(threshold: int) -> Iterator[None]:
    """Young collections of the cyclic garbage collector after at least `threshold` allocations (Python's
    default: 700) while the block runs; the older generations' thresholds untouched; restored after."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], threshold), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def collect_less_often_for_life(threshold: int) -> None:
    """`fewer_collections` for the rest of this process's life (a worker process that does only this work)."""
    gc.set_threshold(threshold, *gc.get_threshold()[1:])


@contextmanager
def handover_on_time(interval: float, *, when: bool = True) -> Iterator[None]:
    """A thread waiting for the GIL asks for it after at most `interval` seconds (Python's default: 0.005)
    while the block runs, where `when`; restored after."""
    before = sys.getswitchinterval()
    if when:
        sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
