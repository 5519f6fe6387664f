"""The built-in lead sources and disqualification reasons (shown in the reader's language)."""

from django.db import migrations

SOURCES = ["bd", "exhibition", "content", "referral", "ota", "website", "walk_in", "other"]
DISQUALIFY = [
    "no_budget", "no_authority", "no_need", "competitor", "unreachable", "duplicate", "other",
]


def seed(apps, schema_editor):
    LeadSource = apps.get_model("leads", "LeadSource")
    DisqualifyReason = apps.get_model("leads", "DisqualifyReason")
    for position, key in enumerate(SOURCES):
        LeadSource.objects.get_or_create(builtin=key, defaults={"kind": key, "position": position})
    for position, key in enumerate(DISQUALIFY):
        DisqualifyReason.objects.get_or_create(builtin=key, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
