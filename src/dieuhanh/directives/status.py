"""Status rules of directives: the official categories as at any date, due dates of recurring
directives, days overdue, and the completion report that waits for the office.

The five categories (as the province's task-tracking reports use them), on a date D:

- hoàn thành đúng hạn — done on time: completed (the office confirmed the completion report) on
  or before the deadline; a directive without a deadline that is completed counts here too;
- hoàn thành quá hạn — done late: completed after the deadline;
- đang thực hiện trong hạn — in progress within the deadline: not completed, D on or before the
  (next) due date; or a completion report sent on or before that due date awaits the office;
- đang thực hiện quá hạn — overdue: not completed, the (next) due date has passed, and no
  completion report sent in time awaits the office;
- không có thời hạn — no deadline: not completed, and neither a deadline nor a recurrence with
  due dates (continuous tasks belong here).

Completed means the office confirmed a completion report; the date that counts is the date of
the report (when the agency did it), not of the confirmation. As at D, the register is read as
it is known today: a directive assigned after D is not there, a report dated after D has not
been sent, and a report dated by D counts as the office has judged it since (confirmed: done
on its date; returned: as if never sent; not judged yet: awaiting confirmation).

A completion report sent on or before its due date and not yet judged stops the clock: the
directive is "in progress within the deadline, awaiting confirmation" until the office decides.
One sent after the due date does not: the directive stays overdue (days counted to D) until it
is confirmed, and is then done late by the report's date.

A recurring directive is due on each occurrence: monthly on day N (31 = the last day of the
month; a shorter month's last day stands in for a day it lacks), quarterly on the last day of
each quarter; the first occurrence is the first such day after the directive was assigned.
Each occurrence is one obligation, done on time or late by its own report; the directive's
status is that of its earliest occurrence neither done nor awaiting confirmation in time.

A group's directive (one copy per member unit) is done when every copy is (late if any was),
overdue while any open copy is, otherwise in progress or without a deadline as its open copies.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from dieuhanh.directives.choices import LAST_DAY, DirectiveStatus, Recurrence
from dieuhanh.indicators.periods import Period, PeriodType

REMINDER_DAYS = (7, 3, 1)


DONE = (DirectiveStatus.DONE_ON_TIME, DirectiveStatus.DONE_LATE)


class AsOfError(ValueError):
    """A date the register cannot answer for; the message says what to write instead."""


def as_of_parse(value: str | None, *, today: dt.date) -> dt.date:
    """The date of an ``as_of`` parameter (2024-06-30); today when empty. The register knows
    nothing of tomorrow, so a later date is refused."""
    if not value:
        return today
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise AsOfError(_("Write the date as 2024-06-30.")) from exc
    if day > today:
        raise AsOfError(_("This date is after today: the register answers up to today."))
    return day


@dataclass(frozen=True)
class Timing:
    """When a directive was assigned and when it is due: what its status depends on, besides its reports."""

    starts_on: dt.date
    deadline: dt.date | None = None
    recurrence: str = ""
    recurrence_day: int | None = None
    ends_on: dt.date | None = None

    @property
    def is_recurring(self) -> bool:
        return self.recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY)


@dataclass(frozen=True)
class CompletionReport:
    """A report of 100 % as the register knows it now: confirmed by the office, or not judged yet.
    Returned reports are left out: they count as never sent."""

    reported_on: dt.date
    occurrence_due: dt.date | None
    confirmed: bool


@dataclass(frozen=True)
class StatusAt:
    """A directive's standing on a date: its category, the due date that decides it (the next one
    while open, the deadline once done), the completion date, days overdue, and whether a
    completion report awaits the office's confirmation."""

    status: str
    due: dt.date | None = None
    completed_on: dt.date | None = None
    days_overdue: int = 0
    awaiting: bool = False

    @property
    def is_done(self) -> bool:
        return self.status in DONE


