"""Search words of one or two characters, which have no trigram (`guanxi.core.search`;
PostgreSQL only): a GIN index on the characters and character pairs of an account's name after
its first character, short name, English name and code; and a b-tree on the upper-case name
that carries the name, pinyin and id, for the names that start with the word, read in pinyin
order from the index alone (the name is there for the LIKE's recheck)."""

from django.db import migrations

#: The columns in the order `accounts.selectors.TEXT_GRAMS` names them.
EXPRESSION = (
    "guanxi_grams(UPPER(SUBSTRING(name, 2) || ' ' || short_name || ' ' || english_name || ' ' "
    "|| code))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS account_text_grams ON accounts_account "
            f"USING gin (({EXPRESSION}))"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS account_name_upper_prefix ON accounts_account "
            "((UPPER(name::text)) text_pattern_ops) INCLUDE (name, name_pinyin, id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS account_text_grams")
        schema_editor.execute("DROP INDEX IF EXISTS account_name_upper_prefix")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_name_initials"), ("core", "0007_grams_function")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
