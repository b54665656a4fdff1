"""Reminders about reports, by e-mail (Django's mail API) and in the app, as directives send theirs.

Run once a day (``dieuhanh reporting remind``). Two kinds, each sent at most once per unit, data
set and period (a unique constraint, so two runs never send one twice):

- before the due date: to a unit that has not reported, from ``reminder_days`` days before the
  due date to the due date itself (a day the command did not run is caught up the next day);
- after it: to a unit whose report is missing, once, from the day after the due date for
  ``OVERDUE_WINDOW_DAYS`` days (a first run does not send reminders about reports missing for months).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from dieuhanh.directives.models import Notification
from dieuhanh.orgunits.models import day_text
from dieuhanh.reporting.choices import ObligationState, ReminderKind
from dieuhanh.reporting.models import ReportReminder
from dieuhanh.reporting.recipients import recipients_for
from dieuhanh.reporting.selectors import Obligation, data_sets, obligations

logger = logging.getLogger(__name__)

OVERDUE_WINDOW_DAYS = 30


@dataclass
class ReminderRun:
    """What one run did, for the command's summary and for tests."""

    sent: list[ReportReminder] = field(default_factory=list)
    without_recipient: list[Obligation] = field(default_factory=list)
    failed: list[tuple[Obligation, str]] = field(default_factory=list)


def _kind_due(item: Obligation, today: dt.date) -> ReminderKind | None:
    if item.state == ObligationState.NOT_DUE:
        lead = item.data_set.reminder_days
        if lead is not None and (item.due_date - today).days <= lead:
            return ReminderKind.BEFORE_DUE
    elif item.state == ObligationState.MISSING and (today - item.due_date).days <= OVERDUE_WINDOW_DAYS:
        return ReminderKind.OVERDUE
    return None


def report_reminders_send(*, today: dt.date) -> ReminderRun:
    """Send every reminder due on ``today`` that was not sent before."""
    run = ReminderRun()
    due: list[tuple[Obligation, ReminderKind]] = []
    for data_set in data_sets():
        lead = data_set.reminder_days or 0
        periods = data_set.periods_due_between(
            today - dt.timedelta(days=OVERDUE_WINDOW_DAYS), today + dt.timedelta(days=lead)
        )
        for item in obligations(data_set=data_set, periods=periods, on=today):
            kind = _kind_due(item, today)
            if kind is not None:
                due.append((item, kind))
    if not due:
        return run
    sent_before = set(
        ReportReminder.objects.filter(
            data_set_id__in={item.data_set.pk for item, _kind in due},
            period__in={item.period.code for item, _kind in due},
        ).values_list("data_set_id", "org_unit_id", "period", "kind")
    )
    todo = [
        (item, kind)
        for item, kind in due
        if (item.data_set.pk, item.org_unit.pk, item.period.code, kind.value) not in sent_before
    ]
    people = recipients_for({item.org_unit for item, _kind in todo})
    for item, kind in todo:
        recipients = people[item.org_unit.pk]
        if not recipients:
            run.without_recipient.append(item)
            continue
        try:
            with transaction.atomic():
                reminder = ReportReminder.objects.create(
                    data_set=item.data_set,
                    org_unit=item.org_unit,
                    period=item.period.code,
                    kind=kind,
                    due_date=item.due_date,
                    recipients=", ".join(recipients.addresses),
                )
                message = reminder_message(item, kind, today)
                Notification.objects.bulk_create(
                    [Notification(user_id=uid, message=message) for uid in recipients.user_ids]
                )
                if recipients.addresses:
                    _mail(item, kind, today, recipients.addresses)
        except IntegrityError:
            # Another run recorded this reminder a moment ago; it was sent there.
            continue
        except Exception as exc:
            logger.warning(
                "Reminder for %s %s %s not sent: %s", item.data_set.code, item.org_unit.code, item.period, exc
            )
            run.failed.append((item, str(exc)))
            continue
        run.sent.append(reminder)
    return run


def reminder_message(item: Obligation, kind: ReminderKind, today: dt.date) -> str:
    """The reminder's line, in Vietnamese (the in-app message and the mail's first paragraph)."""
    with translation.override("vi"):
        values: dict[str, object] = {
            "data_set": item.data_set.name,
            "period": item.period.label(),
            "unit": item.org_unit.name,
            "due": day_text(item.due_date),
        }
        if kind == ReminderKind.BEFORE_DUE:
            values["days"] = (item.due_date - today).days
            text = _("%(unit)s: the report “%(data_set)s” of %(period)s is due on %(due)s (in %(days)d day(s)).")
        else:
            values["days"] = (today - item.due_date).days
            text = _(
                "%(unit)s: the report “%(data_set)s” of %(period)s was due on %(due)s and has not been "
                "received (%(days)d day(s) late)."
            )
    return (text % values)[:500]


def _mail(item: Obligation, kind: ReminderKind, today: dt.date, addresses: list[str]) -> None:
    with translation.override("vi"):
        if kind == ReminderKind.BEFORE_DUE:
            subject = _("[Reminder] Report due on %(due)s") % {"due": day_text(item.due_date)}
        else:
            subject = _("[Reminder] Report overdue since %(due)s") % {"due": day_text(item.due_date)}
        indicators = ", ".join(i.code for i in item.data_set.indicators.all())
        body = "\n\n".join(
            [
                reminder_message(item, kind, today),
                _("Indicators: %(codes)s") % {"codes": indicators},
                _("Enter or upload the figures in the data entry of the operations center."),
            ]
        )
    EmailMessage(subject=subject, body=body, to=addresses).send(fail_silently=False)
