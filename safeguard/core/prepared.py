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

The cursor below Django's (psycopg's server-binding one, wrapped as Django wraps its own) is made by
`core.internals.sql.server_bound_cursor` (ADR 0097).
"""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections

from .internals.sql import server_bound_cursor


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
    # Preparing costs a round trip of its own the first time, repaid only by a connection that is
    # kept (CONN_MAX_AGE): with a connection per request the values are still bound on the server
    # (no quoting in Python) but the statement is not prepared.
    with server_bound_cursor(db, prepare=bool(db.settings_dict.get("CONN_MAX_AGE"))) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
