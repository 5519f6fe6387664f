"""The built-in selection criteria (选择标准) and their starting weights: value and potential
(CLV, development potential, 12-month revenue) count more than size (annual sales, scale),
seed 000's "大不一定好". Managers change the weights."""

from django.db import migrations

CRITERIA = [
    # key, kind, weight
    ("potential", "qualitative", 3),
    ("willingness", "qualitative", 2),
    ("strategic", "qualitative", 2),
    ("social_value", "qualitative", 2),
    ("clv", "quantitative", 3),
    ("revenue_12m", "quantitative", 2),
    ("p_alive", "quantitative", 2),
    ("annual_sales", "quantitative", 1),
    ("scale", "quantitative", 1),
    ("satisfaction", "quantitative", 1),
]


def seed(apps, schema_editor):
    SelectionCriterion = apps.get_model("leads", "SelectionCriterion")
    for position, (key, kind, weight) in enumerate(CRITERIA):
        SelectionCriterion.objects.get_or_create(
            builtin=key, defaults={"kind": kind, "weight": weight, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_selection_score")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
