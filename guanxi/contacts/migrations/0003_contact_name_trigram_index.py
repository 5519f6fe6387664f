"""A trigram index on the contact's name for the account list's search by a contact's name
(PostgreSQL only; the extension comes with accounts 0003)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS contact_name_trgm ON contacts_contact "
        "USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS contact_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_initial"),
        ("accounts", "0003_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
