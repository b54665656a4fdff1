"""Figures stored before approval existed count as approved (docs/analytics.md, "The basis").

Until data entry with approval, nothing awaited approval: every figure that was not a draft was
counted by every surface. Analytics now counts approved figures by default, so the figures a
province already has are marked approved, and keep showing. Drafts stay drafts. The rollups hold
the same figures before and after, so they stay valid.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def approve_existing(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    data_value = apps.get_model("figures", "DataValue")
    data_value.objects.filter(status="submitted").update(status="approved")


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0002_import_format_form"),
    ]

    operations = [
        # Not reversed: which figures were submitted rather than approved before is not known.
        migrations.RunPython(approve_existing, migrations.RunPython.noop),
    ]
