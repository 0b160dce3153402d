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
"""

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

from django.db import connection


def _init() -> None:
    import gc

    import django

    django.setup()
    from .services import BULK_GC_THRESHOLD  # after setup: services imports models

    # A worker only prepares chunks, for as long as the import runs: the same collector setting as the import's
    # own process (services._fewer_collections, ADR 0076), for the life of the worker.
    gc.set_threshold(BULK_GC_THRESHOLD, *gc.get_threshold()[1:])


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
