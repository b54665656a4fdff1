"""Collected figures: data values, their history, and the import batches that bring them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.indicators.fields import ExactDecimalField


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    DHIS2_JSON = "dhis2_json", _("DHIS2 dataValueSets JSON")
    DHIS2_CSV = "dhis2_csv", _("DHIS2 CSV")
    API = "api", _("API")
    DEMO = "demo", _("Sample data")


class ImportStatus(models.TextChoices):
    FAILED = "failed", _("Rejected (errors)")
    DRY_RUN = "dry_run", _("Checked (dry run)")
    COMMITTED = "committed", _("Imported")


class ImportBatch(models.Model):
    """One attempt to bring a file (or an API call) of figures in.

    Kept also when the file is rejected — then with its errors and no values —
    so that an operator can see what was tried, by whom, and send the error list back.
    """

    source_name = models.CharField(_("file name"), max_length=255)
    # Indexed: every page asks whether sample data is present.
    file_format = models.CharField(_("format"), max_length=16, choices=ImportFormat.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices)
    channel = models.CharField(_("channel"), max_length=16, default="cli")
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source_name} ({self.get_status_display()})"


class DataValueStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")


class DataValue(models.Model):
    """One figure: indicator × org unit × period → value.

    ``period`` is the DHIS2 code at the indicator's own period type; ``period_start``
    is its first day, for range queries. Drafts are kept but not counted by analytics.

    Its creation is recorded here (``created_by``, ``created_at``, ``created_batch``);
    every later change, and a deletion, is a row of ``DataValueChange`` — so the history
    is complete without copying each of millions of first values into the log.

    A national table holds ~50 million rows, so it carries only the indexes its reads
    need (the unique key, which starts with the indicator, and indicator × period start)
    and no database-level foreign keys: checking them for every row of a national
    import cost as much as the import itself. The services and the ORM (PROTECT,
    SET_NULL) keep the references whole, and the bulk import only writes ids it joined
    from the catalogue.
    """

    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="data_values",
        db_index=False,
        db_constraint=False,
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="data_values",
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField(_("period"), max_length=8)
    period_start = models.DateField(_("period start"))
    value = ExactDecimalField(_("value"), max_digits=24, decimal_places=6)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DataValueStatus.choices, default=DataValueStatus.SUBMITTED
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("last import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("created by import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("data value")
        verbose_name_plural = _("data values")
        ordering = ["indicator_id", "org_unit_id", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "period"], name="datavalue_unique"),
        ]
        indexes = [models.Index(fields=["indicator", "period_start"], name="datavalue_ind_start")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period} = {self.value}"


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")  # no longer written, but change logs from before ingest 0003 hold it
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class DataValueChange(models.Model):
    """The audit trail of a data value after its creation: who changed or deleted it, when,
    from what to what, by which batch. (Creation is recorded on the value itself.)

    Keys are copied rather than only linked, so history outlives a deleted value. Like
    ``DataValue``, no database-level foreign keys, for the speed of large imports.
    """

    indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField(_("period"), max_length=8)
    action = models.CharField(_("action"), max_length=8, choices=ChangeAction.choices)
    old_value = ExactDecimalField(_("old value"), max_digits=24, decimal_places=6, null=True, blank=True)
    new_value = ExactDecimalField(_("new value"), max_digits=24, decimal_places=6, null=True, blank=True)
    old_comment = models.CharField(_("old comment"), max_length=500, blank=True)
    new_comment = models.CharField(_("new comment"), max_length=500, blank=True)
    old_status = models.CharField(_("old status"), max_length=16, blank=True)
    new_status = models.CharField(_("new status"), max_length=16, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        db_constraint=False,
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    changed_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("data value change")
        verbose_name_plural = _("data value changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["indicator", "org_unit", "period"], name="dvchange_key")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period}: {self.old_value} → {self.new_value}"
