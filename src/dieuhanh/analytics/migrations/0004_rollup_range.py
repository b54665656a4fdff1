"""A ranking's rollups read by range, and each successor's own figures before it began counted in
its rollups (``Rollup.own``, ``Rollup.Meta.indexes``).

Rollups made before say no own figure anywhere: analytics must not read them until ``dieuhanh
rollups rebuild`` has counted them. On a national database of ten million rollups the index takes
a few seconds to build."""

from django.db import migrations, models


def retire_rollups(apps, schema_editor):
    apps.get_model("analytics", "RollupState").objects.filter(valid=True).update(
        valid=False, note="own figures before a unit began now counted: run dieuhanh rollups rebuild"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_rates_and_completeness"),
    ]

    operations = [
        migrations.AddField(
            model_name="rollup",
            name="own",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(
                fields=["indicator", "first", "last", "org_unit"],
                include=("value", "filled", "reported", "own"),
                name="rollup_range",
            ),
        ),
        migrations.RunPython(retire_rollups, migrations.RunPython.noop),
    ]
