"""Pre-aggregated analytics: rollups of every aggregated unit, and their fill state.

A rollup row is the value of one stored indicator at one unit that has children,
over one standard range of sub-periods (a month, quarter, half-year, year, or
January to a month), computed by the analytics engine itself — so reading it gives
exactly what computing it from the stored figures would. Leaves (units without
children) need no rollups: their values are their own figures.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rollup(models.Model):
    """value(indicator, org_unit, first..last) per docs/analytics.md, and how many sub-periods had a figure.

    ``value`` is kept as the exact decimal text the engine computed (a mean of means
    has more digits than a numeric column keeps, and SQLite would round it to a float).
    """

    indicator = models.ForeignKey("indicators.Indicator", on_delete=models.CASCADE, related_name="+", db_index=False)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", db_index=False)
    # Ordinals of the indicator's own period type (see periods.Period.ordinal).
    first = models.IntegerField()
    last = models.IntegerField()
    value = models.CharField(max_length=80)
    filled = models.PositiveSmallIntegerField()
    # Of the units that report the indicator (its collection level) at or under the unit, how
    # many have a figure for every sub-period of the range (see ``Series.reported``).
    reported = models.PositiveIntegerField(default=0)
    # Of the range's sub-periods before the unit began (a successor), how many have the unit's own
    # stored figure (a published re-based series): the others are re-based from its predecessors.
    # A ranking says from it which figures are re-based without reading the successors' figures.
    own = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "org_unit", "first", "last"], name="rollup_key"),
        ]
        indexes = [
            models.Index(fields=["org_unit"], name="rollup_unit"),
            # A ranking's rollups: one or two ranges of one indicator at thousands of units, read as
            # two runs of this index and matched to the units by a hash, each row's numbers in the
            # index itself (PostgreSQL; SQLite takes the index without them).
            models.Index(
                fields=["indicator", "first", "last", "org_unit"],
                include=["value", "filled", "reported", "own"],
                name="rollup_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.org_unit_id}[{self.first}..{self.last}] = {self.value}"


class RollupState(models.Model):
    """Whether the rollups may be read (Zulip's FillState, for one table).

    Any write that bypasses the refresh — a catalogue change that moves units, a
    direct database write — marks them invalid; analytics then computes from the
    stored figures (correct, slower) until ``dieuhanh rollups rebuild`` runs.
    """

    key = models.CharField(max_length=16, primary_key=True, default="rollups")
    valid = models.BooleanField(default=False)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # Bumped by every change that can alter an answer (figures, targets, the catalogue), so
    # that answers cached under an older version are never served again.
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self) -> str:
        return f"{self.key}: {'valid' if self.valid else 'invalid'}"
