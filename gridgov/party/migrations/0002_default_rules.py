"""Default points rules (RULES.md §4); a town overrides a code with its own row."""

from django.db import migrations

DEFAULTS = [
    # code, category, label, points, annual cap, claimable
    ("meeting_attend", "meeting", "参加三会一课", 2, 24, False),
    ("theme_day_attend", "theme_day", "参加主题党日", 2, 24, False),
    ("volunteer", "volunteer", "志愿服务", 2, 20, True),
    ("study_course", "study", "完成学习课程", 1, 20, False),
    ("absence", "absence", "无故缺席", -2, None, False),
    ("lateness", "lateness", "迟到", -1, None, False),
    ("veto", "veto", "受党纪处分（一票否决）", 0, None, False),
]


def add(apps, schema_editor):
    PointRule = apps.get_model("party", "PointRule")
    for code, category, label, points, cap, claimable in DEFAULTS:
        PointRule.objects.get_or_create(code=code, town=None, defaults={
            "category": category, "label": label, "points": points, "annual_cap": cap, "claimable": claimable})


def remove(apps, schema_editor):
    apps.get_model("party", "PointRule").objects.filter(town=None, code__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("party", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
