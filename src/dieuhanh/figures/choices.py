"""The choices of figures and of the batches that write them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    DHIS2_JSON = "dhis2_json", _("DHIS2 dataValueSets JSON")
    DHIS2_CSV = "dhis2_csv", _("DHIS2 CSV")
    API = "api", _("API")
    DEMO = "demo", _("Sample data")
    FORM = "form", _("Data entry form")


class ImportStatus(models.TextChoices):
    FAILED = "failed", _("Rejected (errors)")
    DRY_RUN = "dry_run", _("Checked (dry run)")
    COMMITTED = "committed", _("Imported")


class DataValueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")  # no longer written, but change logs from before ingest 0003 hold it
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
