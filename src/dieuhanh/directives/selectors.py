"""Reads of the register: lists with filters, a directive's timeline, an agency's inbox, the catalogue
as the extractor sees it, and who may do what. Every list costs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Count, Model, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import scope_of, signed_in
from dieuhanh.directives.choices import DirectiveStatus, LeadGroup, ReviewState
from dieuhanh.directives.extraction import GROUP_AGENCIES, GROUP_COMMUNES, GROUP_DISTRICTS, AgencyRecord, catalogue_from
from dieuhanh.directives.extraction.agencies import AgencyCatalogue
from dieuhanh.directives.models import (
    AgencyContact,
    Directive,
    DirectiveTransfer,
    Notification,
    ProgressUpdate,
    Reminder,
    SourceDocument,
)
from dieuhanh.directives.status import CompletionReport, StatusAt, Timing, directive_state, group_state
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, day_text
from dieuhanh.orgunits.selectors import AgencyAt, AgencySuccessions, unit_at
from dieuhanh.orgunits.tree import in_subtrees

M = TypeVar("M", bound=Model)

GROUP_KINDS = {
    GROUP_DISTRICTS: OrgUnitKind.DISTRICT,
    GROUP_COMMUNES: OrgUnitKind.COMMUNE,
    GROUP_AGENCIES: OrgUnitKind.AGENCY,
}
# Units that can lead or coordinate a directive (the province itself issues them).
ASSIGNABLE_KINDS = (OrgUnitKind.AGENCY, OrgUnitKind.DISTRICT, OrgUnitKind.COMMUNE, OrgUnitKind.OTHER)


def unit_by_code(*, code: str, on: dt.date) -> OrgUnit:
    """The unit ``code`` names on ``on`` (orgunits' resolver); raises UnitLookupError, whose message
    names the units with the code, their validity and successors when the code is known."""
    return unit_at(code, on=on)


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


# ---- leads through reorganisations ----------------------------------------------------------


class DirectiveLeads:
    """Which agency leads each directive on a date: its recorded lead, unless the office handed the
    directive over (``DirectiveTransfer``, from its date), then carried through the agencies'
    successions (``orgunits.selectors.AgencySuccessions``); nobody past a split agency until the
    office hands it over. Two queries, whatever the number of directives asked about."""

    def __init__(self, *, directive_ids: Iterable[int] | None = None) -> None:
        self.agencies = AgencySuccessions()
        transfers = DirectiveTransfer.objects.select_related("to_unit", "from_unit").order_by("effective_date", "id")
        if directive_ids is not None:
            transfers = transfers.filter(directive_id__in=list(directive_ids))
        self.transfers: dict[int, list[DirectiveTransfer]] = {}
        for transfer in transfers:
            self.transfers.setdefault(transfer.directive_id, []).append(transfer)

    def _handed(self, directive_id: int, on: dt.date) -> DirectiveTransfer | None:
        return next((t for t in reversed(self.transfers.get(directive_id, [])) if t.effective_date <= on), None)

    def at(self, directive: Directive, on: dt.date) -> AgencyAt | None:
        """Where ``directive``'s lead stands on ``on``; None for a directive without a lead agency."""
        lead = directive.lead_agency
        if lead is None:
            return None
        handed = self._handed(directive.pk, on)
        if handed is None:
            return self.agencies.at(lead, on)
        onward = self.agencies.at(handed.to_unit, on)
        formerly = tuple(u for u in (lead, *onward.formerly) if onward.unit is None or u.pk != onward.unit.pk)
        return AgencyAt(lead, onward.unit, formerly, onward.split, onward.since)

    def unit_id_at(self, directive_id: int, lead_id: int | None, on: dt.date) -> int | None:
        """``at`` by id (the scorecards hold ids): the id of the agency leading it then, or None."""
        handed = self._handed(directive_id, on)
        start = handed.to_unit_id if handed is not None else lead_id
        return None if start is None else self.agencies.at_id(start, on)

    def change_days(self, directive_id: int, lead_id: int | None) -> list[dt.date]:
        """The days on which the agency leading a directive may change."""
        starts = [lead_id] if lead_id is not None else []
        days = {t.effective_date for t in self.transfers.get(directive_id, [])}
        starts += [t.to_unit_id for t in self.transfers.get(directive_id, [])]
        for unit_id in starts:
            days.update(self.agencies.change_days(unit_id))
        return sorted(days)

    def led_by(self, unit: OrgUnit, on: dt.date) -> Q:
        """The directives whose lead on ``on`` is ``unit`` (a filter on directives): its own, those of
        the agencies it carries, and those handed to it; less those handed away from it by then."""
        # An agency merged into another by then leads nothing of its own any more (its successor
        # does); a split one keeps its directives, not carried, until they are handed over.
        itself = self.agencies.at(unit, on).unit
        own = [*([unit] if itself is None or itself.pk == unit.pk else []), *self.agencies.carried_into(unit, on)]
        handed_to = [pk for pk, ts in self.transfers.items() if self.unit_id_at(pk, None, on) == unit.pk and ts]
        handed_away = [
            pk
            for pk, ts in self.transfers.items()
            if any(t.effective_date <= on for t in ts) and self.unit_id_at(pk, None, on) != unit.pk
        ]
        return (Q(lead_agency__in=own) & ~Q(pk__in=handed_away)) | Q(pk__in=handed_to)


def directive_leads(*, directives: Iterable[Directive], on: dt.date, leads: DirectiveLeads | None = None) -> None:
    """Set ``lead_at`` (an ``AgencyAt``, or None) on each of ``directives`` (with their
    ``lead_agency`` loaded), for the pages that name the lead as it stands on ``on``; one or two queries."""
    items = list(directives)
    leads = leads or DirectiveLeads(directive_ids=[d.pk for d in items])
    for directive in items:
        directive.lead_at = leads.at(directive, on)  # type: ignore[attr-defined]


def not_carried_text(state: AgencyAt) -> str:
    """What the register says of a directive whose agency was split and that nobody took over yet."""
    split = state.split or state.recorded
    return _(
        "not carried: %(agency)s was split on %(date)s; the office must say which agency takes this directive over"
    ) % {"agency": split.name, "date": day_text(state.since) if state.since else "–"}


def lead_text(directive: Directive) -> str:
    """The lead as it stands on the page's date: "Sở Tài chính (trước đây: Sở Kế hoạch và Đầu tư)",
    or the recorded lead with "chưa chuyển giao" when its agency was split."""
    if directive.lead_group:
        return str(LeadGroup(directive.lead_group).label)
    if directive.lead_agency is None:
        return "–"
    state: AgencyAt | None = getattr(directive, "lead_at", None)
    if state is None or (state.unit is not None and not state.carried):
        return directive.lead_agency.name
    if state.unit is None:
        return f"{directive.lead_agency.name} — {not_carried_text(state)}"
    return _("%(agency)s (formerly: %(formerly)s)") % {
        "agency": state.unit.name,
        "formerly": ", ".join(u.name for u in state.formerly),
    }


# ---- permissions --------------------------------------------------------------------------


def contact_units(*, user: Any) -> list[OrgUnit]:
    """The agencies a user is a focal point of."""
    if not signed_in(user):
        return []
    return list(OrgUnit.objects.filter(directive_contacts__user=user).distinct().order_by("sort_order", "code"))


def directive_may_report(*, user: Any, directive: Directive) -> bool:
    """The lead agency's contacts report progress; so do office staff who may change directives."""
    if not signed_in(user) or directive.lead_group:
        return False
    if user.has_perm("directives.change_directive"):
        return True
    lead = lead_id_today(directive)
    return lead is not None and AgencyContact.objects.filter(org_unit_id=lead, user=user).exists()


def lead_id_today(directive: Directive, *, today: dt.date | None = None) -> int | None:
    """The id of the agency leading ``directive`` today (its successor once merged, the agency it
    was handed to), whose people report on it and are reminded; None while not carried."""
    if directive.lead_agency_id is None:
        return None
    return DirectiveLeads(directive_ids=[directive.pk]).unit_id_at(
        directive.pk, directive.lead_agency_id, today or timezone.localdate()
    )


def directive_may_review(*, user: Any) -> bool:
    return bool(signed_in(user) and user.has_perm("directives.confirm_directive"))


# ---- status as at a date ------------------------------------------------------------------


@dataclass
class DirectiveFacts:
    """What a directive's status on any date follows from: its timing, its completion reports as
    the office has judged them, who leads it, whose document it is, and a group's copies."""

    pk: int
    parent_id: int | None
    lead_group: str
    lead_agency_id: int | None
    issuer_id: int | None
    timing: Timing
    asked: bool = True  # False for a group's copy loaded only to make up its parent's standing
    reports: list[CompletionReport] = field(default_factory=list)
    copies: list[int] = field(default_factory=list)


def directive_facts(*, directives: QuerySet[Directive]) -> dict[int, DirectiveFacts]:
    """The facts of ``directives`` and of the copies of any group's directive among them; two
    queries, whatever their number."""
    wanted = directives.order_by().values("pk")
    rows = (
        Directive.objects.filter(Q(pk__in=wanted) | Q(parent_id__in=wanted))
        .annotate(asked=Case(When(pk__in=wanted, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .values_list(
            "pk",
            "parent_id",
            "lead_group",
            "lead_agency_id",
            "source__org_unit_id",
            "starts_on",
            "deadline",
            "recurrence",
            "recurrence_day",
            "ends_on",
            "asked",
        )
    )
    facts = {
        pk: DirectiveFacts(pk, parent, group, lead, issuer, Timing(starts, deadline, recurrence, day, ends), asked)
        for pk, parent, group, lead, issuer, starts, deadline, recurrence, day, ends, asked in rows
    }
    for item in facts.values():
        if item.parent_id in facts:
            facts[item.parent_id].copies.append(item.pk)
    reports = ProgressUpdate.objects.filter(
        Q(directive_id__in=wanted) | Q(directive__parent_id__in=wanted),
        percent=100,
        review__in=[ReviewState.ACCEPTED, ReviewState.PENDING],
    ).values_list("directive_id", "reported_on", "occurrence_due", "review")
    for directive_id, reported_on, occurrence_due, review in reports:
        if directive_id in facts:
            facts[directive_id].reports.append(
                CompletionReport(reported_on, occurrence_due, review == ReviewState.ACCEPTED)
            )
    return facts


def fact_state(facts: dict[int, DirectiveFacts], pk: int, on: dt.date) -> StatusAt | None:
    """The standing on ``on`` of one of ``facts``; None if it was not assigned by then."""
    item = facts[pk]
    if not item.lead_group:
        return directive_state(item.timing, item.reports, on)
    if item.timing.starts_on > on:
        return None
    copies = [directive_state(facts[c].timing, facts[c].reports, on) for c in item.copies]
    return group_state([c for c in copies if c is not None])


def statuses_at(*, directives: QuerySet[Directive], on: dt.date) -> dict[int, StatusAt]:
    """The standing on ``on`` of each of ``directives`` assigned by then; two queries."""
    facts = directive_facts(directives=directives)
    out = {}
    for pk, item in facts.items():
        state = fact_state(facts, pk, on) if item.asked else None
        if state is not None:
            out[pk] = state
    return out


# ---- lists ----------------------------------------------------------------------------------

ROLE_LEAD = "lead"


@dataclass(frozen=True)
class DirectiveFilters:
    """What the register can be narrowed to; empty fields do not narrow.

    With ``role`` "lead", the register lists what the agency leads itself, a group's copy of it
    included (what its scorecard counts); otherwise the directives it leads or coordinates, a
    group's copies inside their parent.
    """

    agency: OrgUnit | None = None
    role: str = ""
    status: str = ""
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    source: SourceDocument | None = None
    search: str = ""
    # Whose register it is: only the directives they may see (``directives_visible``); None for
    # a command or a count over all units (the scorecards), which sees all.
    user: Any = None


def directive_list(
    *, filters: DirectiveFilters, on: dt.date, leads: DirectiveLeads | None = None
) -> QuerySet[Directive]:
    """The register on ``on``: the directives assigned by then, newest documents first, narrowed by
    every filter but status (status is that of ``on``: see ``register_page``)."""
    qs = Directive.objects.filter(starts_on__lte=on)
    unit = filters.agency
    if unit is not None:
        # Asking an agency on a date includes the work it carries then (its predecessors', those
        # handed to it); coordination is carried by the same successions.
        leads = leads or DirectiveLeads()
        led = leads.led_by(unit, on)
        coordinators = [unit, *leads.agencies.carried_into(unit, on)]
    if unit is not None and filters.role == ROLE_LEAD:
        qs = qs.filter(led)
    else:
        qs = qs.filter(parent=None)
        if unit is not None:
            children = Directive.objects.filter(led, parent__isnull=False).values("parent_id")
            qs = qs.filter(
                led
                | Q(pk__in=children)
                | Q(coordinating_agencies__in=coordinators)
                | Q(children__coordinating_agencies__in=coordinators)
            ).distinct()
    if filters.due_from is not None:
        qs = qs.filter(Q(deadline__gte=filters.due_from) | Q(deadline__isnull=True, due_date__gte=filters.due_from))
    if filters.due_to is not None:
        qs = qs.filter(Q(deadline__lte=filters.due_to) | Q(deadline__isnull=True, due_date__lte=filters.due_to))
    if filters.source is not None:
        qs = qs.filter(source=filters.source)
    if filters.search:
        qs = qs.filter(content__icontains=filters.search)
    if filters.user is not None:
        qs = directives_visible(qs, user=filters.user)
    return qs.order_by("-source__date", "source_id", "position", "id")


def directives_visible(queryset: QuerySet[M], *, user: Any, through: str = "") -> QuerySet[M]:
    """``queryset`` of directives (or of rows reaching one ``through`` a relation: progress
    updates, evidence files) narrowed to those ``user`` may read: their scope's
    (``accounts.scope``), and those their agencies lead or coordinate for an agency's contact."""
    scope = scope_of(user)
    if scope.everything or scope.reads_everything:
        return queryset
    agencies = (
        list(AgencyContact.objects.filter(user_id=user.pk).values_list("org_unit_id", flat=True))
        if signed_in(user)
        else []
    )
    if not agencies:
        return scope.directives(queryset, through=through)
    prefix = f"{through}__" if through else ""
    contact = (
        Q(**{f"{prefix}lead_agency__in": agencies})
        | Q(**{f"{prefix}coordinating_agencies__in": agencies})
        | Q(**{f"{prefix}parent__lead_agency__in": agencies})
    )
    model = queryset.model
    theirs = model._default_manager.filter(contact).values("pk")
    return queryset.filter(
        Q(pk__in=scope.directives(model._default_manager.all(), through=through).values("pk")) | Q(pk__in=theirs)
    )


@dataclass(frozen=True)
class Listed:
    """A directive with its standing on the date asked."""

    directive: Directive
    state: StatusAt


@dataclass(frozen=True)
class StatusCounts:
    """How many directives of a list stand in each category on a date, and how many of them have a
    completion report awaiting the office."""

    as_of: dt.date
    counts: dict[str, int]
    awaiting: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def count_states(states: Iterable[StatusAt], *, on: dt.date) -> StatusCounts:
    counts = {s.value: 0 for s in DirectiveStatus}
    awaiting = 0
    for state in states:
        counts[state.status] += 1
        awaiting += state.awaiting
    return StatusCounts(on, counts, awaiting)


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register on a date, and the counts of the whole list (whatever the status filter)."""

    page: Page[int]
    rows: list[Listed]
    counts: StatusCounts


def register_page(*, filters: DirectiveFilters, on: dt.date, page: Any = None, page_size: int = 50) -> RegisterPage:
    """The register on ``on`` (see ``directive_list``), filtered by status on that date, one page of
    it with each directive's standing, and the counts per category. Five queries."""
    leads = DirectiveLeads()
    qs = directive_list(filters=filters, on=on, leads=leads)
    states = statuses_at(directives=qs, on=on)
    ordered = list(dict.fromkeys(qs.values_list("pk", flat=True)))
    counts = count_states((states[pk] for pk in ordered if pk in states), on=on)
    if filters.status:
        ordered = [pk for pk in ordered if pk in states and states[pk].status == filters.status]
    paginator = Paginator(ordered, page_size)
    current = paginator.get_page(page)
    listed = directives_listed(ids=list(current.object_list), states=states, on=on, leads=leads)
    return RegisterPage(current, listed, counts)


def directives_listed(
    *, ids: Sequence[int], states: dict[int, StatusAt], on: dt.date, leads: DirectiveLeads | None = None
) -> list[Listed]:
    """The directives ``ids``, in that order, with what a list shows of them (their lead as it
    stands on ``on``); three queries."""
    found = (
        Directive.objects.filter(pk__in=ids)
        .select_related("source", "lead_agency")
        .annotate(children_count=Count("children", distinct=True))
    )
    by_pk = {d.pk: d for d in found}
    listed = [Listed(by_pk[pk], states[pk]) for pk in ids if pk in by_pk and pk in states]
    directive_leads(directives=[item.directive for item in listed], on=on, leads=leads)
    return listed


def status_summary(*, filters: DirectiveFilters, on: dt.date) -> StatusCounts:
    """The register's counts on ``on``: what its tiles say; three queries."""
    qs = directive_list(filters=filters, on=on)
    states = statuses_at(directives=qs, on=on)
    return count_states(states.values(), on=on)


@dataclass
class LeadDirectives:
    """How many directives one lead (an agency, or a group of units) has in each category."""

    name: str
    counts: dict[str, int] = field(default_factory=lambda: {s.value: 0 for s in DirectiveStatus})

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class OverdueDirective:
    content: str
    lead: str
    due: dt.date
    days: int


@dataclass(frozen=True)
class DirectivesSummary:
    """Where a unit's directives stand on a date: counts, per lead, and the overdue ones named."""

    counts: StatusCounts
    leads: list[LeadDirectives]
    overdue: list[OverdueDirective]
    issued_by_unit: bool


def directive_summary(*, org_unit: OrgUnit, on: dt.date) -> DirectivesSummary:
    """Where the directives of ``org_unit`` stand on ``on``, counted as the register and the
    scorecards count them (the agency leading each then: a merged agency's successor); six queries.

    For a unit that issues documents (the province): every directive of its documents, a group's
    directive once (the register's rows), under its agency or its group. For any other unit: the
    directives it or a unit below it leads, a group's copy under its member.
    """
    issued = SourceDocument.objects.filter(org_unit=org_unit).exists()
    carriers = DirectiveLeads()
    if issued:
        qs = Directive.objects.filter(source__org_unit=org_unit, parent=None, starts_on__lte=on)
    else:
        # An agency's own, and those it carries on ``on`` (a merged predecessor's, those handed to it).
        mine = in_subtrees([org_unit], through="lead_agency") | carriers.led_by(org_unit, on)
        qs = Directive.objects.filter(mine, lead_group="", starts_on__lte=on).distinct()
    states = statuses_at(directives=qs, on=on)
    leads: dict[tuple[int, int, str], LeadDirectives] = {}
    overdue: list[tuple[tuple[dt.date, int, str, int], OverdueDirective]] = []
    for directive in qs.select_related("lead_agency"):
        state = states.get(directive.pk)
        if state is None:
            continue
        if directive.lead_agency is not None:
            # Under the agency leading it on ``on``: a merged agency's successor, "trước đây: …".
            lead_at = carriers.at(directive, on)
            unit = lead_at.unit if lead_at is not None and lead_at.unit is not None else directive.lead_agency
            key = (0, unit.sort_order, unit.code)
            name = lead_at.text() if lead_at is not None and (lead_at.carried or lead_at.not_carried) else unit.name
            if lead_at is not None and lead_at.not_carried:
                key = (0, unit.sort_order, f"{unit.code}~")
        elif directive.lead_group:
            key, name = (1, 0, directive.lead_group), str(LeadGroup(directive.lead_group).label)
        else:
            key, name = (2, 0, ""), ""
        leads.setdefault(key, LeadDirectives(name=name)).counts[state.status] += 1
        if state.status == DirectiveStatus.OVERDUE and state.due is not None:
            item = OverdueDirective(directive.content, name, state.due, state.days_overdue)
            overdue.append(((state.due, key[1], key[2], directive.pk), item))
    return DirectivesSummary(
        counts=count_states(states.values(), on=on),
        leads=[leads[k] for k in sorted(leads)],
        overdue=[item for _key, item in sorted(overdue, key=lambda pair: pair[0])],
        issued_by_unit=issued,
    )


@dataclass(frozen=True)
class Inbox:
    """What an agency has on its desk: directives it leads, those it coordinates, messages."""

    unit: OrgUnit
    leading: list[Listed]
    coordinating: list[Listed]
    notifications: list[Notification]


def _open_first(item: Listed) -> tuple[bool, bool, dt.date, int]:
    state = item.state
    return (state.is_done, state.status != DirectiveStatus.OVERDUE, state.due or dt.date.max, item.directive.pk)


def agency_inbox(*, unit: OrgUnit, today: dt.date, user: Any = None) -> Inbox:
    """An agency's inbox: open directives first (overdue, then by due date), then completed ones."""
    # A group's copies share their parent's coordinating agencies; the parent stands for them.
    leads = DirectiveLeads()
    led = leads.led_by(unit, today)
    coordinators = [unit, *leads.agencies.carried_into(unit, today)]
    mine = Directive.objects.filter(
        (led & Q(lead_group="")) | Q(coordinating_agencies__in=coordinators, parent=None), starts_on__lte=today
    ).distinct()
    states = statuses_at(directives=mine, on=today)
    found = list(Directive.objects.filter(pk__in=states).select_related("source", "lead_agency", "parent"))
    leading_ids = set(Directive.objects.filter(led, pk__in=states, lead_group="").values_list("pk", flat=True))
    directive_leads(directives=found, on=today)
    leading: list[Listed] = []
    coordinating: list[Listed] = []
    for directive in found:
        item = Listed(directive, states[directive.pk])
        (leading if directive.pk in leading_ids else coordinating).append(item)
    notes: list[Notification] = []
    if signed_in(user):
        notes = list(Notification.objects.filter(user=user, read_at__isnull=True).select_related("directive")[:50])
    return Inbox(
        unit=unit,
        leading=sorted(leading, key=_open_first),
        coordinating=sorted(coordinating, key=_open_first),
        notifications=notes,
    )


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
    """A directive with everything its page shows; its standing (and its copies') as at ``as_of``,
    None if it had not been assigned by then."""

    directive: Directive
    as_of: dt.date
    state: StatusAt | None
    children: list[Listed]
    updates: list[ProgressUpdate]
    reminders: list[Reminder]
    timeline: list[TimelineEntry]


def directive_by_id(*, pk: int) -> Directive | None:
    """One directive with its lead agency, or None."""
    return Directive.objects.select_related("lead_agency", "source").filter(pk=pk).first()


def directive_detail(*, pk: int, on: dt.date) -> DirectiveView | None:
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
    facts = directive_facts(directives=Directive.objects.filter(pk=pk))
    children = [
        Listed(child, state)
        for child in directive.children.select_related("lead_agency").order_by("lead_agency__sort_order", "id")
        if (state := fact_state(facts, child.pk, on)) is not None
    ]
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
    directive_leads(directives=[directive, *(child.directive for child in children)], on=on)
    state = fact_state(facts, pk, on)
    return DirectiveView(directive, on, state, children, updates, reminders, timeline)


def timezone_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def pending_reviews(*, limit: int = 50) -> QuerySet[ProgressUpdate]:
    """Completion reports that wait for the office, oldest first."""
    return (
        ProgressUpdate.objects.filter(review=ReviewState.PENDING)
        .select_related("directive", "directive__lead_agency", "created_by")
        .order_by("created_at")[:limit]
    )
