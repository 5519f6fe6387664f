"""The SQL function ``guanxi_grams`` (`guanxi.core.search`), on which the account and contact
indexes for short search words are built (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

from guanxi.core.search import GRAMS_FUNCTION


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRAMS_FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS guanxi_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_user_preferences")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
