"""A code names a unit only with a date: codes may repeat, at most one unit per code and start."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orgunits', '0002_succession_merge_type'),
    ]

    operations = [
        migrations.AlterField(
            model_name='orgunit',
            name='code',
            field=models.CharField(db_index=True, help_text='GSO code for administrative units; a code may be reused by a later unit, never at the same time.', max_length=32, verbose_name='code'),
        ),
        migrations.AddConstraint(
            model_name='orgunit',
            constraint=models.UniqueConstraint(fields=('code', 'valid_from'), name='orgunit_unique_code_from'),
        ),
        migrations.AddConstraint(
            model_name='orgunit',
            constraint=models.UniqueConstraint(condition=models.Q(('valid_from__isnull', True)), fields=('code',), name='orgunit_unique_code_open_start'),
        ),
    ]
