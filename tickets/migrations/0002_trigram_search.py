"""Trigram GIN indexes for `search` on ticket subject and UID (PostgreSQL only; skipped elsewhere).

Django's `icontains` on PostgreSQL compiles to `UPPER(col::text) LIKE UPPER(%s)`, so the indexes are
built on exactly that expression; the planner then answers substring searches from the index."""

from django.db import migrations

INDEXES = {
    "ticket_subject_trgm": "UPPER((subject)::text)",
    "ticket_uid_trgm": "UPPER((uid)::text)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON tickets_ticket USING gin ({expression} gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
