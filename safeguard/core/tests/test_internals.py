"""One test per framework-upgrade assumption `safeguard.core.internals` makes (ADR 0097).

Each test is named after the assumption it checks, so a Django, psycopg or django-tasks upgrade that
breaks one fails a test that says which, and the module docstring it points to says what relies on it.
Some need PostgreSQL (the paths they guard run only there); CI runs the suite on both databases.
"""

import hashlib
import inspect
import sys
import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models.base import ModelState
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from safeguard.audit.models import AuditEntry
from safeguard.core import bulk
from safeguard.core.internals import models as internal_models
from safeguard.core.internals import runtime
from safeguard.core.internals import sql as internal_sql
from safeguard.core.internals import tasks as internal_tasks
from safeguard.core.prepared import fetch_all
from safeguard.triage.tasks import triage_report

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the path it guards is PostgreSQL's")


def _entry_values(**more) -> dict:
    return {
        "sequence": 1,
        "at": timezone.now(),
        "action": "collection",
        "actor_label": "system: internals test",
        "object_type": "test.thing",
        "object_id": "1",
        "previous_hash": "0" * 64,
        "entry_hash": "1" * 64,
        **more,
    }


def _unwrapped(value):
    return getattr(value, "obj", value)  # psycopg's Jsonb compares by identity; its document by value


def _backend() -> DatabaseBackend:
    return DatabaseBackend("default", {"QUEUES": ["default"]})


# --- models: instances without __init__ ------------------------------------------------------------------


def test_instance_built_without_init_is_what_the_constructor_builds():
    values = _entry_values()
    [fast] = internal_models.build_unsaved(AuditEntry, [values])
    slow = AuditEntry(**values)
    # An instance is its attnames plus a fresh ModelState: nothing else set by __init__.
    assert set(vars(fast)) == set(vars(slow))
    assert type(slow._state) is ModelState and type(fast._state) is ModelState
    assert (fast._state.adding, fast._state.db) == (slow._state.adding, slow._state.db) == (True, None)
    for field in AuditEntry._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.attname
    [other] = internal_models.build_unsaved(AuditEntry, [values])
    assert fast.detail is not other.detail  # a callable default is called for each instance


def test_instance_built_without_init_saves_and_compares_like_one_built_by_the_constructor():
    [fast] = internal_models.build_unsaved(AuditEntry, [_entry_values(sequence=1)])
    slow = AuditEntry(**_entry_values(sequence=2))
    fast.save()
    slow.save()
    assert fast.pk and fast._state.adding is False and fast._state.db == "default"
    assert AuditEntry.objects.get(pk=fast.pk) == fast and fast != slow
    fast.object_id = "2"
    fast.save()  # an UPDATE now, as for a constructed instance
    assert AuditEntry.objects.count() == 2 and AuditEntry.objects.get(pk=fast.pk).object_id == "2"


def test_instance_built_without_init_runs_init_signal_listeners_through_the_constructor():
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=AuditEntry)
    try:
        [obj] = internal_models.build_unsaved(AuditEntry, [_entry_values()])
    finally:
        post_init.disconnect(listener, sender=AuditEntry)
    assert seen == [obj]


def test_marked_saved_instance_is_updated_not_inserted_by_save():
    [entry] = internal_models.build_unsaved(AuditEntry, [_entry_values()])
    bulk.write_rows(AuditEntry, [{**_entry_values(), "id": 41}])
    entry.pk = 41
    internal_models.mark_saved([entry], connection.alias)
    assert entry._state.adding is False and entry._state.db == connection.alias
    entry.object_id = "changed"
    entry.save()
    assert AuditEntry.objects.count() == 1 and AuditEntry.objects.get(pk=41).object_id == "changed"


def test_cached_relation_is_read_without_a_query_as_the_constructor_caches_it(make_staff, django_assert_num_queries):
    user = make_staff()
    slow = AuditEntry(**_entry_values(), actor=user)
    [fast] = internal_models.build_unsaved(AuditEntry, [_entry_values(actor_id=user.pk)])
    internal_models.cache_related(fast, "actor", user)
    assert fast._state.fields_cache == slow._state.fields_cache == {"actor": user}
    with django_assert_num_queries(0):
        assert fast.actor is user


# --- sql: Django's compiler and cursors ------------------------------------------------------------------


def test_compiler_insert_sql_has_the_shape_we_extend():
    meta = AuditEntry._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    objs = internal_models.build_unsaved(AuditEntry, [_entry_values()])
    sql, params = internal_sql.compiled_insert_sql(AuditEntry, fields, objs)
    table = connection.ops.quote_name(meta.db_table)
    assert sql.startswith(f"INSERT INTO {table} (") and " VALUES (" in sql
    assert sql.rstrip().endswith(f"RETURNING {table}.{connection.ops.quote_name('id')}")
    assert len(params) == len(fields)
    # The columns, in the order core.bulk writes its own INSERT and COPY text on PostgreSQL.
    columns = sql[len(f"INSERT INTO {table} (") : sql.index(") VALUES")]
    assert columns == ", ".join(bulk._plan(AuditEntry, with_pk=False).columns)
    [(new_id,)] = fetch_all(sql, params)
    assert AuditEntry.objects.filter(pk=new_id).exists()


