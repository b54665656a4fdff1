"""Reports the system has written: kept with their file, what they cover, when and by whom."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.accounts.models import acting_user_field
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.indicators.periods import PeriodError
from dieuhanh.reports.choices import ReportFormat


class GeneratedReport(models.Model):
    """A socio-economic report written by the system, kept as the file it was then.

    Figures change after a report is made (late submissions, corrections); the kept file is
    what was sent, so it is never rewritten: a new run makes a new record.
    """

    class Trigger(models.TextChoices):
        PAGE = "page", _("From the reports page")
        COMMAND = "command", _("From the command line")
        SCHEDULED = "scheduled", _("Scheduled monthly run")

    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.CharField(_("period"), max_length=16)
    file_format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    trigger = models.CharField(_("made by"), max_length=16, choices=Trigger.choices, default=Trigger.PAGE)
    created_by = acting_user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    seconds = models.DecimalField(_("generation time (s)"), max_digits=8, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["org_unit", "period", "file_format", "trigger"])]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.period} {self.file_format}"

    @property
    def period_label(self) -> str:
        """The period in words (6 tháng đầu năm 2023), as the report's title names it."""
        try:
            return ReportPeriod.parse(self.period).label()
        except PeriodError:
            return self.period
