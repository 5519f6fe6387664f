from django.db import migrations

DEFAULTS = [
    ("rooms", "客房", "Rooms", 10),
    ("fnb", "餐饮", "Food & beverage", 20),
    ("meeting", "会议及活动场地", "Meeting & event space", 30),
    ("travel", "旅游出行", "Travel", 40),
    ("other", "其他", "Other", 90),
]


def create(apps, schema_editor):
    ProductCategory = apps.get_model("transactions", "ProductCategory")
    for code, name, name_en, order in DEFAULTS:
        ProductCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("transactions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
