"""Figures keep every digit on SQLite: their columns stop being of NUMERIC affinity (a float).

On PostgreSQL nothing changes (the column stays numeric(24, 6)). On SQLite Django rebuilds the two
tables; their values are copied as they are stored and read back exactly from then on (see
ExactDecimalField). A rebuilt table has lost the planner's statistics: they are made again, or
the first reads after the upgrade would take the wrong index until the next large import.
"""

from typing import Any

from django.db import migrations

import dieuhanh.indicators.fields


def analyse_rebuilt_tables(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for model in ("DataValue", "DataValueChange"):
            table = apps.get_model("ingest", model)._meta.db_table
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies = [
        ("ingest", "0003_lean_data_values"),
    ]

    operations = [
        migrations.AlterField(
            model_name="datavalue",
            name="value",
            field=dieuhanh.indicators.fields.ExactDecimalField(decimal_places=6, max_digits=24, verbose_name="value"),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="new_value",
            field=dieuhanh.indicators.fields.ExactDecimalField(
                blank=True, decimal_places=6, max_digits=24, null=True, verbose_name="new value"
            ),
        ),
        migrations.AlterField(
            model_name="datavaluechange",
            name="old_value",
            field=dieuhanh.indicators.fields.ExactDecimalField(
                blank=True, decimal_places=6, max_digits=24, null=True, verbose_name="old value"
            ),
        ),
        migrations.RunPython(analyse_rebuilt_tables, migrations.RunPython.noop, elidable=True),
    ]
