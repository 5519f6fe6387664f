"""The touchpoint ledger moves to its own app (`guanxi.touchpoints`), one floor below the tasks.

Step 1 of 2, in this app: the link between a task and the touchpoint that fulfilled it turns
round (Task.touchpoint instead of Touchpoint.task, so touchpoints know nothing of tasks), every
existing link is copied, and the touchpoint tables get their new names. `touchpoints.0001`
takes the model over; `activities.0004` lets go of it.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def link_tasks_to_touchpoints(apps, schema_editor):
    Task = apps.get_model("activities", "Task")
    Touchpoint = apps.get_model("activities", "Touchpoint")
    # A task was only ever fulfilled by one touchpoint; should there be two, the first counts.
    first = Touchpoint.objects.filter(task_id=OuterRef("pk")).order_by("occurred_at", "id")
    linked = Touchpoint.objects.filter(task__isnull=False).values("task_id")
    Task.objects.filter(pk__in=linked).update(touchpoint_id=Subquery(first.values("id")[:1]))


def link_touchpoints_to_tasks(apps, schema_editor):
    Task = apps.get_model("activities", "Task")
    Touchpoint = apps.get_model("activities", "Touchpoint")
    fulfilled = Task.objects.filter(touchpoint_id=OuterRef("pk")).values("id")[:1]
    linked = Task.objects.filter(touchpoint__isnull=False).values("touchpoint_id")
    Touchpoint.objects.filter(pk__in=linked).update(task_id=Subquery(fulfilled))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="touchpoint",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="fulfilled_task",
                to="activities.touchpoint",
                verbose_name="fulfilled by",
            ),
        ),
        migrations.RunPython(link_tasks_to_touchpoints, link_touchpoints_to_tasks),
        migrations.RemoveField(model_name="historicaltouchpoint", name="task"),
        migrations.RemoveField(model_name="touchpoint", name="task"),
        migrations.RenameIndex(
            model_name="touchpoint",
            new_name="touchpoint_account_kind_at",
            old_name="activities__account_fb9106_idx",
        ),
        # Renames the contacts table (touchpoints_touchpoint_contacts) with it.
        migrations.AlterModelTable(name="touchpoint", table="touchpoints_touchpoint"),
        migrations.AlterModelTable(
            name="historicaltouchpoint", table="touchpoints_historicaltouchpoint"
        ),
    ]
