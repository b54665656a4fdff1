"""How directives read on a page: status badges, who leads, when it is due."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from dieuhanh.directives.choices import DirectiveStatus, Recurrence
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import lead_text

register = template.Library()

BADGE = {
    DirectiveStatus.DONE_ON_TIME: "done",
    DirectiveStatus.DONE_LATE: "late",
    DirectiveStatus.IN_PROGRESS: "open",
    DirectiveStatus.OVERDUE: "overdue",
    DirectiveStatus.NO_DEADLINE: "none",
}


@register.filter
def status_label(value: object) -> str:
    try:
        return str(DirectiveStatus(str(value)).label)
    except ValueError:
        return ""


@register.filter
def status_badge(value: object) -> str:
    """The badge's CSS modifier of a status."""
    try:
        return BADGE[DirectiveStatus(str(value))]
    except ValueError:
        return "none"


@register.filter
def lead_name(directive: Directive) -> str:
    """The lead as it stands on the page's date (an agency merged since: its successor, "trước đây: …")."""
    return lead_text(directive)


@register.filter
def timing(directive: Directive) -> str:
    """ "20/7/2024", "Hằng tháng, ngày 20", "Hằng quý", "Thường xuyên" or "Không có thời hạn"."""
    if directive.recurrence == Recurrence.MONTHLY:
        day = directive.recurrence_day or 31
        return _("Monthly, by the last day") if day == 31 else _("Monthly, by day %(day)d") % {"day": day}
    if directive.recurrence == Recurrence.QUARTERLY:
        return _("Quarterly, by the end of the quarter")
    if directive.recurrence == Recurrence.CONTINUOUS:
        return _("Continuous")
    if directive.deadline is not None:
        return date_format(directive.deadline, "SHORT_DATE_FORMAT")
    return _("No deadline")
