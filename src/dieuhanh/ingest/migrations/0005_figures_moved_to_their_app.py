"""The figures' models now belong to the figures app (its 0001): forgotten here, tables kept."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('ingest', '0004_exact_figures'),
        ('figures', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='datavaluechange',
                    name='batch',
                ),
                migrations.RemoveField(
                    model_name='datavaluechange',
                    name='changed_by',
                ),
                migrations.RemoveField(
                    model_name='datavaluechange',
                    name='indicator',
                ),
                migrations.RemoveField(
                    model_name='datavaluechange',
                    name='org_unit',
                ),
                migrations.RemoveField(
                    model_name='importbatch',
                    name='created_by',
                ),
                migrations.DeleteModel(
                    name='DataValue',
                ),
                migrations.DeleteModel(
                    name='DataValueChange',
                ),
                migrations.DeleteModel(
                    name='ImportBatch',
                ),
            ],
            database_operations=[],
        ),
    ]