def test_compiler_insert_sql_skips_a_conflicting_row_and_returns_nothing():
    meta = AuditEntry._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    AuditEntry.objects.create(**_entry_values(sequence=7))
    objs = internal_models.build_unsaved(AuditEntry, [_entry_values(sequence=7)])
    sql, params = internal_sql.compiled_insert_sql(AuditEntry, fields, objs, on_conflict_do_nothing=True)
    assert (
        ("ON CONFLICT DO NOTHING" in sql) if connection.vendor == "postgresql" else sql.startswith("INSERT OR IGNORE")
    )
    assert fetch_all(sql, params) == []


@postgres_only
def test_compiler_insert_sql_embeds_in_a_cte():
    meta = AuditEntry._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    objs = internal_models.build_unsaved(AuditEntry, [_entry_values()])
    sql, params = internal_sql.compiled_insert_sql(AuditEntry, fields, objs)
    [(new_id,)] = fetch_all(f"WITH r AS ({sql}) SELECT id FROM r", params)  # noqa: S608
    assert AuditEntry.objects.filter(pk=new_id).exists()


def test_django_cursor_wraps_the_drivers_own_cursor():
    with connection.cursor() as cursor:
        assert isinstance(cursor, CursorWrapper)
        raw = cursor.cursor
        assert not isinstance(raw, CursorWrapper)  # the driver's (Django subclasses both drivers' cursors)
        if connection.vendor == "postgresql":
            import psycopg

            assert isinstance(raw, psycopg.Cursor) and callable(raw.copy)


@postgres_only
def test_copy_through_djangos_cursor_writes_the_rows():
    plan = bulk._plan(AuditEntry, with_pk=True)
    [entry] = internal_models.build_unsaved(AuditEntry, [_entry_values(id=5)])
    internal_sql.copy_rows(plan.copy_sql, bulk._rows(plan, [entry]))
    assert AuditEntry.objects.get(pk=5).object_type == "test.thing"


def test_wrapped_cursor_path_is_the_one_django_runs_execute_wrappers_through():
    # What _LoggedCursor calls: Django's own execute, unchanged in shape.
    params = list(inspect.signature(CursorWrapper._execute_with_wrappers).parameters)
    assert params == ["self", "sql", "params", "many", "executor"]
    assert list(inspect.signature(CursorWrapper._execute).parameters)[:3] == ["self", "sql", "params"]
    assert "debug_sql" in vars(CursorDebugWrapper)
    assert callable(connection.make_cursor) and isinstance(connection.queries_logged, bool)


@postgres_only
def test_wrapped_cursor_still_runs_execute_wrappers_logs_and_translates_errors():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(wrapper):
        assert fetch_all("SELECT %s::int + 1", [1]) == [(2,)]
    assert seen == ["SELECT %s::int + 1"]
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1::int + 1"]
    AuditEntry.objects.create(**_entry_values(sequence=9))
    meta = AuditEntry._meta
    objs = internal_models.build_unsaved(AuditEntry, [_entry_values(sequence=9)])
    sql, params = internal_sql.compiled_insert_sql(
        AuditEntry, [f for f in meta.concrete_fields if f is not meta.pk], objs
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fetch_all(sql, params)


@postgres_only
def test_django_leaves_psycopgs_prepare_threshold_none_and_it_is_restored():
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is None  # Django's setting: never prepare
    with internal_sql.server_bound_cursor(connection, prepare=True) as cursor:
        assert connection.connection.prepare_threshold is not None
        cursor.execute("SELECT %s::int", [1])
        assert cursor.fetchall() == [(1,)]
    assert connection.connection.prepare_threshold is None


# --- tasks: forged django-tasks-db rows ------------------------------------------------------------------


def test_forged_task_row_has_the_fields_dbtaskresult_expects_with_the_values_enqueue_writes():
    backend = _backend()
    columns, template = internal_tasks.task_row_template(backend, triage_report)
    quote = connection.ops.quote_name
    assert columns == ", ".join(quote(f.column) for f in DBTaskResult._meta.concrete_fields)
    by_attname = dict(zip([f.attname for f in DBTaskResult._meta.concrete_fields], template, strict=True))
    markers = {name: value for name, value in by_attname.items() if isinstance(value, str)}
    assert markers == {"id": internal_tasks.ID, "enqueued_at": internal_tasks.NOW, "args_kwargs": internal_tasks.ARGS}

    enqueued = backend.enqueue(triage_report, (123,), {}).db_result
    enqueued.refresh_from_db()
    assert enqueued.args_kwargs == {"args": [123], "kwargs": {}}  # what insert_task_row_sql builds in SQL
    for name, value in by_attname.items():
        if name not in markers:
            field = DBTaskResult._meta.get_field(name)
            expected = field.get_db_prep_save(getattr(enqueued, name), connection)
            assert _unwrapped(value[1]) == _unwrapped(expected), name
    assert enqueued.run_after == get_date_max()  # django-tasks-db's pre_save receiver, for "no delay"


def test_backend_ids_come_from_get_id_and_honour_id_function():
    assert isinstance(_backend()._get_id(), uuid.UUID)  # the model's default, uuid4
    fixed = uuid.UUID(int=7)
    backend = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {"id_function": lambda: fixed}})
    assert backend._get_id() == fixed
    params = internal_tasks.task_row_params(backend, internal_tasks.task_row_template(backend, triage_report)[1])
    assert params[0] == fixed


