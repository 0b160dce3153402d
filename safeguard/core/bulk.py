"""Fast multi-row inserts: the partner batch endpoint, audit.record_many and the referral import.

Two entry points, one writer: `insert_many` for unsaved model instances (their keys are set), and
`write_rows` for plain dicts keyed by attname (the referral import, which makes no instances).

On PostgreSQL, Django's bulk_create sends each column as an array parameter (INSERT ... UNNEST), and
psycopg escapes every element of those arrays in Python: for JSON-heavy rows that escaping costs more
than everything else in a batch. Here ids come from the table's sequence in one query and the rows go
in with COPY, which psycopg formats in C. Other databases (SQLite) use bulk_create.

Per row, the column values are read by one `attrgetter` (C), and only the columns that need it get
Python per value: JSON (pydantic-core's Rust encoder) and datetimes that are not already aware. What
a column needs is worked out once per model (`_plan`), not per row (ADR 0018, round 4).

Django's compiler and the driver's COPY are reached through `core.internals.sql` (ADR 0097).
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    TextField,
    UUIDField,
)
from django.utils import timezone
from pydantic_core import to_json

from .internals.models import mark_saved
from .internals.sql import compiled_insert_sql, copy_rows


def insert_many(model: type[Model], objs: Sequence[Model]) -> None:
    """Insert unsaved instances, setting their primary keys. Runs in the caller's transaction."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=1000)
        return
    pk = model._meta.pk.attname
    for obj, new_id in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.__dict__[pk] = new_id
    plan = _plan(model, with_pk=True)
    _stamp(plan, objs)
    copy_rows(plan.copy_sql, _rows(plan, objs))
    mark_saved(objs, connection.alias)


def write_rows(model: type[Model], rows: list[dict]) -> None:
    """Insert plain rows: dicts keyed by attname, no instances. A column a dict leaves out gets the
    model's default (auto_now(_add): the time now; a nullable one: NULL; text: ""), so a column another
    app adds later (with a default) does not break the caller; the key too, from the sequence, when
    the first row has none. COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    now = timezone.now()
    pk = model._meta.pk
    plan = _plan(model, with_pk=pk.attname in rows[0])
    fields = [f for f in model._meta.concrete_fields if f is not pk or pk.attname in rows[0]]
    defaults: list[object] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        elif isinstance(f, CharField | TextField):
            defaults.append("")
        else:
            defaults.append(None)
    names = [f.attname for f in fields]
    values = _dict_values(rows, names, defaults, [_dict_converter(f) for f in fields])
    if connection.vendor == "postgresql":
        copy_rows(plan.copy_sql, values)
        return
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {plan.table} ({', '.join(plan.columns)}) VALUES ({placeholders})",  # noqa: S608
            values,
        )


def rows_where_in(columns: str, table: str, column: str, values: list, *, extra: tuple | None = None) -> list[tuple]:
    """Rows whose `column` is one of `values` (and `extra` = (column, value) if given): one `= ANY(array)` query
    on PostgreSQL, IN batches on SQLite. `columns`, `table`, `column` are our own names, never input.

    Plain SQL: the ORM's compilation of a 5,000-value IN list costs more than the index lookups themselves.
    """
    rows: list[tuple] = []
    condition, condition_params = (f" AND {extra[0]} = %s", [extra[1]]) if extra else ("", [])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {column} = ANY(%s){condition}",  # noqa: S608 - our names
                [values, *condition_params],
            )
            return cursor.fetchall()
        for start in range(0, len(values), 900):
            part = values[start : start + 900]
            cursor.execute(
                f"SELECT {columns} FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(part))}){condition}",  # noqa: S608
                [*part, *condition_params],
            )
            rows += cursor.fetchall()
    return rows


def allocate_ids(model: type[Model], count: int) -> list[int]:
    """Primary keys for rows about to be written in this transaction.

    PostgreSQL: from the table's sequence. Elsewhere (SQLite): after the current maximum, which is safe
    only while the transaction holds the database's write lock from its start (the referral import's
    SQLite settings: "transaction_mode": "IMMEDIATE").
    """
    if count == 0:
        return []
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")  # noqa: S608 - our own names
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert_sql(objs: Sequence[Model], *, on_conflict_do_nothing: bool = False) -> tuple[str, list]:
    """INSERT .. VALUES .. RETURNING id for these new rows of one model, to execute or embed in a CTE.

    On PostgreSQL the statement text is made once per model and row count and the values read
    straight off the instances (as for COPY): compiling Django's InsertQuery for every row costs
    more than the database takes to run it. Elsewhere Django's own compiler makes it.
    """
    model = type(objs[0])
    meta = model._meta
    if connection.vendor != "postgresql":
        fields = [f for f in meta.concrete_fields if f is not meta.pk]
        return compiled_insert_sql(model, fields, objs, on_conflict_do_nothing=on_conflict_do_nothing)
    plan = _plan(model, with_pk=False)
    key = (model, len(objs), on_conflict_do_nothing)
    sql = _INSERTS.get(key)
    if sql is None:
        row = "(" + ", ".join(["%s"] * len(plan.columns)) + ")"
        sql = _INSERTS[key] = (
            f"INSERT INTO {plan.table} ({', '.join(plan.columns)}) "  # noqa: S608 - names from the model
            f"VALUES {', '.join([row] * len(objs))}"
            f"{' ON CONFLICT DO NOTHING' if on_conflict_do_nothing else ''} "
            f"RETURNING {connection.ops.quote_name(column_of(meta.pk))}"
        )
    _stamp(plan, objs)
    return sql, [value for row in _rows(plan, objs) for value in row]


_INSERTS: dict[tuple, str] = {}


@dataclass(frozen=True)
class _Plan:
    """How one model's rows become COPY / INSERT values, worked out once."""

    table: str
    columns: tuple[str, ...]
    copy_sql: str
    values: Callable[[Model], tuple]  # every column's attribute, in column order, in one C call
    convert: tuple[tuple[int, Callable[[object], object]], ...]  # (column, value converter) where needed
    generic: tuple[tuple[int, Callable[[Model], object]], ...]  # (column, Django's own pre_save + prep)
    stamped: tuple[str, ...]  # auto_now / auto_now_add attributes, set to one time per batch


