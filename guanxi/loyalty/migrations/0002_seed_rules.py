"""The built-in warning-light rules (seed 004's 警报客户: yellow and red lights)."""

from django.db import migrations

RULES = [
    # code, kind, zh name, en name, colour, params
    ("no-visit-after-failure", "no_visit_after_failure", "服务失误后未回访",
     "No visit after a service failure", "red", {"within_days": 60, "grace_days": 7}),
    ("complaint-overdue", "complaint_overdue", "投诉超时未解决",
     "Complaint past its SLA", "red", {}),
    ("champion-gone", "champion_gone", "支持者离职", "Champion gone", "red", {}),
    ("detractor", "detractor", "贬损者评分", "Detractor score", "yellow",
     {"max_score": 6, "within_days": 365}),
    ("palive-halved", "palive_drop", "活跃概率减半", "P(alive) halved", "yellow",
     {"ratio": 0.5, "min_previous": 0.2}),
    ("spend-down-half", "spend_drop", "消费同比下降一半", "Spend down by half on last year",
     "yellow", {"drop_pct": 50, "months": 3, "min_last_year": 1000}),
]


def seed(apps, schema_editor):
    LightRule = apps.get_model("loyalty", "LightRule")
    for position, (code, kind, name, name_en, colour, params) in enumerate(RULES):
        LightRule.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "name": name, "name_en": name_en, "colour": colour,
                      "params": params, "position": position * 10},
        )


def unseed(apps, schema_editor):
    apps.get_model("loyalty", "LightRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("loyalty", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
