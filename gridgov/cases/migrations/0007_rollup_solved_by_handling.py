"""解决率 now counts complaints by 办理完毕 within the limit, not by 办结 (which waits for the rating):
the rollup's `solved` counts change meaning, so the next indicator read rebuilds it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_queue'),
    ]

    operations = [
        migrations.RunSQL("INSERT INTO cases_indicatordirty (grid_id, month) VALUES (NULL, NULL)",
                          migrations.RunSQL.noop),
    ]
