"""The default pipeline after the SOP, and the built-in lost reasons."""

from django.db import migrations

# key, probability (%), outcome, stale after (days)
STAGES = [
    ("identify", 10, "open", 30),
    ("contact", 20, "open", 21),
    ("propose", 40, "open", 14),
    ("negotiate", 70, "open", 14),
    ("won", 100, "won", 30),
    ("lost", 0, "lost", 30),
]
LOST = ["price", "competitor", "dates", "budget", "no_decision", "relationship", "other"]


def seed(apps, schema_editor):
    Pipeline = apps.get_model("pipeline", "Pipeline")
    Stage = apps.get_model("pipeline", "Stage")
    LostReason = apps.get_model("pipeline", "LostReason")
    pipeline, _ = Pipeline.objects.get_or_create(builtin="sales", defaults={"is_default": True})
    for position, (key, probability, outcome, stale) in enumerate(STAGES):
        Stage.objects.get_or_create(
            pipeline=pipeline,
            builtin=key,
            defaults={
                "position": position,
                "probability": probability,
                "outcome": outcome,
                "stale_after_days": stale,
            },
        )
    for position, key in enumerate(LOST):
        LostReason.objects.get_or_create(builtin=key, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
