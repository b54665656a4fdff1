"""A ranking's rollups read by range: one or two ranges of one indicator at thousands of units
(``Rollup.Meta.indexes``). On a national database of ten million rollups the index takes a few
seconds to build."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_rates_and_completeness"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="rollup",
            index=models.Index(
                fields=["indicator", "first", "last", "org_unit"],
                include=("value", "filled", "reported"),
                name="rollup_range",
            ),
        ),
    ]
