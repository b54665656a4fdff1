"""Status rules of directives: the official categories, due dates of recurring directives, days overdue.

The five categories (as the province's task-tracking reports use them):

- hoàn thành đúng hạn — done on time: completed (the office confirmed the completion report) on
  or before the deadline; a directive without a deadline that is completed counts here too;
- hoàn thành quá hạn — done late: completed after the deadline;
- đang thực hiện trong hạn — in progress within the deadline: not completed, today on or before
  the (next) due date;
- đang thực hiện quá hạn — overdue: not completed and the (next) due date has passed;
- không có thời hạn — no deadline: not completed, and neither a deadline nor a recurrence with
  due dates (continuous tasks belong here).

The date that counts for completion is the date of the report the office confirmed (when the
agency did it), not the date of the confirmation.

A recurring directive is due on each occurrence: monthly on day N (31 = the last day of the
month; a shorter month's last day stands in for a day it lacks), quarterly on the last day of
each quarter; the first occurrence is the first such day after the directive was assigned.
Each occurrence is one obligation, done on time or late by its own report; the directive's
status is that of its earliest occurrence not yet done.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

MONTHLY = "monthly"
QUARTERLY = "quarterly"
CONTINUOUS = "continuous"
REMINDER_DAYS = (7, 3, 1)


class DirectiveStatus(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    IN_PROGRESS = "in_progress", _("In progress, within the deadline")
    OVERDUE = "overdue", _("In progress, overdue")
    NO_DEADLINE = "no_deadline", _("No deadline")


def status_of(*, completed_on: dt.date | None, completed_late: bool, due_date: dt.date | None, today: dt.date) -> str:
    """The category of a directive (or of one obligation) on ``today``."""
    if completed_on is not None:
        return DirectiveStatus.DONE_LATE if completed_late else DirectiveStatus.DONE_ON_TIME
    if due_date is None:
        return DirectiveStatus.NO_DEADLINE
    return DirectiveStatus.OVERDUE if due_date < today else DirectiveStatus.IN_PROGRESS


def days_overdue(
    *, completed_on: dt.date | None, due_date: dt.date | None, deadline: dt.date | None, today: dt.date
) -> int:
    """Days past due: until today while open; between deadline and completion once done late."""
    if completed_on is None:
        return max((today - due_date).days, 0) if due_date is not None else 0
    if deadline is not None:
        return max((completed_on - deadline).days, 0)
    return 0


def status_expression(today: dt.date) -> Case:
    """``status_of`` as a database expression, to filter and count in one query."""
    return Case(
        When(Q(completed_on__isnull=False, completed_late=True), then=Value(DirectiveStatus.DONE_LATE.value)),
        When(completed_on__isnull=False, then=Value(DirectiveStatus.DONE_ON_TIME.value)),
        When(due_date__isnull=True, then=Value(DirectiveStatus.NO_DEADLINE.value)),
        When(due_date__lt=today, then=Value(DirectiveStatus.OVERDUE.value)),
        default=Value(DirectiveStatus.IN_PROGRESS.value),
        output_field=models.CharField(),
    )


def _month_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def occurrences(
    *, recurrence: str, day: int | None, starts_on: dt.date, ends_on: dt.date | None = None
) -> Iterator[dt.date]:
    """The due dates of a recurring directive, in order, from the first one after ``starts_on``.

    Endless unless ``ends_on`` is given; callers stop when they have what they need.
    """
    if recurrence == MONTHLY:
        year, month = starts_on.year, starts_on.month
        while True:
            due = _month_day(year, month, day or 31)
            if ends_on is not None and due > ends_on:
                return
            if due > starts_on:
                yield due
            year, month = _next_month(year, month)
    elif recurrence == QUARTERLY:
        year, quarter = starts_on.year, (starts_on.month - 1) // 3 + 1
        while True:
            due = _month_day(year, quarter * 3, 31)
            if ends_on is not None and due > ends_on:
                return
            if due > starts_on:
                yield due
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def occurrences_until(
    *, recurrence: str, day: int | None, starts_on: dt.date, ends_on: dt.date | None, until: dt.date
) -> list[dt.date]:
    out = []
    for due in occurrences(recurrence=recurrence, day=day, starts_on=starts_on, ends_on=ends_on):
        if due > until:
            break
        out.append(due)
    return out


@dataclass(frozen=True)
class Obligation:
    """One thing due: a one-off directive, or one occurrence of a recurring one."""

    directive_id: int
    lead_id: int | None
    due: dt.date | None
    fulfilled_on: dt.date | None

    @property
    def on_time(self) -> bool:
        return self.fulfilled_on is not None and (self.due is None or self.fulfilled_on <= self.due)

    def overdue_on(self, day: dt.date) -> bool:
        """Past due and not done by the end of ``day``."""
        return self.due is not None and self.due < day and (self.fulfilled_on is None or self.fulfilled_on > day)

    def status(self, today: dt.date) -> str:
        done = self.fulfilled_on is not None and self.fulfilled_on <= today
        return status_of(
            completed_on=self.fulfilled_on if done else None,
            completed_late=done and not self.on_time,
            due_date=self.due,
            today=today,
        )
