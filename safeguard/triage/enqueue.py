"""Queue `triage_report` in the same statement that inserts the report (PostgreSQL, database task backend).

django-tasks' own `enqueue` makes a model instance, runs an ORM INSERT with its pre_save signal, builds
two result objects and sends `task_enqueued`: about a fifth of a partner submission's CPU, and a round
trip of its own. Here the report's `INSERT .. RETURNING id` becomes a CTE and the task row is inserted
from its result in the same statement, with the values django-tasks-db would have written (ADR 0019).
The row is an ordinary django-tasks-db row: `manage.py db_worker` claims and runs it as any other.
Anywhere else (another backend, SQLite, listeners on `task_enqueued`) the caller enqueues as usual.

How the row is forged (its columns and values, the backend's ids) is `core.internals.tasks` (ADR 0097).
"""

from functools import cache, lru_cache

from safeguard.core.internals.tasks import (
    DATABASE_BACKEND,
    can_write_task_rows,
    insert_task_row_sql,
    task_row_params,
    task_row_template,
)

from .task_priority import triage_priority

__all__ = ["DATABASE_BACKEND", "insert_with_triage"]


def _backend():
    from .tasks import triage_report

    return triage_report.get_backend()


def _task():
    from .tasks import triage_report

    return triage_report


@cache
def _row_template(alias: str, priority: int) -> tuple[str, tuple]:
    """Column list and the per-column value or marker, made once per backend and task priority (the same for
    every report of a band: the priority is one of the constants)."""
    return task_row_template(_backend(), _task().using(priority=priority))


def insert_with_triage(report, insert_sql: str, params: list) -> tuple[str, list] | None:
    """`insert_sql` (an INSERT .. RETURNING id of `report`) extended to queue triage_report(id) too, at the
    priority `enqueue_triage` gives it (its first band's, set before the INSERT: task_priority.py).

    Returns the statement and its parameters, or None where the task must be enqueued the usual way.
    A report that is not inserted (ON CONFLICT DO NOTHING) queues nothing: the row comes from its RETURNING.
    """
    backend = _backend()
    if not can_write_task_rows(backend):
        return None
    priority = triage_priority(report.priority)
    sql = _statement(insert_sql, backend.alias, priority)
    _, template = _row_template(backend.alias, priority)
    return sql, [*params, *task_row_params(backend, template)]


@lru_cache(maxsize=32)
def _statement(insert_sql: str, alias: str, priority: int) -> str:
    """The combined statement for this report INSERT. Made once: the report INSERT's text is the same
    for every report (core/bulk.insert_sql), and the task row's columns are the model's (its values,
    which the backend's settings and the band decide, are parameters taken from `_row_template` on each call:
    the text is the same whatever the priority)."""
    columns, template = _row_template(alias, priority)
    return insert_task_row_sql(insert_sql, columns, template)
