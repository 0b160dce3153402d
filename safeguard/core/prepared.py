"""Server-side prepared statements for the few statements every partner submission sends (ADR 0018, round 4).

Django's PostgreSQL cursors bind parameters in the client (psycopg's ClientCursor): each execution
sends the whole statement text, which psycopg first builds by quoting every value in Python, and
PostgreSQL parses, analyses and plans it afresh. For the intake's three big statements (the report
with its triage task, ~80 parameters; the chain head; the audit entries with the rows riding along)
that was about 40 % of PostgreSQL's time for a submission, and the quoting was most of psycopg's.
Prepared once per connection, each later execution sends only the values, and PostgreSQL runs the
plan it kept.

Only statements run through `fetch_all` are prepared; Django's own cursors are left as configured
(client binding, never prepared). Prepared statements live with their connection (psycopg keeps up to
`prepared_max` per connection and drops them all on a rollback); a transaction-pooling proxy in front
of PostgreSQL (PgBouncer before 1.21) would not keep them. Elsewhere (SQLite) the statement runs on an
ordinary cursor.
"""

from collections.abc import Sequence

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper

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


def fetch_all(sql: str, params: Sequence) -> list[tuple]:
    """Run one statement in the current transaction, prepared on PostgreSQL, and return its rows.

    The cursor goes through Django's wrapper, so errors come out as django.db exceptions and the
    statement is logged and counted like any other (CaptureQueriesContext, debug logging).
    """
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a lookup through a context-local
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    db.ensure_connection()
    raw = db.connection
    # Preparing costs a round trip of its own the first time, repaid only by a connection that is
    # kept (CONN_MAX_AGE): with a connection per request the values are still bound on the server
    # (no quoting in Python) but the statement is not prepared.
    raw_cursor = _PreparingCursor(raw) if db.settings_dict.get("CONN_MAX_AGE") else psycopg.Cursor(raw)
    wrapped = _LoggedCursor(raw_cursor, db) if db.queries_logged else db.make_cursor(raw_cursor)  # type: ignore[arg-type]  # stubs: takes a DB-API one
    threshold = raw.prepare_threshold
    raw.prepare_threshold = _ONLY_WHEN_ASKED if threshold is None else threshold
    try:
        with wrapped:
            wrapped.execute(sql, params)
            return wrapped.fetchall()
    finally:
        raw.prepare_threshold = threshold
