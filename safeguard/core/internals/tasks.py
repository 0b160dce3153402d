"""django-tasks-db task rows written by SQL of our own (checked against django-tasks 0.12.0,
django-tasks-db 0.13.0, Django 5.2.19).

`DatabaseBackend.enqueue` makes a model instance, runs an ORM INSERT with a pre_save receiver, builds two
result objects and sends `task_enqueued`. Here the row is written by the caller's own INSERT (a CTE over
its RETURNING), with the values enqueue would have written (ADR 0019), so `db_worker` claims and runs it
as any other.

Private or undocumented names relied on:

- `DatabaseBackend._get_id()` (private): the row's id, from the backend's `id_function` option or the
  model's default (uuid4).
- The backend's class path `django_tasks_db.backend.DatabaseBackend`, and `enqueue` writing nothing
  but one `DBTaskResult` row (`_task_to_db_task`): `args_kwargs` the document
  `normalize_json({"args": args, "kwargs": kwargs})`, `priority`, `task_path` (`Task.module_path`),
  `queue_name`, `backend_name`, `run_after` (`get_date_max()` for "no delay": the `set_run_after`
  pre_save receiver in `django_tasks_db.signal_handlers`), `enqueued_at` (auto_now_add) and the
  status's default (READY) for the rest.
- `django_tasks_db.models.get_date_max` (undocumented), and `DBTaskResult.objects.ready()` /
  `get_locked()` finding such a row (what `db_worker` runs).
- `task_enqueued.receivers` (undocumented attribute of `Signal`): django-tasks connects one receiver
  of its own (a debug log line); with any other listener the row is not forged, so nobody misses the signal.

Tests: `safeguard/core/tests/test_internals.py` (`test_forged_task_row_*`, `test_backend_ids_*`,
`test_task_enqueued_*`).
"""

from django.db import connection
from django.utils import timezone

DATABASE_BACKEND = "django_tasks_db.backend.DatabaseBackend"

# Markers in a row template: values that differ per row (the rest are constants of the task and backend).
ID, NOW, ARGS = "id", "now", "args"


def can_write_task_rows(backend) -> bool:
    """True where a task row may be written by SQL of our own instead of `backend.enqueue`: the database
    backend on PostgreSQL, and nobody but django-tasks listening for `task_enqueued`."""
    from django_tasks.signals import task_enqueued

    kind = f"{type(backend).__module__}.{type(backend).__qualname__}"
    # django-tasks connects one receiver of its own (a debug log line); anything more wants the signal.
    return connection.vendor == "postgresql" and kind == DATABASE_BACKEND and len(task_enqueued.receivers) <= 1


def task_row_template(backend, task) -> tuple[str, tuple]:
    """The task table's quoted column list and, per column, its value (`("value", v)`) or a marker
    (ID, NOW, ARGS). The same for every row of this task on this backend: make it once."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(task)  # what enqueue checks each time; the task cannot change while running
    template = DBTaskResult(
        args_kwargs={},
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),  # what django-tasks-db's pre_save receiver sets
        backend_name=backend.alias,
    )
    quote = connection.ops.quote_name
    columns, values = [], []
    for field in DBTaskResult._meta.concrete_fields:
        columns.append(quote(field.column))
        if field.primary_key:
            values.append(ID)
        elif field.attname == "enqueued_at":
            values.append(NOW)
        elif field.attname == "args_kwargs":
            values.append(ARGS)
        else:
            values.append(("value", field.get_db_prep_save(getattr(template, field.attname), connection)))
    return ", ".join(columns), tuple(values)


def task_row_params(backend, template: tuple) -> list:
    """One row's parameters for `insert_task_row_sql`'s statement: a fresh id, the time now, the constants."""
    row_params = []
    for value in template:
        if value == ARGS:
            continue  # from the caller's RETURNING, in the statement
        if value == ID:
            row_params.append(backend._get_id())  # the backend's id function (uuid4 unless configured)
        elif value == NOW:
            row_params.append(timezone.now())
        else:
            row_params.append(value[1])
    return row_params


def insert_task_row_sql(insert_sql: str, columns: str, template: tuple) -> str:
    """`insert_sql` (an INSERT .. RETURNING id of one row) extended to queue the task with that id as its
    one argument; the statement returns the id. Nothing inserted (ON CONFLICT DO NOTHING): nothing queued.
    Its parameters: the INSERT's, then `task_row_params`."""
    from django_tasks_db.models import DBTaskResult

    # The arguments are the same document normalize_json({"args": (id,), "kwargs": {}}) gives.
    args = "jsonb_build_object('args', jsonb_build_array(r.id), 'kwargs', '{}'::jsonb)"
    selects = [args if value == ARGS else "%s" for value in template]
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    return (
        f"WITH r AS ({insert_sql}), "  # noqa: S608 - column names from the model, values as parameters
        f"t AS (INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} FROM r) "
        "SELECT id FROM r"
    )
