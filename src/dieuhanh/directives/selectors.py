"""Reads of the register: lists with filters, a directive's timeline, an agency's inbox, the catalogue
as the extractor sees it, and who may do what. Every list costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from dieuhanh.directives.extraction import GROUP_AGENCIES, GROUP_COMMUNES, GROUP_DISTRICTS, AgencyRecord, catalogue_from
from dieuhanh.directives.extraction.agencies import AgencyCatalogue
from dieuhanh.directives.models import (
    AgencyContact,
    Directive,
    Notification,
    ProgressUpdate,
    Reminder,
    ReviewState,
    SourceDocument,
)
from dieuhanh.directives.status import DirectiveStatus, days_overdue, status_expression, status_of
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind

GROUP_KINDS = {
    GROUP_DISTRICTS: OrgUnitKind.DISTRICT,
    GROUP_COMMUNES: OrgUnitKind.COMMUNE,
    GROUP_AGENCIES: OrgUnitKind.AGENCY,
}
# Units that can lead or coordinate a directive (the province itself issues them).
ASSIGNABLE_KINDS = (OrgUnitKind.AGENCY, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE, OrgUnitKind.OTHER)


def unit_by_code(*, code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code).first()


def group_members(*, group: str, on: dt.date) -> list[OrgUnit]:
    """The units a group code stands for on a date: all district-level units, all communes, or
    all agencies (sở, ban, ngành) of the catalogue."""
    kind = GROUP_KINDS.get(group)
    if kind is None:
        return []
    return list(OrgUnit.objects.filter(kind=kind).valid_between(on, on).order_by("sort_order", "code"))


def issuing_unit_default(*, on: dt.date) -> OrgUnit | None:
    """The province a document belongs to when the catalogue holds exactly one valid on its date."""
    provinces = list(OrgUnit.objects.filter(kind=OrgUnitKind.PROVINCE, parent=None).valid_between(on, on)[:2])
    return provinces[0] if len(provinces) == 1 else None


def agency_catalogue(*, on: dt.date | None = None) -> AgencyCatalogue:
    """The units an extraction may name, valid on ``on`` (one query)."""
    records = [
        AgencyRecord(code=u.code, name=u.name, kind=u.kind, valid_from=u.valid_from, valid_to=u.valid_to)
        for u in OrgUnit.objects.only("code", "name", "kind", "valid_from", "valid_to")
    ]
    return catalogue_from(records, on=on)


def assignable_units(*, on: dt.date | None = None, kinds: Iterable[str] = ASSIGNABLE_KINDS) -> list[OrgUnit]:
    qs = OrgUnit.objects.filter(kind__in=list(kinds)).only("code", "name", "kind", "sort_order")
    if on is not None:
        qs = qs.valid_between(on, on)
    order: dict[str, int] = {OrgUnitKind.AGENCY: 0, OrgUnitKind.DISTRICT: 1, OrgUnitKind.COMMUNE: 2}
    return sorted(qs, key=lambda u: (order.get(u.kind, 3), u.sort_order, u.code))


# ---- permissions --------------------------------------------------------------------------


def contact_units(*, user: Any) -> list[OrgUnit]:
    """The agencies a user is a focal point of."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(OrgUnit.objects.filter(directive_contacts__user=user).distinct().order_by("sort_order", "code"))


def directive_may_report(*, user: Any, directive: Directive) -> bool:
    """The lead agency's contacts report progress; so do office staff who may change directives."""
    if not getattr(user, "is_authenticated", False) or directive.lead_group:
        return False
    if user.has_perm("directives.change_directive"):
        return True
    return (
        directive.lead_agency_id is not None
        and AgencyContact.objects.filter(org_unit_id=directive.lead_agency_id, user=user).exists()
    )


def directive_may_review(*, user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("directives.confirm_directive"))


# ---- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectiveFilters:
    """What the register can be narrowed to; empty fields do not narrow."""

    agency: OrgUnit | None = None
    status: str = ""
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    source: SourceDocument | None = None
    search: str = ""


def _with_status(qs: QuerySet[Directive], today: dt.date) -> QuerySet[Directive]:
    return qs.annotate(status=status_expression(today))


def directive_list(*, filters: DirectiveFilters, today: dt.date) -> QuerySet[Directive]:
    """The register: top-level directives (a group's copies are inside their parent), with their
    status on ``today``, newest documents first. The agency filter finds the directives the
    agency leads (itself or as a member of a group) or coordinates."""
    qs = _with_status(
        Directive.objects.filter(parent=None)
        .select_related("source", "lead_agency")
        .annotate(children_count=Count("children", distinct=True)),
        today,
    )
    if filters.agency is not None:
        unit = filters.agency
        qs = qs.filter(
            Q(lead_agency=unit)
            | Q(children__lead_agency=unit)
            | Q(coordinating_agencies=unit)
            | Q(children__coordinating_agencies=unit)
        ).distinct()
    if filters.status:
        qs = qs.filter(Q(status=filters.status))
    if filters.due_from is not None:
        qs = qs.filter(Q(deadline__gte=filters.due_from) | Q(deadline__isnull=True, due_date__gte=filters.due_from))
    if filters.due_to is not None:
        qs = qs.filter(Q(deadline__lte=filters.due_to) | Q(deadline__isnull=True, due_date__lte=filters.due_to))
    if filters.source is not None:
        qs = qs.filter(source=filters.source)
    if filters.search:
        qs = qs.filter(content__icontains=filters.search)
    return qs.order_by("-source__date", "source_id", "position", "id")


