"""Successions say how a unit went into its successor: whole, in part, unchanged or renamed.

A succession stored before with a share below 1 was a part; every other one is taken as whole.
"""

from django.db import migrations, models


def mark_parts(apps, schema_editor):
    succession = apps.get_model("orgunits", "Succession")
    succession.objects.filter(share__lt=1).update(merge_type="part")


class Migration(migrations.Migration):

    dependencies = [
        ('orgunits', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='succession',
            name='merge_type',
            field=models.CharField(choices=[('whole', 'Merged whole'), ('part', 'Merged in part'), ('unchanged', 'Unchanged'), ('renamed', 'Renamed')], default='whole', max_length=16, verbose_name='merge type'),
        ),
        migrations.RunPython(mark_parts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='succession',
            constraint=models.CheckConstraint(condition=models.Q(('merge_type', 'part'), ('share__isnull', True), ('share', 1), _connector='OR'), name='succession_share_of_a_part'),
        ),
    ]
