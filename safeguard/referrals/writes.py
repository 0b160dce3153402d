"""Bulk row writes for the import pipeline: COPY on PostgreSQL, executemany on SQLite, no per-row ORM saves.

Rows are plain dicts keyed by field attname; a field a dict leaves out gets the model's default, so a
column another app adds later (with a default) does not break the import.
"""

from datetime import date, datetime
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone
from pydantic_core import to_json


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for rows about to be written in this transaction.

    PostgreSQL: from the table's sequence. SQLite: after the current maximum (safe: the import's transaction
    holds SQLite's write lock from its start, see settings "transaction_mode": "IMMEDIATE").
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


def _converter(field: models.Field):
    if isinstance(field, models.JSONField):
        # pydantic-core's Rust encoder (already a dependency): ~2.5x json.dumps on report details (ADR 0075).
        return lambda v: None if v is None else to_json(v).decode()
    if connection.vendor == "postgresql":
        return None
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return lambda v: v.isoformat() if isinstance(v, date) else v
    return None


def _row_values(rows: list[dict], names: list[str], defaults: list, converters: list) -> list:
    """Each row's values in column order, defaults filled in and JSON encoded.

    The merge (`{**defaults, **row}`) and the pick (`itemgetter`) run in C: a per-field Python loop here was a
    quarter of an import's CPU time (docs/adr/0073). Only the few columns with a converter get Python per value.
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


def write_rows(model: type[models.Model], rows: list[dict]) -> None:
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    defaults = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        elif f.has_default():
            defaults.append(f.get_default())
        elif f.null:
            defaults.append(None)
        elif isinstance(f, models.CharField | models.TextField):
            defaults.append("")
        else:
            defaults.append(None)
    names = [f.attname for f in fields]
    values = _row_values(rows, names, defaults, [_converter(f) for f in fields])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)  # noqa: S608


def now() -> datetime:
    return timezone.now()
