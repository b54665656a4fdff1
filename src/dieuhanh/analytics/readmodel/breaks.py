"""Where a series breaks: the days the map of a unit changed (its successions, or those of the units
below it), which every chart whose range crosses one marks — "1/7/2025: sắp xếp đơn vị hành chính".

The dates come from the successions, never from a calendar: a later re-organisation is marked the
same way, and a unit whose map never changed shows no break.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.indicators.periods import Period
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.tree import in_subtrees

# Successions of agencies (a department merged into another) change no map: no break in a figure.
MAP_KINDS = (OrgUnitKind.PROVINCE, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE)


@dataclass(frozen=True)
class Break:
    """A day a unit's map changed, and the index of the first period of a series on or after it."""

    day: dt.date
    index: int
    label: str


def break_days(*, unit: OrgUnit, start: dt.date, end: dt.date) -> list[dt.date]:
    """The effective dates within (start, end] of the successions from or to the unit or a unit
    below it (administrative units only); one query."""
    if end <= start:
        return []
    subtree = in_subtrees([unit], through="successor") | in_subtrees([unit], through="predecessor")
    days = (
        Succession.objects.filter(
            subtree,
            successor__kind__in=MAP_KINDS,
            effective_date__gt=start,
            effective_date__lte=end,
        )
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .distinct()
    )
    return list(days)


def break_label(day: dt.date) -> str:
    """ "1/7/2025: sắp xếp đơn vị hành chính"."""
    return _("%(date)s: administrative units re-organised") % {"date": date_format(day, "SHORT_DATE_FORMAT")}


def series_breaks(*, days: Sequence[dt.date], periods: Sequence[Period]) -> list[Break]:
    """The breaks a chart of ``periods`` (in order) crosses, of the ``days`` a map changed
    (``break_days``): each at the period the day falls in (July 2025, Q3/2025, 2025); none when the
    chart lies wholly on one side of every change."""
    if not periods:
        return []
    first, last = periods[0].start_date, periods[-1].end_date
    breaks: list[Break] = []
    for day in days:
        if not first < day <= last:
            continue
        index = next(i for i, p in enumerate(periods) if p.end_date >= day)
        breaks.append(Break(day=day, index=index, label=break_label(day)))
    return breaks
