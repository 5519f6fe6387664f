"""Step 2 of 2 of the move of the touchpoint ledger (see 0003): the tasks point at
`touchpoints.Touchpoint`, and this app no longer has a touchpoint model. State only: the tables
were renamed in 0003 and taken over by `touchpoints.0001`."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0003_task_touchpoint"),
        ("relationships", "0005_evidence_touchpoint"),
        ("touchpoints", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="task",
                    name="touchpoint",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="fulfilled_task",
                        to="touchpoints.touchpoint",
                        verbose_name="fulfilled by",
                    ),
                ),
                migrations.DeleteModel(name="HistoricalTouchpoint"),
                migrations.DeleteModel(name="Touchpoint"),
            ],
            database_operations=[],
        ),
    ]
