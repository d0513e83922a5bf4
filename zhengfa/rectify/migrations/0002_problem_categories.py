"""Seed the problem categories: the six stubborn problems (六大顽瘴痼疾, the common list) and
other misconduct. Reference data, editable afterwards; never deleted here."""

from django.db import migrations

CATEGORIES = [
    ("three_rules", '违反防止干预司法"三个规定"', 10),
    ("business", "违规经商办企业", 20),
    ("shares_loans", "违规参股借贷", 30),
    ("family_business", "配偶、子女及其配偶违规从事经营活动", 40),
    ("commutation", "违规违法减刑、假释、暂予监外执行", 50),
    ("cases_not_pursued", "有案不立、压案不查、有罪不究", 60),
    ("other", "其他纪律作风问题", 90),
]


def seed(apps, schema_editor):
    ProblemCategory = apps.get_model("rectify", "ProblemCategory")
    for code, name, order in CATEGORIES:
        ProblemCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("rectify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
