"""The built-in case categories and SLA policies: the default (4 h first response, 72 h
resolution, working hours) and the green channel (绿色通道: 1 h / 24 h, round the clock) that a
manager links to the key-account tier."""

from decimal import Decimal

from django.db import migrations

CATEGORIES = [
    ("room", "客房", "Rooms"),
    ("fnb", "餐饮", "Food & beverage"),
    ("billing", "账单与发票", "Billing and invoices"),
    ("reservation", "预订", "Reservations"),
    ("event", "会议活动", "Meetings and events"),
    ("staff", "服务态度", "Staff and service manner"),
    ("facilities", "设施设备", "Facilities"),
    ("other", "其他", "Other"),
]


def seed(apps, schema_editor):
    CaseCategory = apps.get_model("service", "CaseCategory")
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for position, (code, name, name_en) in enumerate(CATEGORIES):
        CaseCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "position": position}
        )
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.create(
            name="标准服务",
            name_en="Standard service",
            is_default=True,
            first_response_hours=Decimal(4),
            resolution_hours=Decimal(72),
        )
        SlaPolicy.objects.create(
            name="绿色通道",
            name_en="Green channel",
            first_response_hours=Decimal(1),
            resolution_hours=Decimal(24),
            around_the_clock=True,
        )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
