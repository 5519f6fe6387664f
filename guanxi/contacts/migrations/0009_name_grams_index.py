"""A GIN index on the characters and character pairs of a contact's name, for search words of
one or two characters ("王芳"), which have no trigram (`guanxi.core.search`; PostgreSQL only)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS contact_name_grams ON contacts_contact "
            "USING gin ((guanxi_grams(UPPER(name))))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contact_name_grams")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_search_forms_database_default"),
        ("core", "0007_grams_function"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
