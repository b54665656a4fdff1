"""The fixed lists of the indicators app's models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dieuhanh.indicators.periods import PeriodType


class IndicatorPeriodType(models.TextChoices):
    MONTHLY = PeriodType.MONTHLY.value, _("Monthly")
    QUARTERLY = PeriodType.QUARTERLY.value, _("Quarterly")
    YEARLY = PeriodType.YEARLY.value, _("Yearly")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    LAST = "last", _("Last value (stock)")
    NONE = "none", _("Not aggregated")
    RATIO = "ratio", _("Ratio of two indicators")


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class CollectionLevel(models.TextChoices):
    """The kinds of administrative unit an indicator can be collected at (``OrgUnit.kind``)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District-level unit")
    COMMUNE = "commune", _("Commune-level unit")
