"""Seed the activity types (reference data; editable afterwards, never deleted here)."""

from django.db import migrations

TYPES = [
    ("lecture", "专题讲座", "lecture_meeting", 10),
    ("meeting", "推进会/工作会议", "lecture_meeting", 20),
    ("political_rotation", "政治轮训", "training", 30),
    ("professional_training", "业务培训", "training", 40),
    ("revolutionary", "革命传统教育", "revolutionary", 50),
    ("party_lecture", "党课", "party_lecture", 60),
    ("warning", "警示教育", "warning", 70),
    ("integrity", "廉政教育", "integrity", 80),
    ("model_report", "英模事迹报告", "model", 90),
    ("discussion", "交流研讨(教育整顿大家谈)", "discussion", 100),
]


def seed(apps, schema_editor):
    ActivityType = apps.get_model("study", "ActivityType")
    for code, name, category, order in TYPES:
        ActivityType.objects.get_or_create(
            code=code, defaults={"name": name, "category": category, "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("study", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
