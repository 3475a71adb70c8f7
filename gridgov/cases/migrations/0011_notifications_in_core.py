# The case notifications move into core's Notification table (one table for every flow's notifications);
# cases.Notification becomes a typed view of it.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_rows(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_notification (recipient_id, subject_type, subject_id, kind, title, body, url, "
            "created_at, read_at) SELECT recipient_id, 'cases.case', case_id, kind, title, body, url, created_at, "
            "read_at FROM cases_notification ORDER BY id")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_category_limit"),
        ("core", "0004_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
        migrations.CreateModel(
            name="Notification",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("subject_type", models.CharField(default="cases.case", editable=False, max_length=60)),
                ("kind", models.CharField(max_length=30, verbose_name="类型")),
                ("title", models.CharField(max_length=120, verbose_name="标题")),
                ("body", models.TextField(blank=True, verbose_name="内容")),
                ("url", models.CharField(blank=True, max_length=200, verbose_name="链接")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                ("read_at", models.DateTimeField(blank=True, null=True, verbose_name="已读时间")),
                ("case", models.ForeignKey(blank=True, db_column="subject_id", db_constraint=False, null=True,
                                           on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to="cases.case", verbose_name="案卷")),
                ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="notifications", to=settings.AUTH_USER_MODEL,
                                                verbose_name="接收人")),
            ],
            options={"verbose_name": "通知", "verbose_name_plural": "通知", "ordering": ["-id"],
                     "db_table": "core_notification", "managed": False},
        ),
    ]