@dataclass(frozen=True)
class Obligation:
    """One thing due: a one-off directive, or one occurrence of a recurring one.

    ``done_on``: the date of the confirmed completion report; ``sent_on``: the date of a
    completion report that awaits the office.
    """

    due: dt.date | None
    done_on: dt.date | None = None
    sent_on: dt.date | None = None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and (self.due is None or self.done_on <= self.due)

    def done_by(self, day: dt.date) -> bool:
        return self.done_on is not None and self.done_on <= day

    def sent_in_time_by(self, day: dt.date) -> bool:
        """A completion report sent by ``day``, on or before the due date, awaits the office."""
        return (
            self.sent_on is not None
            and self.sent_on <= day
            and not self.done_by(day)
            and (self.due is None or self.sent_on <= self.due)
        )

    def overdue_on(self, day: dt.date) -> bool:
        """Past due and not done at the end of ``day``, and no report sent in time awaits the office."""
        return self.due is not None and self.due < day and not self.done_by(day) and not self.sent_in_time_by(day)

    def overdue_span(self) -> tuple[dt.date, dt.date | None] | None:
        """The days it is overdue, ``overdue_on`` as a span: from the first to the day it was done
        (excluded; None: still open); None if it never is."""
        if self.due is None or (self.sent_on is not None and self.sent_on <= self.due):
            return None
        first = self.due + dt.timedelta(days=1)
        if self.done_on is not None and self.done_on <= first:
            return None
        return first, self.done_on

    def state(self, day: dt.date) -> StatusAt:
        if self.done_on is not None and self.done_on <= day:
            late = max((self.done_on - self.due).days, 0) if self.due is not None else 0
            status = DirectiveStatus.DONE_LATE if late else DirectiveStatus.DONE_ON_TIME
            return StatusAt(status, self.due, self.done_on, late)
        sent = self.sent_on is not None and self.sent_on <= day
        if self.due is None:
            return StatusAt(DirectiveStatus.NO_DEADLINE, awaiting=sent)
        if self.overdue_on(day):
            return StatusAt(DirectiveStatus.OVERDUE, self.due, days_overdue=(day - self.due).days, awaiting=sent)
        return StatusAt(DirectiveStatus.IN_PROGRESS, self.due, awaiting=sent)


def obligations(timing: Timing, reports: Iterable[CompletionReport]) -> Iterator[Obligation]:
    """The obligations of one directive, in order of due date. Endless for a recurring directive
    without an end: callers stop when they have what they need."""
    ordered = sorted(reports, key=lambda r: r.reported_on)
    if not timing.is_recurring:
        due = None if timing.recurrence == Recurrence.CONTINUOUS else timing.deadline
        done = next((r.reported_on for r in ordered if r.confirmed), None)
        sent = next((r.reported_on for r in ordered if not r.confirmed), None)
        yield Obligation(due, done, sent)
        return
    done_by_due: dict[dt.date, dt.date] = {}
    sent_by_due: dict[dt.date, dt.date] = {}
    for report in ordered:
        if report.occurrence_due is not None:
            (done_by_due if report.confirmed else sent_by_due).setdefault(report.occurrence_due, report.reported_on)
    for due in occurrences(
        recurrence=timing.recurrence, day=timing.recurrence_day, starts_on=timing.starts_on, ends_on=timing.ends_on
    ):
        yield Obligation(due, done_by_due.get(due), sent_by_due.get(due))


def obligations_until(timing: Timing, reports: Iterable[CompletionReport], until: dt.date) -> list[Obligation]:
    """Enough obligations to tell the directive's standing on any day up to ``until``: a one-off
    directive's one; a recurring one's due by then, and after them up to the first no report
    answers (a report may answer an occurrence ahead of its due date)."""
    out = []
    for obligation in obligations(timing, reports):
        out.append(obligation)
        beyond = obligation.due is not None and obligation.due > until
        if timing.is_recurring and beyond and obligation.done_on is None and obligation.sent_on is None:
            break
    return out


def directive_state(timing: Timing, reports: Sequence[CompletionReport], on: dt.date) -> StatusAt | None:
    """A directive's (not a group's) standing on ``on``; None if it was not assigned by then."""
    return state_on(timing, obligations_until(timing, reports, on), on)


