"""Reminders before the due date and to the late: by e-mail and in the app, never twice."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from dieuhanh.directives.models import AgencyContact, Notification
from dieuhanh.reporting.models import ReportReminder
from dieuhanh.reporting.reminders import report_reminders_send
from tests.factories import UserFactory
from tests.reporting.conftest import World, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(world: World) -> World:
    AgencyContact.objects.create(org_unit=world.commune_a, user=UserFactory(username="xa_a", email="a@example.org"))
    AgencyContact.objects.create(org_unit=world.commune_b, email="b@example.org")
    AgencyContact.objects.create(org_unit=world.ward, email="ward@example.org")
    # Reports from June 2025 on: May's, missing, would be chased too.
    world.data_set.valid_from = dt.date(2025, 6, 1)
    world.data_set.save()
    return world


def sent_each_day(first: dt.date, last: dt.date) -> dict[dt.date, list[tuple[str, str]]]:
    out = {}
    day = first
    while day <= last:
        run = report_reminders_send(today=day)
        if run.sent:
            out[day] = sorted((r.org_unit.code, r.kind) for r in run.sent)
        day += dt.timedelta(days=1)
    return out


def test_a_reminder_goes_out_days_before_the_due_date_and_once_after_it_to_the_late(contacts: World) -> None:
    world = contacts
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 16))

    sent = sent_each_day(dt.date(2025, 7, 10), dt.date(2025, 7, 25))

    # Due on 18/7 with a 3-day lead: both are reminded on 15/7; only the one still without a
    # report is told on 19/7 that it is late, once.
    assert sent == {
        dt.date(2025, 7, 15): [("25741", "before_due"), ("25744", "before_due")],
        dt.date(2025, 7, 19): [("25744", "overdue")],
    }
    assert [m.to for m in mail.outbox] == [["a@example.org"], ["b@example.org"], ["b@example.org"]]
    assert "18/7/2025" in mail.outbox[0].subject
    assert "Tháng 6/2025" in mail.outbox[0].body
    assert "IND_A, IND_B" in mail.outbox[0].body
    assert Notification.objects.filter(user__username="xa_a").count() == 1


def test_a_unit_that_has_reported_is_not_reminded(contacts: World) -> None:
    world = contacts
    report(world, world.commune_a, "202506", on=dt.date(2025, 7, 1))
    report(world, world.commune_b, "202506", on=dt.date(2025, 7, 1))

    assert sent_each_day(dt.date(2025, 7, 10), dt.date(2025, 7, 25)) == {}
    assert mail.outbox == []


def test_running_the_command_twice_a_day_sends_nothing_more(contacts: World) -> None:
    first, second = StringIO(), StringIO()

    call_command("reporting", "remind", "--on", "2025-07-16", stdout=first)
    call_command("reporting", "remind", "--on", "2025-07-16", stdout=second)

    assert "Đã gửi 2 nhắc việc." in first.getvalue()
    assert "Đã gửi 0 nhắc việc." in second.getvalue()
    assert ReportReminder.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_unit_with_nobody_to_tell_is_named_and_nothing_is_recorded(world: World) -> None:
    out = StringIO()

    call_command("reporting", "remind", "--on", "2025-07-16", stdout=out)

    assert "Phường Hiệp Thành (25741)" in out.getvalue()
    assert ReportReminder.objects.count() == 0


def test_a_first_run_chases_only_the_reports_missing_for_less_than_a_month(contacts: World) -> None:
    run = report_reminders_send(today=dt.date(2025, 12, 1))

    # July to October are missing; only October's (due 18/11) is recent enough to chase.
    assert [(r.org_unit.code, r.period, r.kind) for r in run.sent] == [("26000", "202510", "overdue")]
