"""Data sets (what a kind of unit reports, how often, by when), the reminders sent about them, and
the reports entered and approved through the data-entry workflow.

A unit's obligations are not stored: they follow from the data sets, the units in force and the
figures stored, or the reports submitted (``reporting.selectors``), so they are never out of date.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.reporting.choices import DataSetPeriodType, ReminderKind, ReportAction, ReportingKind, ReportStatus

# A reminder before the due date is sent at most this many days before it.
MAX_REMINDER_DAYS = 60
# A due date at most this many months after the period's last month.
MAX_MONTHS_AFTER = 12


class DataSet(models.Model):
    """The indicators a kind of unit (or the members of a group) reports every period, and by when.

    The units expected to report for a period are those of ``org_unit_kind`` (or members of
    ``org_unit_group``; both: the members of that kind) in force on the period's last day — the
    map of that day: before 1 July 2025 districts and communes, since then communes only. A report
    is due on day ``due_day`` (the month's last day when it is shorter) of the month
    ``due_months_after`` months after the period's last month: 18 and 1 is "by the 18th of the
    following month". ``valid_from`` / ``valid_to`` bound the periods asked (by their last day).
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    period_type = models.CharField(_("periodicity"), max_length=16, choices=DataSetPeriodType.choices)
    org_unit_kind = models.CharField(
        _("kind of unit"),
        max_length=16,
        choices=ReportingKind.choices,
        blank=True,
        help_text=_("The units that report it, by kind; with a group, only the group's members of this kind."),
    )
    org_unit_group = models.ForeignKey(
        "orgunits.OrgUnitGroup",
        verbose_name=_("group of units"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_sets",
        help_text=_("The units that report it: the members of this group."),
    )
    indicators = models.ManyToManyField(
        "indicators.Indicator", verbose_name=_("indicators"), related_name="data_sets", blank=True
    )
    due_day = models.PositiveSmallIntegerField(
        _("due day"),
        default=18,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("Day of the month the report is due (31: the month's last day)."),
    )
    due_months_after = models.PositiveSmallIntegerField(
        _("months after the period"),
        default=1,
        validators=[MaxValueValidator(MAX_MONTHS_AFTER)],
        help_text=_("1: the due day of the month after the period; 0: of the period's last month."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_DAYS)],
        help_text=_("Remind the units that have not reported this many days before the due date; empty: no reminder."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    approval = models.BooleanField(
        _("approved by the level above"),
        default=True,
        help_text=_("Figures of this data set are approved by the level above before leaders see them."),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="dataset_valid_interval",
            ),
            models.CheckConstraint(condition=Q(due_day__gte=1) & Q(due_day__lte=31), name="dataset_due_day"),
            models.CheckConstraint(condition=Q(due_months_after__lte=MAX_MONTHS_AFTER), name="dataset_months_after"),
            models.CheckConstraint(
                condition=~Q(org_unit_kind="") | Q(org_unit_group__isnull=False), name="dataset_has_units"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.org_unit_kind and self.org_unit_group_id is None:
            errors["org_unit_kind"] = str(_("Say which units report it: a kind of unit, a group, or both."))
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = str(_("The end of validity is before its start."))
        if self.due_day is not None and not 1 <= self.due_day <= 31:
            errors["due_day"] = str(_("The due day is a day of the month, from 1 to 31."))
        if self.due_months_after is not None and self.due_months_after > MAX_MONTHS_AFTER:
            errors["due_months_after"] = str(
                _("A report is due at most %(n)d months after its period.") % {"n": MAX_MONTHS_AFTER}
            )
        if self.reminder_days is not None and not 1 <= self.reminder_days <= MAX_REMINDER_DAYS:
            errors["reminder_days"] = str(
                _("A reminder goes out from 1 to %(n)d days before the due date.") % {"n": MAX_REMINDER_DAYS}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def period_type_enum(self) -> PeriodType:
        return PeriodType(self.period_type)

    def due_date(self, period: Period) -> dt.date:
        """The day the report for ``period`` is due."""
        months = period.year * 12 + period.last_month - 1 + self.due_months_after
        year, month = divmod(months, 12)
        month += 1
        return dt.date(year, month, min(self.due_day, calendar.monthrange(year, month)[1]))

    def asks_for(self, period: Period) -> bool:
        """Whether the data set is in force for ``period`` (by the period's last day)."""
        end = period.end_date
        return (self.valid_from is None or self.valid_from <= end) and (self.valid_to is None or end <= self.valid_to)

    def periods_ending_between(self, first: dt.date, last: dt.date) -> list[Period]:
        """Its periods whose last day falls in [first, last] and that it asks for, in order."""
        kind = self.period_type_enum
        start = Period.containing(first, kind).ordinal
        stop = Period.containing(last, kind).ordinal
        periods = [Period.from_ordinal(kind, o) for o in range(start, stop + 1)]
        return [p for p in periods if first <= p.end_date <= last and self.asks_for(p)]

    def periods_due_between(self, first: dt.date, last: dt.date) -> list[Period]:
        """Its periods whose due date falls in [first, last], in order."""
        kind = self.period_type_enum
        # A period ends at most ``due_months_after`` months and a period's length before its due date.
        back = Period.containing(first, PeriodType.MONTHLY).ordinal - self.due_months_after - kind.months - 1
        start = Period.containing(Period.from_ordinal(PeriodType.MONTHLY, back).start_date, kind).ordinal
        stop = Period.containing(last, kind).ordinal
        periods = [Period.from_ordinal(kind, o) for o in range(start, stop + 1)]
        return [p for p in periods if first <= self.due_date(p) <= last and self.asks_for(p)]


class ReportReminder(models.Model):
    """A reminder sent about one unit's report for one period: before its due date, or after it
    passed with nothing received. One of each kind, ever (a unique constraint), so running the
    daily command twice, or on two machines, sends nothing twice."""

    data_set = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="reminders"
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="report_reminders"
    )
    period = models.CharField(_("period"), max_length=8)
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), blank=True)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "org_unit", "period", "kind"], name="report_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.org_unit_id} {self.period} ({self.get_kind_display()})"


class DataSetReport(models.Model):
    """One unit's report of one data set for one period, in data entry with approval: entered and
    saved as a draft, submitted, then approved by the level above or returned with a comment; an
    approved report's figures are locked until an operator reopens it (docs/calendar.md, "Data
    entry and approval"). The figures themselves stay in ``figures.DataValue``; every step is a
    ``ReportStep``.

    ``period`` is the data set's period (``202610``, ``2026Q3``); ``org_unit`` the row of the tree
    that reports it.
    """

    data_set = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="reports")
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="data_set_reports"
    )
    period = models.CharField(_("period"), max_length=8)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The last comment of a return (or reason of a reopening), shown on the entry page.
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("data set report")
        verbose_name_plural = _("data set reports")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "org_unit", "period"], name="dataset_report_unique"),
        ]
        indexes = [models.Index(fields=["status", "org_unit"], name="dataset_report_status")]

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.org_unit_id} {self.period} ({self.get_status_display()})"

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)


class ReportStep(models.Model):
    """One step of a report's history: who saved, submitted, approved, returned or reopened it,
    when, with what comment (a return's and a reopening's are required)."""

    report = models.ForeignKey(DataSetReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=16, choices=ReportAction.choices)
    status_before = models.CharField(_("status before"), max_length=16, choices=ReportStatus.choices, blank=True)
    status_after = models.CharField(_("status after"), max_length=16, choices=ReportStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.get_action_display()}"
