"""Worker processes for the database-free part of an import (pipeline.prepare_chunk).

While the main process commits chunk k, workers validate, map and extract chunks k+1, k+2 (ADR 0073).
Workers are spawned, not forked: a forked child would share the parent's open database connection.
They set Django up but never open a database connection.
"""

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor


def _init() -> None:
    import django

    django.setup()


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
