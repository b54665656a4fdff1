"""The choices of the reporting calendar, each defined once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dieuhanh.indicators.periods import PeriodType


class DataSetPeriodType(models.TextChoices):
    """How often a data set is reported: the product's period types, half-years included."""

    MONTHLY = PeriodType.MONTHLY.value, _("Monthly")
    QUARTERLY = PeriodType.QUARTERLY.value, _("Quarterly")
    SEMIANNUAL = PeriodType.SEMIANNUAL.value, _("Half-yearly")
    YEARLY = PeriodType.YEARLY.value, _("Yearly")


class ReportingKind(models.TextChoices):
    """The kinds of unit a data set can ask a report of (``OrgUnit.kind``)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District-level unit")
    COMMUNE = "commune", _("Commune-level unit")
    AGENCY = "agency", _("Agency")


class ObligationState(models.TextChoices):
    """Where one unit's report for one period stands on a day."""

    ON_TIME = "on_time", pgettext_lazy("report state", "On time")
    LATE = "late", pgettext_lazy("report state", "Late")
    MISSING = "missing", pgettext_lazy("report state", "Not submitted")
    NOT_DUE = "not_due", pgettext_lazy("report state", "Not yet due")


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "before_due", _("Before the due date")
    OVERDUE = "overdue", _("After the due date")


class ReportStatus(models.TextChoices):
    """Where one unit's report of one period stands in data entry with approval."""

    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    APPROVED = "approved", pgettext_lazy("report status", "Approved")
    RETURNED = "returned", pgettext_lazy("report status", "Returned")


class ReportAction(models.TextChoices):
    """A step of a report's history (``ReportStep``)."""

    SAVE = "save", pgettext_lazy("report step", "Saved as draft")
    SUBMIT = "submit", pgettext_lazy("report step", "Submitted")
    APPROVE = "approve", pgettext_lazy("report step", "Approved")
    RETURN = "return", pgettext_lazy("report step", "Returned")
    REOPEN = "reopen", pgettext_lazy("report step", "Reopened")
