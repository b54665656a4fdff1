"""The choices of the directives' register, each defined once: kinds of source document,
recurrence, lead groups, review states, and the statuses a directive has as at a date."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A monthly directive with no day named is due by the end of each month; the day is then
# written 31, which stands for the last day of every month.
LAST_DAY = 31

# How a directive names a whole group of units as its lead ("UBND các huyện, thị xã, thành phố").
GROUP_DISTRICTS = "group:districts"
GROUP_COMMUNES = "group:communes"
GROUP_AGENCIES = "group:agencies"


class SourceKind(models.TextChoices):
    CONCLUSION_NOTICE = "conclusion_notice", _("Conclusion notice")
    DIRECTIVE = "directive", pgettext_lazy("kind of document", "Directive")
    OFFICIAL_LETTER = "official_letter", _("Official letter")
    PLAN = "plan", _("Plan")
    DECISION = "decision", _("Decision")
    MEETING = "meeting", _("Meeting minutes")
    NEWS = "news", _("News report")
    OTHER = "other", _("Other")


class Recurrence(models.TextChoices):
    NONE = "", _("One-off")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    CONTINUOUS = "continuous", _("Continuous")

    @property
    def periodic(self) -> bool:
        """Due again every period (a month, a quarter), with no deadline of its own."""
        return self in (Recurrence.MONTHLY, Recurrence.QUARTERLY)


class LeadGroup(models.TextChoices):
    NONE = "", _("No group")
    DISTRICTS = GROUP_DISTRICTS, _("People's Committees of the districts, towns and cities")
    COMMUNES = GROUP_COMMUNES, _("People's Committees of the communes, wards and townships")
    AGENCIES = GROUP_AGENCIES, _("Provincial departments and agencies")


class ReviewState(models.TextChoices):
    NOT_NEEDED = "", _("Progress report")
    PENDING = "pending", _("Awaiting confirmation")
    ACCEPTED = "accepted", _("Confirmed")
    RETURNED = "returned", _("Returned")


class DirectiveStatus(models.TextChoices):
    DONE_ON_TIME = "done_on_time", _("Done on time")
    DONE_LATE = "done_late", _("Done late")
    IN_PROGRESS = "in_progress", _("In progress, within the deadline")
    OVERDUE = "overdue", _("In progress, overdue")
    NO_DEADLINE = "no_deadline", _("No deadline")
