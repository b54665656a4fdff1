"""A year's capital plan against the province's disbursement milestones: pure rules, no database.

Milestones say how much of a year's plan must be disbursed by a date (30 % by 30/6, 60 % by 30/9,
95 % by 31/1 of the next year, by default). As at a date, a project (an investor, the province)
whose disbursed share of the plan is

- below the last milestone passed (due on or before the date) is **behind**;
- otherwise below the pace — the straight line from 0 % on 1 January through each milestone to
  the next one — is **at risk** of being behind at the next milestone;
- otherwise **on schedule**.

With no plan (or a plan of 0) there is no status against schedule.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from dieuhanh.projects.choices import ScheduleStatus

HUNDRED = Decimal(100)


@dataclass(frozen=True, order=True)
class Milestone:
    due_on: dt.date
    percent: Decimal


class MilestoneSpecError(ValueError):
    """A milestone setting that cannot be read; ``str()`` says how to write it."""


def milestones_parse(spec: str, *, year: int) -> list[Milestone]:
    """The milestones of ``year`` written as ``"06-30:30;09-30:60;+01-31:95"`` (``+``: a date of
    the next year, only in January), in date order."""
    milestones: list[Milestone] = []
    for raw in (part.strip() for part in spec.split(";")):
        if not raw:
            continue
        try:
            day_text, percent_text = raw.split(":")
            next_year = day_text.startswith("+")
            month, day = (int(x) for x in day_text.lstrip("+").split("-"))
            due_on = dt.date(year + 1 if next_year else year, month, day)
            percent = Decimal(percent_text)
        except (ValueError, ArithmeticError) as error:
            message = _(
                "“%(part)s” is not a milestone: write MM-DD:percent, e.g. 06-30:30, "
                "or +01-31:95 for 31 January of the next year."
            )
            raise MilestoneSpecError(message % {"part": raw}) from error
        if next_year and month != 1:
            message = _("A milestone of the next year can only fall in January: “%(part)s”.")
            raise MilestoneSpecError(message % {"part": raw})
        if not Decimal(0) < percent <= HUNDRED:
            raise MilestoneSpecError(_("A milestone's share is between 0 and 100 %%: “%(part)s”.") % {"part": raw})
        milestones.append(Milestone(due_on, percent))
    milestones.sort()
    for earlier, later in itertools.pairwise(milestones):
        if later.due_on == earlier.due_on or later.percent < earlier.percent:
            raise MilestoneSpecError(_("Milestones must fall on different dates and never ask for less later."))
    return milestones


def required_at(milestones: Sequence[Milestone], on: dt.date) -> Decimal:
    """The share of the plan required by the last milestone due on or before ``on`` (0 before the first)."""
    required = Decimal(0)
    for milestone in milestones:
        if milestone.due_on <= on:
            required = max(required, milestone.percent)
    return required


def pace_at(milestones: Sequence[Milestone], on: dt.date, *, year: int) -> Decimal:
    """The share of the plan a steady pace would have disbursed by ``on``: linear from 0 % on
    1 January of ``year`` through each milestone; the last milestone's share after it."""
    start, start_percent = dt.date(year, 1, 1), Decimal(0)
    if on < start:
        return Decimal(0)
    for milestone in sorted(milestones):
        if on <= milestone.due_on:
            span = (milestone.due_on - start).days
            done = (on - start).days
            if span <= 0:
                return milestone.percent
            return start_percent + (milestone.percent - start_percent) * Decimal(done) / Decimal(span)
        start, start_percent = milestone.due_on, milestone.percent
    return start_percent


def disbursed_percent(plan: Decimal | None, disbursed: Decimal | None) -> Decimal | None:
    """Disbursed as a share of the plan, in %; None without a plan."""
    if plan is None or plan <= 0:
        return None
    return (disbursed or Decimal(0)) * HUNDRED / plan


def schedule_status(
    *, plan: Decimal | None, disbursed: Decimal | None, on: dt.date, year: int, milestones: Sequence[Milestone]
) -> ScheduleStatus:
    """The status against schedule of ``disbursed`` out of ``plan`` (the year's plan as at ``on``)."""
    percent = disbursed_percent(plan, disbursed)
    if percent is None:
        return ScheduleStatus.NO_PLAN
    if percent < required_at(milestones, on):
        return ScheduleStatus.BEHIND
    if percent < pace_at(milestones, on, year=year):
        return ScheduleStatus.AT_RISK
    return ScheduleStatus.ON_TRACK


def shortfall(
    *, plan: Decimal | None, disbursed: Decimal | None, on: dt.date, year: int, milestones: Sequence[Milestone]
) -> Decimal:
    """How much more (million đồng) must be disbursed to be back on the pace as at ``on`` (0 when on it)."""
    if plan is None or plan <= 0:
        return Decimal(0)
    needed = plan * pace_at(milestones, on, year=year) / HUNDRED - (disbursed or Decimal(0))
    return max(needed, Decimal(0))