def status_counts(*, qs: QuerySet[Directive], today: dt.date) -> dict[str, int]:
    """How many of a list fall in each category on ``today``; one query."""
    counts = {s.value: 0 for s in DirectiveStatus}
    rows = (
        qs.order_by().annotate(bucket=status_expression(today)).values("bucket").annotate(n=Count("id", distinct=True))
    )
    for row in rows:
        counts[row["bucket"]] = row["n"]
    return counts


@dataclass(frozen=True)
class Inbox:
    """What an agency has on its desk: directives it leads, those it coordinates, messages."""

    unit: OrgUnit
    leading: list[Directive]
    coordinating: list[Directive]
    notifications: list[Notification]


def agency_inbox(*, unit: OrgUnit, today: dt.date, user: Any = None) -> Inbox:
    """An agency's inbox: open directives first (overdue, then by due date), then completed ones."""
    base = Directive.objects.select_related("source", "parent").filter(lead_group="")
    leading = list(
        _with_status(base.filter(lead_agency=unit), today).order_by(
            "completed_on", "due_date", "-source__date", "position"
        )
    )
    coordinating = list(
        _with_status(
            # A group's copies share their parent's coordinating agencies; the parent stands for them.
            Directive.objects.select_related("source", "lead_agency").filter(coordinating_agencies=unit, parent=None),
            today,
        ).order_by("completed_on", "due_date", "-source__date")
    )
    notes: list[Notification] = []
    if user is not None and getattr(user, "is_authenticated", False):
        notes = list(Notification.objects.filter(user=user, read_at__isnull=True).select_related("directive")[:50])
    open_first = sorted(leading, key=lambda d: (d.completed_on is not None, d.due_date is None, d.due_date or today))
    return Inbox(unit=unit, leading=open_first, coordinating=coordinating, notifications=notes)


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a directive's life, for its timeline."""

    date: dt.date
    kind: str
    title: str
    detail: str = ""
    update: ProgressUpdate | None = None


@dataclass(frozen=True)
class DirectiveView:
    """A directive with everything its page shows."""

    directive: Directive
    status: str
    days_overdue: int
    children: list[Any]
    updates: list[ProgressUpdate]
    reminders: list[Reminder]
    timeline: list[TimelineEntry]


def directive_detail(*, pk: int, today: dt.date) -> DirectiveView | None:
    directive = (
        Directive.objects.select_related("source", "lead_agency", "parent", "parent__source")
        .prefetch_related(
            "coordinating_agencies",
            Prefetch(
                "updates",
                queryset=ProgressUpdate.objects.select_related("created_by", "reviewed_by").prefetch_related(
                    "evidence"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if directive is None:
        return None
    children = list(
        _with_status(directive.children.select_related("lead_agency"), today).order_by("lead_agency__sort_order", "id")
    )
    updates = list(directive.updates.all())
    reminders = list(directive.reminders.order_by("sent_at"))
    timeline = [
        TimelineEntry(directive.source.date, "assigned", str(directive.source)),
    ]
    for update in updates:
        timeline.append(TimelineEntry(update.reported_on, "update", f"{update.percent}%", update.text, update))
        if update.reviewed_at is not None:
            timeline.append(
                TimelineEntry(
                    timezone_date(update.reviewed_at), f"review_{update.review}", update.review_note, update=update
                )
            )
    for reminder in reminders:
        timeline.append(TimelineEntry(timezone_date(reminder.sent_at), "reminder", str(reminder.days_before)))
    if directive.deadline is not None:
        timeline.append(TimelineEntry(directive.deadline, "deadline", ""))
    timeline.sort(key=lambda e: (e.date, e.kind != "assigned"))
    status = status_of(
        completed_on=directive.completed_on,
        completed_late=directive.completed_late,
        due_date=directive.due_date,
        today=today,
    )
    late = days_overdue(
        completed_on=directive.completed_on, due_date=directive.due_date, deadline=directive.deadline, today=today
    )
    return DirectiveView(directive, status, late, children, updates, reminders, timeline)


def timezone_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def pending_reviews(*, limit: int = 50) -> QuerySet[ProgressUpdate]:
    """Completion reports that wait for the office, oldest first."""
    return (
        ProgressUpdate.objects.filter(review=ReviewState.PENDING)
        .select_related("directive", "directive__lead_agency", "created_by")
        .order_by("created_at")[:limit]
    )


def unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def has_contact(*, unit: OrgUnit) -> bool:
    return AgencyContact.objects.filter(org_unit=unit).exists()
