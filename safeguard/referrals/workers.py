"""Where the database-free part of an import (pipeline.prepare_chunk) runs while chunks are committed.

- A prepare thread (`REFERRALS_PREPARE_THREAD`, off by default, ADR 0076): while the main thread commits
  chunk k, a thread prepares chunk k+1.
  Both need the GIL for their Python, but the commit spends about half of its time waiting on PostgreSQL
  (psycopg releases the GIL while it waits), and that is when the prepare thread runs. The thread never touches
  the database: its own connection refuses every query, so a future change that slips a query into prepare
  fails loudly instead of opening a second connection outside the chunk's transaction.
- Worker processes (`REFERRALS_PREPARE_WORKERS`): validate, map and extract chunks k+1, k+2 in other
  processes (ADR 0073), for machines with free cores. Spawned, not forked: a forked child would share the
  parent's open database connection. They set Django up but never open a database connection.

The process-wide tuning an import runs under (the collector's threshold, the GIL switch interval: ADR 0076)
lives here with the workers, through `core.internals.runtime` (ADR 0097): `tuned_for_import` for the process
that runs the import, `_init` for each spawned worker.
"""

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection

from safeguard.core.internals import runtime

# Objects allocated between two young collections of the cyclic garbage collector while an import runs.
BULK_GC_THRESHOLD = 50_000
# Seconds a thread waiting for the GIL waits before asking the holder to hand it over (Python's default: 0.005).
OVERLAP_SWITCH_INTERVAL = 0.0005


@contextmanager
def tuned_for_import(*, overlapping: bool) -> Iterator[None]:
    """The process-wide settings an import runs under, restored afterwards however it ends (ADR 0076).

    Fewer collections: the cyclic garbage collector runs ~70x less often. A chunk holds tens of thousands of live
    containers (validated models, documents, row dicts) for its whole life, so at Python's default threshold
    (700 allocations) young collections run every few lines, keep re-scanning the chunk's survivors and promote
    them until full collections scan the whole process heap. Measured on 5,000 lines: pydantic validation
    79-86 us a line with the default, 25-27 us without collections. Reference counting still frees everything at
    once; collections still run, just less often, so memory stays flat (a chunk's garbage is acyclic and goes
    when the chunk goes).

    Hand-over on time (`overlapping`: with a prepare thread): the GIL goes back to the committing thread within
    0.5 ms instead of 5 ms. The commit releases the GIL on every round trip to PostgreSQL (psycopg writes COPY
    data 32 KB at a time: hundreds of times per chunk) and must then wait for the prepare thread, which holds
    the GIL until the switch interval is up. At the default 5 ms those waits cost more than the overlap gained.
    """
    with (
        runtime.fewer_collections(BULK_GC_THRESHOLD),
        runtime.handover_on_time(OVERLAP_SWITCH_INTERVAL, when=overlapping),
    ):
        yield


def _init() -> None:
    import django

    django.setup()
    # A worker only prepares chunks, for as long as the import runs: the same collector setting as the import's
    # own process (tuned_for_import, ADR 0076), for the life of the worker.
    runtime.collect_less_often_for_life(BULK_GC_THRESHOLD)


def prepare(records, import_pk: int, partner: str):
    from .pipeline import prepare_chunk

    return prepare_chunk(records, import_pk=import_pk, partner=partner)


def pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init)


def done(value) -> Future:
    """A finished future, for the in-process path."""
    future: Future = Future()
    future.set_result(value)
    return future


def _no_queries(execute, sql, params, many, context):
    raise RuntimeError("The prepare step of a referral import must not query the database")


def prepare_in_thread(records, import_pk: int, partner: str):
    from .pipeline import prepare_chunk

    # `connection` is this thread's own (Django keeps one per thread); it is never opened here.
    with connection.execute_wrapper(_no_queries):
        return prepare_chunk(records, import_pk=import_pk, partner=partner)


def thread() -> ThreadPoolExecutor:
    """One prepare thread: the chunk after the one being committed, never more (memory stays flat)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="referral-prepare")
