"""Queue `triage_report` in the same statement that inserts the report (PostgreSQL, database task backend).

django-tasks' own `enqueue` makes a model instance, runs an ORM INSERT with its pre_save signal, builds
two result objects and sends `task_enqueued`: about a fifth of a partner submission's CPU, and a round
trip of its own. Here the report's `INSERT .. RETURNING id` becomes a CTE and the task row is inserted
from its result in the same statement, with the values django-tasks-db would have written (ADR 0019).
The row is an ordinary django-tasks-db row: `manage.py db_worker` claims and runs it as any other.
Anywhere else (another backend, SQLite, listeners on `task_enqueued`) the caller enqueues as usual.
"""

from functools import cache, lru_cache

from django.db import connection
from django.utils import timezone

from safeguard.core.bulk import column_of

DATABASE_BACKEND = "django_tasks_db.backend.DatabaseBackend"


def _backend():
    from .tasks import triage_report

    return triage_report.get_backend()


def _task():
    from .tasks import triage_report

    return triage_report


def _usable(backend) -> bool:
    from django_tasks.signals import task_enqueued

    kind = f"{type(backend).__module__}.{type(backend).__qualname__}"
    # django-tasks connects one receiver of its own (a debug log line); anything more wants the signal.
    return connection.vendor == "postgresql" and kind == DATABASE_BACKEND and len(task_enqueued.receivers) <= 1


@cache
def _row_template(alias: str) -> tuple[str, tuple]:
    """Column list and the per-column value or marker, made once per backend (same for every report)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend, task = _backend(), _task()
    backend.validate_task(task)  # what enqueue checks each time; the task cannot change while running
    template: DBTaskResult = DBTaskResult(
        args_kwargs={},
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),  # what django-tasks-db's pre_save receiver sets
        backend_name=alias,
    )
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[str | tuple[str, object]] = []
    for field in DBTaskResult._meta.concrete_fields:
        columns.append(quote(column_of(field)))
        if field.primary_key:
            values.append("id")
        elif field.attname == "enqueued_at":
            values.append("now")
        elif field.attname == "args_kwargs":
            values.append("args")
        else:
            values.append(("value", field.get_db_prep_save(getattr(template, field.attname), connection)))
    return ", ".join(columns), tuple(values)


def insert_with_triage(insert_sql: str, params: list) -> tuple[str, list] | None:
    """`insert_sql` (an INSERT .. RETURNING id of one report) extended to queue triage_report(id) too.

    Returns the statement and its parameters, or None where the task must be enqueued the usual way.
    A report that is not inserted (ON CONFLICT DO NOTHING) queues nothing: the row comes from its RETURNING.
    """
    backend = _backend()
    if not _usable(backend):
        return None
    sql = _statement(insert_sql, backend.alias)
    _, template = _row_template(backend.alias)
    row_params = []
    for value in template:
        if value == "args":
            continue  # from the report's RETURNING, in the statement
        if value == "id":
            row_params.append(backend._get_id())  # the backend's id function (uuid4 unless configured)
        elif value == "now":
            row_params.append(timezone.now())
        else:
            row_params.append(value[1])
    return sql, [*params, *row_params]


@lru_cache(maxsize=32)
def _statement(insert_sql: str, alias: str) -> str:
    """The combined statement for this report INSERT. Made once: the report INSERT's text is the same
    for every report (core/bulk.insert_sql), and the task row's columns are the model's (its values,
    which the backend's settings decide, are parameters taken from `_row_template` on each call)."""
    from django_tasks_db.models import DBTaskResult

    columns, template = _row_template(alias)

    # The arguments are the same document normalize_json({"args": (id,), "kwargs": {}}) gives.
    args = "jsonb_build_object('args', jsonb_build_array(r.id), 'kwargs', '{}'::jsonb)"
    selects = [args if value == "args" else "%s" for value in template]
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    return (
        f"WITH r AS ({insert_sql}), "  # noqa: S608 - column names from the model, values as parameters
        f"t AS (INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} FROM r) "
        "SELECT id FROM r"
    )
