"""The built-in agreement types (shown in the reader's language)."""

from django.db import migrations

TYPES = ["framework", "annual_frame", "negotiated_rate", "rebate", "strategic", "mice"]


def seed(apps, schema_editor):
    AgreementType = apps.get_model("agreements", "AgreementType")
    for position, key in enumerate(TYPES):
        AgreementType.objects.get_or_create(
            builtin=key, defaults={"kind": key, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
