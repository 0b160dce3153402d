"""SQL through Django's compiler and cursors, below the ORM (checked against Django 5.2.19, psycopg 3.3).

Private or undocumented names relied on:

- `django.db.models.sql.InsertQuery` (undocumented), its `insert_values(fields, objs)`, `get_compiler()`,
  the compiler's `returning_fields` attribute and `as_sql()` returning one `(sql, params)` per statement:
  how `QuerySet._insert` makes an INSERT, used to get `INSERT .. RETURNING pk` (optionally ON CONFLICT /
  OR IGNORE) text we can embed in a CTE.
- `CursorWrapper.cursor` (undocumented attribute): the driver's own cursor behind Django's, for psycopg's
  `copy()`.
- `BaseDatabaseWrapper.make_cursor` and `queries_logged` (undocumented), `CursorDebugWrapper.debug_sql`,
  `CursorWrapper._execute_with_wrappers` and `CursorWrapper._execute` (private): a psycopg cursor of our
  choosing wrapped as Django wraps its own, so execute wrappers (`connection.execute_wrapper`), error
  translation to django.db exceptions and query logging (CaptureQueriesContext) still apply.
- `DatabaseWrapper.connection.prepare_threshold` being `None` (Django's PostgreSQL backend sets it so
  unless OPTIONS say otherwise) and psycopg's `Cursor(conn)` being a server-binding cursor.

Tests: `safeguard/core/tests/test_internals.py` (`test_compiler_insert_sql_*`, `test_copy_*`,
`test_django_cursor_*`, `test_wrapped_cursor_*`, `test_django_leaves_psycopgs_prepare_threshold_*`).
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import Field, Model
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


def compiled_insert_sql(
    model: type[Model], fields: list[Field], objs: Sequence[Model], *, on_conflict_do_nothing: bool = False
) -> tuple[str, list]:
    """INSERT .. VALUES .. RETURNING pk for `objs`, as Django's own compiler writes it for this database."""
    meta = model._meta
    query = InsertQuery(model, on_conflict=OnConflict.IGNORE if on_conflict_do_nothing else None)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def copy_rows(copy_sql: str, rows: Iterable) -> None:
    """`COPY .. FROM STDIN` the rows (PostgreSQL), through Django's cursor for this connection."""
    with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:  # psycopg's own cursor
        for row in rows:
            copy.write_row(row)


# Django sets psycopg's prepare_threshold to None (never prepare), and then psycopg ignores even
# prepare=True. While one of our statements runs the threshold is set to a count no query reaches,
# so only what asks (prepare=True) is prepared, and psycopg does no bookkeeping for other queries.
_ONLY_WHEN_ASKED = 2**62


class _PreparingCursor(psycopg.Cursor):
    """psycopg's server-binding cursor, preparing what it runs (Django's CursorWrapper calls
    `execute(sql, params)` and cannot pass `prepare=True` itself)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedCursor(CursorDebugWrapper):
    """Django's debug wrapper, logging the statement with its values inlined as for Django's own
    queries (Django reads that text back from a client-binding cursor, which this is not)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return self._execute_with_wrappers(sql, params, many=False, executor=self._execute)


@contextmanager
def server_bound_cursor(db, *, prepare: bool) -> Iterator:
    """A Django-wrapped cursor (execute wrappers, django.db errors, query logging) over a psycopg
    server-binding cursor on `db`'s connection, preparing what it runs when `prepare`. Django's own
    cursors are left as configured (client binding, never prepared)."""
    db.ensure_connection()
    raw = db.connection
    cursor = _PreparingCursor(raw) if prepare else psycopg.Cursor(raw)
    wrapped = _LoggedCursor(cursor, db) if db.queries_logged else db.make_cursor(cursor)
    threshold = raw.prepare_threshold
    raw.prepare_threshold = _ONLY_WHEN_ASKED if threshold is None else threshold
    try:
        with wrapped:
            yield wrapped
    finally:
        raw.prepare_threshold = threshold
