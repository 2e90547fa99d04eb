"""Trigram indexes without GIN's pending list: inserts update the index at once, so searches never
scan a growing unsorted pending list (steady search latency under a constant flow of new tickets)."""

from django.db import migrations

INDEXES = ("ticket_subject_trgm", "ticket_uid_trgm")


def fastupdate(value: str):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in INDEXES:
            schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = {value})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_customer_led_indexes_only")]

    operations = [migrations.RunPython(fastupdate("off"), fastupdate("on"))]
