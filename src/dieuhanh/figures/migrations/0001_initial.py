"""The figures' models, moved here from the ingest app without moving a row.

The tables keep their names (``ingest_*``): only Django's idea of which app owns them changes
(``SeparateDatabaseAndState``), and the content types move with them, so that permissions
granted on them (``figures.add_importbatch``, formerly ``ingest.add_importbatch``) stay granted.
"""

import dieuhanh.indicators.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MODELS = ["importbatch", "datavalue", "datavaluechange"]


def _move(apps, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor):
    _move(apps, "ingest", "figures")


def move_content_types_back(apps, schema_editor):
    _move(apps, "figures", "ingest")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('ingest', '0004_exact_figures'),
        ('indicators', '0003_rates_and_completeness'),
        ('orgunits', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImportBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel (XLSX)'), ('dhis2_json', 'DHIS2 dataValueSets JSON'), ('dhis2_csv', 'DHIS2 CSV'), ('api', 'API'), ('demo', 'Sample data')], db_index=True, max_length=16, verbose_name='format')),
                        ('status', models.CharField(choices=[('failed', 'Rejected (errors)'), ('dry_run', 'Checked (dry run)'), ('committed', 'Imported')], max_length=16, verbose_name='status')),
                        ('channel', models.CharField(default='cli', max_length=16, verbose_name='channel')),
                        ('checksum', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('rows_created', models.PositiveIntegerField(default=0, verbose_name='created')),
                        ('rows_updated', models.PositiveIntegerField(default=0, verbose_name='updated')),
                        ('rows_unchanged', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                        ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL, verbose_name='by')),
                    ],
                    options={
                        'db_table': 'ingest_importbatch', 'verbose_name': 'import batch',
                        'verbose_name_plural': 'import batches',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='DataValueChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=8, verbose_name='period')),
                        ('action', models.CharField(choices=[('create', 'Created'), ('update', 'Updated'), ('delete', 'Deleted')], max_length=8, verbose_name='action')),
                        ('old_value', dieuhanh.indicators.fields.ExactDecimalField(blank=True, decimal_places=6, max_digits=24, null=True, verbose_name='old value')),
                        ('new_value', dieuhanh.indicators.fields.ExactDecimalField(blank=True, decimal_places=6, max_digits=24, null=True, verbose_name='new value')),
                        ('old_comment', models.CharField(blank=True, max_length=500, verbose_name='old comment')),
                        ('new_comment', models.CharField(blank=True, max_length=500, verbose_name='new comment')),
                        ('old_status', models.CharField(blank=True, max_length=16, verbose_name='old status')),
                        ('new_status', models.CharField(blank=True, max_length=16, verbose_name='new status')),
                        ('changed_at', models.DateTimeField(auto_now_add=True, verbose_name='at')),
                        ('changed_by', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                        ('indicator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.indicator', verbose_name='indicator')),
                        ('org_unit', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgunits.orgunit', verbose_name='org unit')),
                        ('batch', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='figures.importbatch', verbose_name='import batch')),
                    ],
                    options={
                        'db_table': 'ingest_datavaluechange', 'verbose_name': 'data value change',
                        'verbose_name_plural': 'data value changes',
                        'ordering': ['-changed_at', '-id'],
                        'indexes': [models.Index(fields=['indicator', 'org_unit', 'period'], name='dvchange_key')],
                    },
                ),
                migrations.CreateModel(
                    name='DataValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=8, verbose_name='period')),
                        ('period_start', models.DateField(verbose_name='period start')),
                        ('value', dieuhanh.indicators.fields.ExactDecimalField(decimal_places=6, max_digits=24, verbose_name='value')),
                        ('comment', models.CharField(blank=True, max_length=500, verbose_name='comment')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('approved', 'Approved')], default='submitted', max_length=16, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('indicator', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='data_values', to='indicators.indicator', verbose_name='indicator')),
                        ('org_unit', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='data_values', to='orgunits.orgunit', verbose_name='org unit')),
                        ('updated_by', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
                        ('batch', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='figures.importbatch', verbose_name='last import')),
                        ('created_batch', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='figures.importbatch', verbose_name='created by import')),
                    ],
                    options={
                        'db_table': 'ingest_datavalue', 'verbose_name': 'data value',
                        'verbose_name_plural': 'data values',
                        'ordering': ['indicator_id', 'org_unit_id', 'period_start'],
                        'indexes': [models.Index(fields=['indicator', 'period_start'], name='datavalue_ind_start')],
                        'constraints': [models.UniqueConstraint(fields=('indicator', 'org_unit', 'period'), name='datavalue_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