def test_task_enqueued_has_only_django_tasks_own_receiver():
    from django_tasks.signals import task_enqueued

    assert len(task_enqueued.receivers) <= 1  # its debug log line: forging skips no one's listener

    def listener(**kwargs):
        pass

    task_enqueued.connect(listener)
    try:
        assert len(task_enqueued.receivers) == 2
        assert internal_tasks.can_write_task_rows(_backend()) is False
    finally:
        task_enqueued.disconnect(listener)
    assert internal_tasks.can_write_task_rows(_backend()) is (connection.vendor == "postgresql")
    assert f"{DatabaseBackend.__module__}.{DatabaseBackend.__qualname__}" == internal_tasks.DATABASE_BACKEND


@postgres_only
def test_forged_task_row_is_claimed_and_run_by_db_workers_query():
    backend = _backend()
    columns, template = internal_tasks.task_row_template(backend, triage_report)
    objs = internal_models.build_unsaved(AuditEntry, [_entry_values()])
    insert, params = bulk.insert_sql(objs)
    sql = internal_tasks.insert_task_row_sql(insert, columns, template)
    [(entry_id,)] = fetch_all(sql, [*params, *internal_tasks.task_row_params(backend, template)])
    row = DBTaskResult.objects.get()
    assert row.args_kwargs == {"args": [entry_id], "kwargs": {}}
    assert abs(row.enqueued_at - timezone.now()) < timedelta(minutes=1)
    claimed = DBTaskResult.objects.ready().get_locked()  # db_worker's query
    assert claimed is not None and claimed.pk == row.pk
    result = claimed.task_result
    assert result.task.func is triage_report.func and result.args == [entry_id] and result.kwargs == {}


# --- rq: the copied enqueue ------------------------------------------------------------------------------

# sha256 of django-tasks-rq 0.12.0's RQBackend.enqueue source: core.internals.rq copies it (adding retry=).
RQ_ENQUEUE_SHA256 = "b6243a79c4c67a9ba75281fa85efa615f367b45b1e99399e8292cad7cd5144b3"


def test_rq_enqueue_we_copy_is_unchanged_upstream():
    pytest.importorskip("django_tasks_rq")
    from django_tasks_rq import backend as upstream

    for name in ("Job", "RQBackend", "failed_callback", "success_callback"):
        assert hasattr(upstream, name), name
    source = inspect.getsource(upstream.RQBackend.enqueue)
    assert hashlib.sha256(source.encode()).hexdigest() == RQ_ENQUEUE_SHA256, (
        "django-tasks-rq's enqueue changed: copy it again into core/internals/rq.py (keeping retry=), then update"
        " the hash"
    )


# --- runtime: process-wide tuning ------------------------------------------------------------------------


def test_fewer_collections_raises_the_young_threshold_and_restores_it_after_an_error():
    import gc

    before = gc.get_threshold()
    with pytest.raises(RuntimeError), runtime.fewer_collections(before[0] + 1000):
        assert gc.get_threshold() == (before[0] + 1000, *before[1:])
        raise RuntimeError
    assert gc.get_threshold() == before
    with runtime.fewer_collections(1):  # never lower than it was
        assert gc.get_threshold() == before


def test_collect_less_often_for_life_sets_only_the_young_threshold():
    import gc

    before = gc.get_threshold()
    try:
        runtime.collect_less_often_for_life(before[0] + 5)
        assert gc.get_threshold() == (before[0] + 5, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_handover_on_time_sets_the_switch_interval_only_when_asked_and_restores_it():
    before = sys.getswitchinterval()
    with runtime.handover_on_time(before / 10, when=False):
        assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError), runtime.handover_on_time(before / 10):
        assert sys.getswitchinterval() == pytest.approx(before / 10)
        raise RuntimeError
    assert sys.getswitchinterval() == before
