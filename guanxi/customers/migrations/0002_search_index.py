"""The name index of the duplicate check: GIN on PostgreSQL, FTS5 on SQLite.

The SQL is frozen here (not imported from the app) so this migration never changes.
"""

from django.db import migrations

FTS = "customers_customer_fts"
SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(search_tokens, content='customers_customer', "
    "content_rowid='id', detail=none, tokenize='unicode61')",
    f"CREATE TRIGGER IF NOT EXISTS customers_fts_ai AFTER INSERT ON customers_customer BEGIN "
    f"INSERT INTO {FTS}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS customers_fts_ad AFTER DELETE ON customers_customer BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); END",
    f"CREATE TRIGGER IF NOT EXISTS customers_fts_au AFTER UPDATE OF search_tokens ON customers_customer BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_tokens) VALUES ('delete', old.id, old.search_tokens); "
    f"INSERT INTO {FTS}(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS}_vocab USING fts5vocab({FTS}, 'row')",
]
SQLITE_DROP = [
    f"DROP TABLE IF EXISTS {FTS}_vocab",
    "DROP TRIGGER IF EXISTS customers_fts_au",
    "DROP TRIGGER IF EXISTS customers_fts_ad",
    "DROP TRIGGER IF EXISTS customers_fts_ai",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRES = ["CREATE INDEX IF NOT EXISTS customer_search_tokens_gin ON customers_customer "
            "USING gin (string_to_array(search_tokens, ' '))"]
POSTGRES_DROP = ["DROP INDEX IF EXISTS customer_search_tokens_gin"]


def _run(schema_editor, sqlite, postgres):
    vendor = schema_editor.connection.vendor
    for statement in sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []:
        schema_editor.execute(statement)


def install(apps, schema_editor):
    _run(schema_editor, SQLITE, POSTGRES)


def uninstall(apps, schema_editor):
    _run(schema_editor, SQLITE_DROP, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
