"""The touchpoint ledger, taken over from `activities` (see activities.0003): the tables exist
already under their new names, so the models are created in the migration state only. The
content types move too, so permissions and admin log entries keep pointing at them."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

KINDS = [
    ("call", "Phone call (电话拜访)"),
    ("visit", "Visit (当面拜访)"),
    ("email", "Email"),
    ("wechat", "WeChat message"),
    ("mini_program", "Mini-program interaction"),
    ("event", "Event"),
    ("banquet", "Banquet (宴请)"),
    ("gift", "Gift (礼品)"),
    ("greeting", "Greeting on arrival (进店问候)"),
    ("trip", "Trip (旅游)"),
    ("group_invite", "Group invitation (入群邀请)"),
    ("other", "Other"),
]
COST_HELP = "What this cost us (gift, banquet, trip): counted as cost to serve."
MODELS = ("touchpoint", "historicaltouchpoint")


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="touchpoints", model=model).exists():
            ContentType.objects.filter(app_label="activities", model=model).update(
                app_label="touchpoints"
            )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="activities", model=model).exists():
            ContentType.objects.filter(app_label="touchpoints", model=model).update(
                app_label="activities"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_initial"),
        ("activities", "0003_task_touchpoint"),
        ("contacts", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Touchpoint",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=KINDS, max_length=20,
                                                  verbose_name="kind")),
                        ("occurred_at", models.DateTimeField(db_index=True, verbose_name="when")),
                        ("subject", models.CharField(blank=True, max_length=200,
                                                     verbose_name="subject")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        ("cost", models.DecimalField(blank=True, decimal_places=2,
                                                     help_text=COST_HELP, max_digits=14,
                                                     null=True, verbose_name="cost (CNY)")),
                        ("created_at", models.DateTimeField(auto_now_add=True,
                                                            verbose_name="logged at")),
                        ("account", models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="touchpoints", to="accounts.account",
                            verbose_name="account")),
                        ("contacts", models.ManyToManyField(
                            blank=True, related_name="touchpoints", to="contacts.contact",
                            verbose_name="contacts")),
                        ("logged_by", models.ForeignKey(
                            blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                            related_name="touchpoints", to=settings.AUTH_USER_MODEL,
                            verbose_name="by")),
                    ],
                    options={
                        "verbose_name": "touchpoint",
                        "verbose_name_plural": "touchpoints",
                        "ordering": ["-occurred_at"],
                        "indexes": [
                            models.Index(fields=["account", "kind", "occurred_at"],
                                         name="touchpoint_account_kind_at"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("cost__isnull", True), ("cost__gte", 0),
                                                   _connector="OR"),
                                name="touchpoint_cost_gte_0",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalTouchpoint",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True,
                                                      db_index=True, verbose_name="ID")),
                        ("kind", models.CharField(choices=KINDS, max_length=20,
                                                  verbose_name="kind")),
                        ("occurred_at", models.DateTimeField(db_index=True, verbose_name="when")),
                        ("subject", models.CharField(blank=True, max_length=200,
                                                     verbose_name="subject")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        ("cost", models.DecimalField(blank=True, decimal_places=2,
                                                     help_text=COST_HELP, max_digits=14,
                                                     null=True, verbose_name="cost (CNY)")),
                        ("created_at", models.DateTimeField(blank=True, editable=False,
                                                            verbose_name="logged at")),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        ("history_type", models.CharField(
                            choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                            max_length=1)),
                        ("account", models.ForeignKey(
                            blank=True, db_constraint=False, null=True,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to="accounts.account", verbose_name="account")),
                        ("history_user", models.ForeignKey(
                            null=True, on_delete=django.db.models.deletion.SET_NULL,
                            related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("logged_by", models.ForeignKey(
                            blank=True, db_constraint=False, null=True,
                            on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                            to=settings.AUTH_USER_MODEL, verbose_name="by")),
                    ],
                    options={
                        "verbose_name": "historical touchpoint",
                        "verbose_name_plural": "historical touchpoints",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
