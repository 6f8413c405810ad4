"""Insert many rows fast: COPY on PostgreSQL, executemany on SQLite.

``bulk_create`` spends most of its time building SQL and adapting every value through
every field; imports of a million rows do not need that. Values are adapted once per
field type, ids are taken from the sequence (PostgreSQL) or after the current maximum
under the write lock (SQLite, whose transactions here are IMMEDIATE). No signals are
sent, exactly as with ``bulk_create``. Call inside a transaction.
"""

import json

from django.db import connection, models


def _converter(field, vendor):
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False) if value is not None else None
    if vendor == "sqlite":
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(field, models.DecimalField):
            return lambda value: None if value is None else str(value)
    return None


def insert_objects(model, objs):
    """Insert unsaved model instances; set and return their primary keys."""
    if not objs:
        return objs
    vendor = connection.vendor
    fields = list(model._meta.concrete_fields)
    columns = [f.column for f in fields]
    converters = [_converter(f, vendor) for f in fields]
    table = model._meta.db_table
    pk = model._meta.pk
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if obj.pk is None]
        if missing:
            if vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, pk.column, len(missing)])
                ids = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute(f'SELECT COALESCE(MAX("{pk.column}"), 0) FROM "{table}"')  # noqa: S608 - model names
                start = cursor.fetchone()[0] + 1
                ids = range(start, start + len(missing))
            for obj, new_id in zip(missing, ids, strict=True):
                setattr(obj, pk.attname, new_id)
        rows = []
        for obj in objs:
            row = []
            for field, convert in zip(fields, converters, strict=True):
                value = getattr(obj, field.attname)
                row.append(convert(value) if convert is not None else value)
            rows.append(row)
    insert_into(table, columns, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"
    return objs


def insert_rows(model, attnames, rows):
    """Insert plain rows (tuples in the order of ``attnames``, values ready for the database:
    numbers, strings, ISO dates) without building model instances; columns left out take
    their database default (the primary key its sequence). Call inside a transaction."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    insert_into(model._meta.db_table, [fields[name].column for name in attnames], rows)


def insert_into(table, columns, rows):
    """Insert plain rows into a table by name (a model's, or a temporary table of the caller's
    making): COPY on PostgreSQL, one executemany on SQLite. Call inside a transaction."""
    column_sql = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({column_sql}) FROM STDIN') as copy:  # noqa: S608 - our names
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({column_sql}) VALUES ({placeholders})', rows)  # noqa: S608
