"""The SQL function ``guanxi_grams`` (`guanxi.core.search`), on which the account and contact
indexes for short search words are built (PostgreSQL only; nothing on SQLite)."""

from django.db import migrations

# Spaces separate the columns of one index and are left out of the grams, so no gram spans two
# columns. Written out here, not imported: an index built on it must not change under a later
# edit of the code (a new body would need its indexes rebuilt, in a migration of its own).
GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION guanxi_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT g), '{}'::text[])
FROM generate_series(1, char_length(t)) AS i,
     LATERAL (VALUES (substr(t, i, 1)), (substr(t, i, 2))) AS v(g)
WHERE position(' ' in g) = 0
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRAMS_FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS guanxi_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_user_preferences")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
