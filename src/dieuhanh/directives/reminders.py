"""Reminders 7, 3 and 1 days before a due date, by e-mail (Django's mail API) and in the app.

No reminder goes out for a due date whose completion report, sent in time, awaits the office's
confirmation. Run once a day (``dieuhanh directives remind``; see docs/directives.md for cron and systemd).
Each reminder is recorded once per directive, due date and lead time — a unique constraint —
so running the command twice, or on two machines at once, never sends the same reminder twice.
Each lead time has a window: the 7-day reminder goes out from 7 days before the due date until
the 3-day one is due, and so on; a day the command did not run is caught up the next day, but
only the reminder that is current is sent, never a stale one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.directives.models import AgencyContact, Directive, Notification, Reminder
from dieuhanh.directives.selectors import DirectiveLeads, statuses_at
from dieuhanh.directives.status import REMINDER_DAYS

logger = logging.getLogger(__name__)


@dataclass
class ReminderRun:
    """What one run did, for the command's summary and for tests."""

    sent: list[Reminder] = field(default_factory=list)
    without_contact: list[Directive] = field(default_factory=list)
    failed: list[tuple[Directive, str]] = field(default_factory=list)


def _current_lead_time(left: int) -> int | None:
    # 7 covers 7..4 days left, 3 covers 3..2, 1 covers 1..0 (the due day itself).
    for days in sorted(REMINDER_DAYS):
        if 0 <= left <= days:
            return days
    return None


def reminders_send(*, today: dt.date) -> ReminderRun:
    """Send every reminder that is due on ``today`` and was not sent before."""
    run = ReminderRun()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    candidates = (
        Directive.objects.filter(
            completed_on__isnull=True,
            due_date__isnull=False,
            due_date__gte=today,
            due_date__lte=horizon,
            lead_agency__isnull=False,
        )
        .select_related("lead_agency", "source")
        .order_by("due_date", "id")
    )
    # A completion report sent in time and awaiting the office's confirmation: the agency has done
    # its part, the office acts next; the agency is not reminded of that due date.
    states = statuses_at(directives=candidates, on=today)
    directives = [
        d
        for d in candidates
        if not ((state := states.get(d.pk)) is not None and state.awaiting and state.due == d.due_date)
    ]
    # The agency leading each directive today: after a merger its successor's people are reminded.
    leads = DirectiveLeads(directive_ids=[d.pk for d in directives])
    lead_of = {d.pk: leads.unit_id_at(d.pk, d.lead_agency_id, today) for d in directives}
    contacts: dict[int, list[AgencyContact]] = {}
    for contact in AgencyContact.objects.filter(
        org_unit_id__in={lead for lead in lead_of.values() if lead is not None}
    ).select_related("user"):
        contacts.setdefault(contact.org_unit_id, []).append(contact)
    sent_before = set(
        Reminder.objects.filter(directive__in=directives).values_list("directive_id", "due_date", "days_before")
    )
    for directive in directives:
        if directive.due_date is None or directive.lead_agency_id is None:  # pragma: no cover - filtered above
            continue
        days = _current_lead_time((directive.due_date - today).days)
        if days is None or (directive.pk, directive.due_date, days) in sent_before:
            continue
        lead = lead_of[directive.pk]
        people = contacts.get(lead, []) if lead is not None else []
        addresses = sorted({c.address for c in people if c.address})
        users = sorted({c.user_id for c in people if c.user_id})
        if not addresses and not users:
            run.without_contact.append(directive)
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    directive=directive,
                    due_date=directive.due_date,
                    days_before=days,
                    recipients=", ".join(addresses),
                )
                message = _message(directive, days)
                Notification.objects.bulk_create(
                    [Notification(user_id=uid, directive=directive, message=message) for uid in users]
                )
                if addresses:
                    _mail(directive, days, addresses)
        except IntegrityError:
            # Another run recorded this reminder a moment ago; it was sent there.
            continue
        except Exception as exc:
            logger.warning("Reminder for directive %s not sent: %s", directive.pk, exc)
            run.failed.append((directive, str(exc)))
            continue
        run.sent.append(reminder)
    return run


def _message(directive: Directive, days: int) -> str:
    with translation.override("vi"):
        due = date_format(directive.due_date, "SHORT_DATE_FORMAT") if directive.due_date else "–"
        text = _("Due in %(days)d day(s), on %(due)s: %(content)s") % {
            "days": days,
            "due": due,
            "content": directive.content,
        }
    return text[:500]


def _mail(directive: Directive, days: int, addresses: list[str]) -> None:
    with translation.override("vi"):
        subject = _("[Reminder] A directive is due in %(days)d day(s)") % {"days": days}
        body = "\n\n".join(
            [
                _message(directive, days),
                _("Lead agency: %(agency)s") % {"agency": directive.lead_agency.name if directive.lead_agency else "–"},
                _("Source: %(source)s") % {"source": str(directive.source)},
                _("Report progress in the directives register of the operations center."),
            ]
        )
    EmailMessage(subject=subject, body=body, to=addresses).send(fail_silently=False)
