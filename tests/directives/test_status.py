"""Status per the official categories, moving a frozen clock across deadlines."""

from __future__ import annotations

import datetime as dt

import pytest

from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.models import Directive, SourceDocument
from dieuhanh.directives.selectors import directive_detail
from dieuhanh.directives.services import DirectiveError, progress_report
from dieuhanh.directives.status import Obligation, occurrences_until
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db


def status(directive: Directive, clock: Clock) -> tuple[str, int]:
    view = directive_detail(pk=directive.pk, on=clock.today)
    assert view is not None
    assert view.state is not None
    return view.state.status, view.state.days_overdue


def test_a_directive_is_in_progress_until_its_deadline_then_overdue_by_the_day(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.health.code, deadline=dt.date(2024, 11, 30))

    clock.move_to(dt.date(2024, 11, 30))
    on_the_day = status(directive, clock)
    clock.move_to(dt.date(2024, 12, 1))
    day_after = status(directive, clock)
    clock.move_to(dt.date(2024, 12, 31))
    month_after = status(directive, clock)

    assert on_the_day == (DirectiveStatus.IN_PROGRESS, 0)
    assert day_after == (DirectiveStatus.OVERDUE, 1)
    assert month_after == (DirectiveStatus.OVERDUE, 31)


def test_completion_on_or_before_the_deadline_is_on_time_and_stays_so(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.health.code, deadline=dt.date(2024, 11, 30))
    clock.move_to(dt.date(2024, 12, 2))  # confirmed after the deadline, but reported on the day

    complete(directive, on=dt.date(2024, 11, 30))
    clock.move_to(dt.date(2025, 6, 1))

    assert status(directive, clock) == (DirectiveStatus.DONE_ON_TIME, 0)
    assert directive.completed_on == dt.date(2024, 11, 30)


def test_completion_after_the_deadline_is_late_with_its_days(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.health.code, deadline=dt.date(2024, 11, 30))
    clock.move_to(dt.date(2024, 12, 10))

    complete(directive, on=dt.date(2024, 12, 9))

    assert status(directive, clock) == (DirectiveStatus.DONE_LATE, 9)


def test_a_completion_report_counts_as_done_only_once_the_office_confirms_it(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.health.code, deadline=dt.date(2024, 9, 30))
    clock.move_to(dt.date(2024, 9, 29))
    progress_report(directive=directive, percent=100, text="Xong.", reported_on=clock.today)

    clock.move_to(dt.date(2024, 10, 3))
    pending = status(directive, clock)
    directive.refresh_from_db()

    assert pending == (DirectiveStatus.IN_PROGRESS, 0)  # sent in time: it waits for the office
    assert directive.completed_on is None


def test_a_returned_report_leaves_the_directive_open(clock: Clock, source: SourceDocument, province: Province) -> None:
    directive = add(source, lead=province.health.code, deadline=dt.date(2024, 9, 30))
    clock.move_to(dt.date(2024, 9, 20))

    complete(directive, on=dt.date(2024, 9, 20), accept=False)

    assert status(directive, clock) == (DirectiveStatus.IN_PROGRESS, 0)
    assert directive.progress == 0


