"""A GIN index on the characters and character pairs of an account's name, short name, English
name and code, for search words of one or two characters, which have no trigram
(`guanxi.core.search`; PostgreSQL only)."""

from django.db import migrations

#: The columns in the order `accounts.selectors.TEXT_GRAM_COLUMNS` names them.
EXPRESSION = "guanxi_grams(UPPER(name || ' ' || short_name || ' ' || english_name || ' ' || code))"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS account_text_grams ON accounts_account "
            f"USING gin (({EXPRESSION}))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS account_text_grams")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_name_initials"), ("core", "0007_grams_function")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
