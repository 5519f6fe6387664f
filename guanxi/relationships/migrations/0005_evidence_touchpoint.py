"""A stage's evidence is a touchpoint of the new touchpoints app (the table was renamed by
activities.0003; its foreign keys follow the rename on both databases). State only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("relationships", "0004_members_plural"),
        ("touchpoints", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="relationshipstageevent",
                    name="evidence",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="touchpoints.touchpoint",
                        verbose_name="evidence (touchpoint)",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
