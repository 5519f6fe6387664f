"""Trigram indexes for the account list's search (PostgreSQL only; nothing on SQLite).

Django's ``icontains`` is ``UPPER(col::text) LIKE UPPER('%word%')`` on PostgreSQL, so the GIN
indexes are on exactly that expression, with pg_trgm's operator class: a search for "客户123"
reads the index instead of every account.
"""

from django.db import migrations

COLUMNS = ("name", "code", "short_name", "english_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS account_{column}_trgm ON accounts_account "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS account_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
