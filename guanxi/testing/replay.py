"""Record what a data builder writes once, and write the same rows again cheaply.

Building the demo organization through its services (validation, audit history,
signals) costs about 800 queries; hundreds of tests start from it. ``record`` runs a
builder once in a transaction that is rolled back and keeps the difference it made to
every table, row by row; ``replay`` writes that difference again with one bulk insert
per table. The rows are the builder's own, so a test sees exactly what the builder
made (``org/tests/test_demo_replay.py`` compares a replay with a real build: people,
roles, departments, branches and every table's row count).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


def _tables():
    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy]


def _rows(model):
    return {row[model._meta.pk.attname]: row for row in model._base_manager.values()}


@dataclass
class Recording:
    inserts: dict = field(default_factory=dict)  # model -> [row]
    updates: dict = field(default_factory=dict)  # model -> {pk: {attname: value}}
    deletes: dict = field(default_factory=dict)  # model -> [pk]
    result: object = None


def table_state():
    """Every row of every table, by model and primary key."""
    return {model: _rows(model) for model in _tables()}


def record(builder):
    """Run ``builder()`` in a rolled-back transaction; return what it wrote."""
    recording = Recording()
    with transaction.atomic():
        before = table_state()
        recording.result = builder()
        after = table_state()
        transaction.set_rollback(True)
    for model, rows in after.items():
        old = before[model]
        new_rows = [row for pk, row in rows.items() if pk not in old]
        if new_rows:
            recording.inserts[model] = new_rows
        changed = {pk: {k: v for k, v in row.items() if old[pk].get(k) != v}
                   for pk, row in rows.items() if pk in old and old[pk] != row}
        if changed:
            recording.updates[model] = changed
        gone = [pk for pk in old if pk not in rows]
        if gone:
            recording.deletes[model] = gone
    return recording


def replay(recording):
    """Write the recorded difference into the current transaction (foreign keys are
    checked at its end, so the order of the tables does not matter)."""
    with transaction.atomic():
        _write(recording)


def _write(recording):
    for model, pks in recording.deletes.items():
        model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
    for model, changes in recording.updates.items():
        for pk, values in changes.items():
            model._base_manager.filter(pk=pk).update(**values)
    for model, rows in recording.inserts.items():
        model._base_manager.bulk_create([model(**row) for row in rows])
    if recording.inserts:
        # Explicit keys do not move PostgreSQL's sequences: the next insert must not collide.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(recording.inserts)):
                cursor.execute(statement)
