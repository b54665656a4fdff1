from django.db import migrations, models


def retire_rollups(apps, schema_editor):
    """Rollups made before completeness was kept say 0 units reported: analytics must not read them
    until ``dieuhanh rollups rebuild`` has filled the new column."""
    apps.get_model("analytics", "RollupState").objects.filter(valid=True).update(
        valid=False, note="completeness added: run dieuhanh rollups rebuild"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0002_rollup_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollup",
            name="reported",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(retire_rollups, migrations.RunPython.noop),
    ]