def test_a_directive_without_deadline_has_no_deadline_until_done(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    plain = add(source, lead=province.health.code)
    continuous = add(source, lead=province.health.code, recurrence="continuous")
    clock.move_to(dt.date(2030, 1, 1))

    assert status(plain, clock) == (DirectiveStatus.NO_DEADLINE, 0)
    assert status(continuous, clock) == (DirectiveStatus.NO_DEADLINE, 0)
    complete(plain, on=dt.date(2029, 12, 1))
    assert status(plain, clock) == (DirectiveStatus.DONE_ON_TIME, 0)


def test_a_monthly_directive_is_due_each_month_on_its_day(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.finance.code, recurrence="monthly", recurrence_day=20)

    assert directive.due_date == dt.date(2024, 9, 20)
    clock.move_to(dt.date(2024, 9, 21))
    assert status(directive, clock) == (DirectiveStatus.OVERDUE, 1)

    clock.move_to(dt.date(2024, 9, 22))
    complete(directive, on=dt.date(2024, 9, 22))  # September's report, two days late
    assert directive.due_date == dt.date(2024, 10, 20)
    assert status(directive, clock) == (DirectiveStatus.IN_PROGRESS, 0)
    assert directive.updates.get().occurrence_due == dt.date(2024, 9, 20)


def test_a_quarterly_directive_is_due_at_each_quarters_end(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.finance.code, recurrence="quarterly")

    assert directive.due_date == dt.date(2024, 9, 30)
    clock.move_to(dt.date(2024, 9, 28))
    complete(directive, on=dt.date(2024, 9, 28))
    assert directive.due_date == dt.date(2024, 12, 31)


def test_a_recurring_directive_with_an_end_is_done_when_its_last_occurrence_is(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(
        source, lead=province.finance.code, recurrence="monthly", recurrence_day=31, ends_on=dt.date(2024, 10, 31)
    )
    clock.move_to(dt.date(2024, 11, 5))

    complete(directive, on=dt.date(2024, 9, 30))
    complete(directive, on=dt.date(2024, 11, 2))

    assert status(directive, clock) == (DirectiveStatus.DONE_LATE, 2)  # the last occurrence, due 31/10
    assert directive.completed_on == dt.date(2024, 11, 2)


def test_every_occurrence_reported_leaves_nothing_to_report(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.finance.code, recurrence="quarterly", ends_on=dt.date(2024, 12, 31))
    clock.move_to(dt.date(2025, 1, 5))
    complete(directive, on=dt.date(2024, 9, 30))
    complete(directive, on=dt.date(2024, 12, 30))

    with pytest.raises(DirectiveError):
        progress_report(directive=directive, percent=100, text="Thêm.", reported_on=clock.today)


def test_monthly_occurrences_fall_on_the_last_day_of_short_months() -> None:
    dues = occurrences_until(
        recurrence="monthly", day=31, starts_on=dt.date(2024, 1, 31), ends_on=None, until=dt.date(2024, 4, 30)
    )

    assert dues == [dt.date(2024, 2, 29), dt.date(2024, 3, 31), dt.date(2024, 4, 30)]


D = dt.date


@pytest.mark.parametrize(
    ("obligation", "expected"),
    [
        (Obligation(None), DirectiveStatus.NO_DEADLINE),
        (Obligation(D(2024, 5, 1)), DirectiveStatus.IN_PROGRESS),
        (Obligation(D(2024, 4, 30)), DirectiveStatus.OVERDUE),
        (Obligation(None, done_on=D(2024, 4, 1)), DirectiveStatus.DONE_ON_TIME),
        (Obligation(D(2024, 3, 31), done_on=D(2024, 4, 1)), DirectiveStatus.DONE_LATE),
        (Obligation(D(2024, 4, 30), done_on=D(2024, 5, 2)), DirectiveStatus.OVERDUE),  # done after the day asked
        (Obligation(D(2024, 4, 30), sent_on=D(2024, 4, 29)), DirectiveStatus.IN_PROGRESS),  # awaiting the office
        (Obligation(D(2024, 4, 28), sent_on=D(2024, 4, 29)), DirectiveStatus.OVERDUE),  # sent late
    ],
)
def test_the_five_categories_on_a_day(obligation: Obligation, expected: str) -> None:
    assert obligation.state(dt.date(2024, 5, 1)).status == expected


def test_days_overdue_stop_counting_at_completion() -> None:
    assert Obligation(D(2024, 5, 1)).state(D(2024, 5, 11)).days_overdue == 10
    assert Obligation(D(2024, 5, 1), done_on=D(2024, 5, 4)).state(D(2024, 9, 1)).days_overdue == 3


def test_a_group_directive_has_one_copy_per_member_and_is_done_when_all_are(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    parent = add(source, lead="group:districts", deadline=dt.date(2024, 12, 31), coordinating=[province.planning.code])
    first, second = parent.children.order_by("lead_agency__code")

    assert (first.lead_agency, second.lead_agency) == (province.thu_dau_mot, province.bau_bang)
    assert list(first.coordinating_agencies.all()) == [province.planning]
    clock.move_to(dt.date(2025, 1, 2))
    complete(first, on=dt.date(2024, 12, 20))
    assert status(parent, clock) == (DirectiveStatus.OVERDUE, 2)
    complete(second, on=dt.date(2025, 1, 2))
    assert status(parent, clock)[0] == DirectiveStatus.DONE_LATE
