"""Trigram indexes for the lead list's search by company, person and mobile (PostgreSQL only),
on the expression Django's ``icontains`` uses, as for accounts (accounts/0003)."""

from django.db import migrations

COLUMNS = ("company", "person_name", "mobile")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS lead_{column}_trgm ON leads_lead "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS lead_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_builtin_criteria"), ("accounts", "0003_search_trigram_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