def state_on(timing: Timing, known: Sequence[Obligation], on: dt.date) -> StatusAt | None:
    """``directive_state`` from the directive's obligations (``obligations_until`` a day on or
    after ``on``), worked out once for many days."""
    if timing.starts_on > on:
        return None
    if not timing.is_recurring:
        return known[0].state(on)
    awaiting: Obligation | None = None
    last_done: Obligation | None = None
    for obligation in known:
        if obligation.done_by(on):
            last_done = obligation
        elif obligation.sent_in_time_by(on):
            awaiting = awaiting or obligation
        else:
            state = obligation.state(on)
            return replace(state, awaiting=state.awaiting or awaiting is not None)
    # Every occurrence up to the end is done or awaits the office.
    if awaiting is not None:
        return StatusAt(DirectiveStatus.IN_PROGRESS, awaiting.due, awaiting=True)
    if last_done is None:
        return StatusAt(DirectiveStatus.NO_DEADLINE)
    return last_done.state(on)


def group_state(copies: Sequence[StatusAt]) -> StatusAt:
    """A group's directive from its members' copies on the same date."""
    if not copies:
        return StatusAt(DirectiveStatus.NO_DEADLINE)
    if all(c.is_done for c in copies):
        late = any(c.status == DirectiveStatus.DONE_LATE for c in copies)
        return StatusAt(
            DirectiveStatus.DONE_LATE if late else DirectiveStatus.DONE_ON_TIME,
            max((c.due for c in copies if c.due), default=None),
            max(c.completed_on for c in copies if c.completed_on),
            max(c.days_overdue for c in copies),
        )
    open_copies = [c for c in copies if not c.is_done]
    awaiting = all(c.awaiting for c in open_copies)
    for status in (DirectiveStatus.OVERDUE, DirectiveStatus.IN_PROGRESS):
        dated = [c for c in open_copies if c.status == status]
        if dated:
            return StatusAt(
                status,
                min(c.due for c in dated if c.due),
                days_overdue=max(c.days_overdue for c in dated),
                awaiting=awaiting,
            )
    return StatusAt(DirectiveStatus.NO_DEADLINE, awaiting=awaiting)


def change_days(timing: Timing, known: Sequence[Obligation], until: dt.date) -> list[dt.date]:
    """The days on which a directive's category can change, up to ``until``: its assignment, the
    days its obligations were done or reported, and the day after each due date. Between two of
    them the category stays the same."""
    days = {timing.starts_on}
    for obligation in known:
        days.update(d for d in (obligation.done_on, obligation.sent_on) if d is not None)
        if obligation.due is not None:
            days.add(obligation.due + dt.timedelta(days=1))
    return sorted(d for d in days if timing.starts_on <= d <= until)


def _month_day(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def occurrences(
    *, recurrence: str, day: int | None, starts_on: dt.date, ends_on: dt.date | None = None
) -> Iterator[dt.date]:
    """The due dates of a recurring directive, in order, from the first one after ``starts_on``.

    Endless unless ``ends_on`` is given; callers stop when they have what they need.
    """
    if recurrence not in (Recurrence.MONTHLY, Recurrence.QUARTERLY):
        return
    monthly = recurrence == Recurrence.MONTHLY
    period = Period.containing(starts_on, PeriodType.MONTHLY if monthly else PeriodType.QUARTERLY)
    while True:
        due = _month_day(period.year, period.last_month, (day or LAST_DAY) if monthly else LAST_DAY)
        if ends_on is not None and due > ends_on:
            return
        if due > starts_on:
            yield due
        period = Period.from_ordinal(period.type, period.ordinal + 1)


def occurrences_until(
    *, recurrence: str, day: int | None, starts_on: dt.date, ends_on: dt.date | None, until: dt.date
) -> list[dt.date]:
    out = []
    for due in occurrences(recurrence=recurrence, day=day, starts_on=starts_on, ends_on=ends_on):
        if due > until:
            break
        out.append(due)
    return out