@cache
def _plan(model: type[Model], *, with_pk: bool) -> _Plan:
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if with_pk or f is not pk]
    quote = connection.ops.quote_name
    columns = tuple(quote(column_of(f)) for f in fields)
    table = quote(model._meta.db_table)
    convert: list[tuple[int, Callable[[Any], object]]] = []
    generic: list[tuple[int, Callable[[Model], object]]] = []
    stamped: list[str] = []
    for index, field in enumerate(fields):
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            stamped.append(field.attname)  # set on the instance first (as pre_save does), then read plainly
        elif isinstance(field, JSONField):
            convert.append((index, _json_text(field)))
        elif isinstance(field, DateTimeField):
            convert.append((index, _aware(field)))
        elif not isinstance(field, _PLAIN_FIELDS):
            generic.append((index, _generic(field)))
    return _Plan(
        table=table,
        columns=columns,
        copy_sql=f"COPY {table} ({', '.join(columns)}) FROM STDIN",
        values=_getter([f.attname for f in fields]),
        convert=tuple(convert),
        generic=tuple(generic),
        stamped=tuple(stamped),
    )


def column_of(field: Field) -> str:
    """A concrete field's column (django-stubs types `Field.column` optional: None only for non-concrete fields)."""
    return field.column  # type: ignore[return-value]


def _getter(names: list[str]) -> Callable[[Model], tuple]:
    if len(names) > 1:
        return attrgetter(*names)
    # attrgetter of a single name returns the bare value, not a 1-tuple.
    return (lambda obj: (getattr(obj, names[0]),)) if names else (lambda obj: ())


def _stamp(plan: _Plan, objs: Sequence[Model]) -> None:
    """What Django's pre_save does for auto_now(_add) fields on insert: the time, set on the instance."""
    if plan.stamped:
        now = timezone.now()
        times = dict.fromkeys(plan.stamped, now)
        for obj in objs:
            obj.__dict__.update(times)


def _rows(plan: _Plan, objs: Sequence[Model]) -> Sequence[tuple | list]:
    get, convert, generic = plan.values, plan.convert, plan.generic
    if not convert and not generic:
        return [get(obj) for obj in objs]
    rows = []
    for obj in objs:
        row = list(get(obj))
        for index, value_of in convert:
            value = row[index]
            if value is not None:
                row[index] = value_of(value)
        for index, prepare in generic:
            row[index] = prepare(obj)
        rows.append(row)
    return rows


def _dict_converter(field: Field) -> Callable[[Any], object] | None:
    if isinstance(field, JSONField):
        return _json_text(field)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts the rest in C
    if isinstance(field, DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, DateField):
        return lambda v: v.isoformat() if isinstance(v, date) else v
    return None


def _dict_values(rows: list[dict], names: list[str], defaults: list, converters: list) -> list:
    """Each row's values in column order, defaults filled in and JSON encoded.

    The merge (`{**defaults, **row}`) and the pick (`itemgetter`) run in C: a per-field Python loop here was a
    quarter of a referral import's CPU time (docs/adr/0073). Only the columns with a converter get Python per value.
    """
    template = dict(zip(names, defaults, strict=True))
    pick = itemgetter(*names) if len(names) > 1 else (lambda merged: (merged[names[0]],))
    converting = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    if not converting:
        return [pick({**template, **row}) for row in rows]
    values = []
    for row in rows:
        out = list(pick({**template, **row}))
        for i, convert in converting:
            if out[i] is not None:
                out[i] = convert(out[i])
        values.append(out)
    return values


def _json_text(field: JSONField) -> Callable[[object], str]:
    encoder = field.encoder
    if encoder is None:
        # pydantic-core's Rust encoder: several times json.dumps on report details. The text differs
        # from json.dumps' only in spacing and in not escaping non-ASCII, which jsonb does not keep.
        return lambda value: to_json(value).decode()
    return lambda value: json.dumps(value, cls=encoder)  # a field's own encoder decides its format


def _aware(field: DateTimeField) -> Callable[[object], object]:
    """Aware datetimes go as they are (psycopg dumps them in C); anything else the generic way, so a
    naive one still gets Django's warning and the current time zone."""

    def value(dt):
        if getattr(dt, "tzinfo", None) is not None:
            return dt
        return field.get_db_prep_value(field.get_prep_value(dt), connection)

    return value


def _generic(field: Field) -> Callable[[Model], object]:
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


# Their attribute already is what PostgreSQL's text input reads.
_PLAIN_FIELDS = (CharField, TextField, IntegerField, BooleanField, DateField, UUIDField, ForeignKey)
