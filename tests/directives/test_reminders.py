"""Reminders 7, 3 and 1 days before a due date: by mail and in the app, never twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from dieuhanh.directives.models import AgencyContact, Notification, Reminder, SourceDocument
from dieuhanh.directives.reminders import reminders_send
from dieuhanh.directives.services import progress_report
from tests.directives.conftest import Clock, Province
from tests.directives.helpers import add, complete

pytestmark = pytest.mark.django_db

DUE = dt.date(2024, 10, 15)


def remind(clock: Clock) -> str:
    out = StringIO()
    call_command("directives", "remind", stdout=out)
    return out.getvalue()


def test_reminders_go_out_seven_three_and_one_day_before_the_due_date(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, "Đưa bệnh viện vào hoạt động.", lead=province.health.code, deadline=DUE)
    sent_on: dict[dt.date, int] = {}

    clock.move_to(dt.date(2024, 10, 1))
    while clock.today <= DUE + dt.timedelta(days=2):
        sent_on[clock.today] = len(reminders_send(today=clock.today).sent)
        clock.advance(1)

    assert {day: n for day, n in sent_on.items() if n} == {
        dt.date(2024, 10, 8): 1,
        dt.date(2024, 10, 12): 1,
        dt.date(2024, 10, 14): 1,
    }
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [1, 3, 7]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["yte@example.org"]
    assert "7 ngày" in mail.outbox[0].subject
    assert "15/10/2024" in mail.outbox[0].body
    assert Notification.objects.filter(user__username="yte").count() == 3


def test_running_the_command_twice_a_day_sends_nothing_more(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, lead=province.health.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 8))

    first = remind(clock)
    second = remind(clock)

    assert "1 nhắc việc" in first
    assert "0 nhắc việc" in second
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_a_missed_day_is_caught_up_with_the_current_reminder_only(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, lead=province.health.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 13))  # the command did not run for the 7- and 3-day reminders' first days

    reminders_send(today=clock.today)

    assert list(Reminder.objects.values_list("days_before", flat=True)) == [3]


def test_no_reminder_for_what_is_done_or_overdue(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    done = add(source, lead=province.health.code, deadline=DUE)
    add(source, lead=province.health.code, deadline=dt.date(2024, 10, 1))
    clock.move_to(dt.date(2024, 10, 8))
    complete(done, on=dt.date(2024, 10, 7))

    assert reminders_send(today=clock.today).sent == []


def test_no_reminder_while_a_completion_report_awaits_the_office(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    sent = add(source, lead=province.health.code, deadline=DUE)
    returned = add(source, "Báo cáo lại.", lead=province.health.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 7))
    progress_report(directive=sent, percent=100, text="Đã hoàn thành.", reported_on=dt.date(2024, 10, 7))
    complete(returned, on=dt.date(2024, 10, 7), accept=False)
    clock.move_to(dt.date(2024, 10, 8))

    reminded = [r.directive_id for r in reminders_send(today=clock.today).sent]

    # The agency has done its part; the office, not the agency, has to act on the first one.
    assert reminded == [returned.pk]


def test_a_monthly_directive_is_reminded_before_each_occurrence(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    directive = add(source, lead=province.health.code, recurrence="monthly", recurrence_day=20)
    clock.move_to(dt.date(2024, 9, 19))
    reminders_send(today=clock.today)
    complete(directive, on=dt.date(2024, 9, 19))

    clock.move_to(dt.date(2024, 10, 13))
    reminders_send(today=clock.today)

    assert list(Reminder.objects.order_by("due_date").values_list("due_date", "days_before")) == [
        (dt.date(2024, 9, 20), 1),
        (dt.date(2024, 10, 20), 7),
    ]


def test_an_agency_without_a_contact_is_named_and_tried_again_later(
    clock: Clock, source: SourceDocument, province: Province
) -> None:
    directive = add(source, lead=province.finance.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 8))

    out = remind(clock)
    AgencyContact.objects.create(org_unit=province.finance, email="taichinh@example.org")
    clock.advance(1)
    later = reminders_send(today=clock.today)

    assert "Sở Tài chính" in out
    assert f"#{directive.pk}" in out
    assert [r.days_before for r in later.sent] == [7]
    assert mail.outbox[0].to == ["taichinh@example.org"]


def test_a_mail_failure_records_nothing_so_that_tomorrow_tries_again(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, lead=province.health.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 8))

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")):
        failed = reminders_send(today=clock.today)
    clock.advance(1)
    retried = reminders_send(today=clock.today)

    assert [d.pk for d, _e in failed.failed]
    assert failed.sent == []
    assert len(retried.sent) == 1
    assert Notification.objects.count() == 1


def test_the_command_exits_with_an_error_when_a_mail_fails(
    clock: Clock, source: SourceDocument, province: Province, reporter: object
) -> None:
    add(source, lead=province.health.code, deadline=DUE)
    clock.move_to(dt.date(2024, 10, 8))
    err = StringIO()

    with mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")), pytest.raises(SystemExit):
        call_command("directives", "remind", stdout=StringIO(), stderr=err)

    assert "SMTP down" in err.getvalue()
