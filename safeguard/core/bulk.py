"""Fast multi-row inserts (the partner batch endpoint, audit.record_many).

On PostgreSQL, Django's bulk_create sends each column as an array parameter (INSERT ... UNNEST), and
psycopg escapes every element of those arrays in Python: for JSON-heavy rows that escaping costs more
than everything else in a batch. Here ids come from the table's sequence in one query and the rows go
in with COPY, which psycopg writes in C. Other databases (SQLite) use bulk_create.
"""

import json
from collections.abc import Callable
from operator import attrgetter

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
    UUIDField,
)
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery


def insert_many(model: type[Model], objs: list[Model]) -> None:
    """Insert unsaved instances, setting their primary keys. Runs in the caller's transaction."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000)
        return
    meta = model._meta
    pk = meta.pk
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        for obj, new_id in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, new_id)
        fields = list(meta.concrete_fields)
        columns = ", ".join(quote(f.column) for f in fields)
        convert = [_copy_value(f) for f in fields]
        raw = cursor.cursor  # psycopg's own cursor, same connection and transaction
        with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([value(obj) for value in convert])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_sql(objs: list[Model], *, on_conflict_do_nothing: bool = False) -> tuple[str, list]:
    """INSERT .. VALUES .. RETURNING id for these new rows of one model, to execute or embed in a CTE.

    On PostgreSQL the statement text is made once per model and row count and the values read
    straight off the instances (as for COPY): compiling Django's InsertQuery for every row costs
    more than the database takes to run it. Elsewhere Django's own compiler makes it.
    """
    model = type(objs[0])
    meta = model._meta
    if connection.vendor != "postgresql":
        query = InsertQuery(model, on_conflict=OnConflict.IGNORE if on_conflict_do_nothing else None)
        query.insert_values([f for f in meta.concrete_fields if f is not meta.pk], objs)
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [meta.pk]
        [(sql, params)] = compiler.as_sql()
        return sql, list(params)
    key = (model, len(objs), on_conflict_do_nothing)
    cached = _INSERTS.get(key)
    if cached is None:
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(objs))}"
            f"{' ON CONFLICT DO NOTHING' if on_conflict_do_nothing else ''} RETURNING {quote(meta.pk.column)}"
        )
        cached = _INSERTS[key] = (sql, [_copy_value(f) for f in fields])
    sql, convert = cached
    return sql, [value(obj) for obj in objs for value in convert]


_INSERTS: dict[tuple, tuple[str, list]] = {}


def _copy_value(field: Field) -> Callable[[Model], object]:
    """How to get one column's COPY value from an instance.

    Django's get_db_prep_save(pre_save(..)) runs several generic calls per field and row, more than
    the COPY itself costs; for the plain field types the attribute already is what PostgreSQL's text
    input reads (JSON is dumped with the field's encoder). Anything else goes the generic way.
    """
    attname = field.attname
    if isinstance(field, JSONField):
        encoder = field.encoder

        def json_text(obj: Model) -> str | None:
            value = getattr(obj, attname)
            return None if value is None else json.dumps(value, cls=encoder)

        return json_text
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if isinstance(field, _PLAIN_FIELDS) and not automatic:
        return attrgetter(attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


_PLAIN_FIELDS = (CharField, TextField, IntegerField, BooleanField, DateField, UUIDField, ForeignKey)
