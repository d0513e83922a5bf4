"""Seed the dispute types (configurable afterwards). Identity, marriage and adoption
relationships are kept from judicial confirmation by law."""

from django.db import migrations

TYPES = [
    ("marriage_family", "婚姻家庭", 10, True),
    ("neighbours", "邻里", 20, True),
    ("land", "土地承包/山林", 30, True),
    ("labour", "劳动争议/欠薪", 40, True),
    ("contract", "合同", 50, True),
    ("injury", "人身损害", 60, True),
    ("property", "物业", 70, True),
    ("administrative", "行政争议", 80, True),
    ("status", "婚姻、收养等身份关系", 85, False),
    ("other", "其他", 90, True),
]


def seed(apps, schema_editor):
    DisputeType = apps.get_model("mediation", "DisputeType")
    for code, name, order, confirmable in TYPES:
        DisputeType.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "confirmable": confirmable}
        )


class Migration(migrations.Migration):
    dependencies = [("mediation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
