"""Writes of the register: source documents, directives (also from extraction), progress, review.

Every function is keyword-only and typed; views, the API and commands call these and nothing
else to change the register. The stored dates that status depends on (``due_date``,
``completed_on``, ``completed_late``, ``progress``) are recomputed here after every change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.directives.choices import Recurrence, ReviewState
from dieuhanh.directives.extraction import GROUP_NAMES
from dieuhanh.directives.models import (
    AgencyContact,
    Directive,
    DirectiveTransfer,
    EvidenceFile,
    Notification,
    ProgressUpdate,
    SourceDocument,
)
from dieuhanh.directives.scorecards import ScorecardError, scorecards_refresh
from dieuhanh.directives.selectors import (
    DirectiveLeads,
    group_members,
    issuing_unit_default,
    lead_id_today,
    unit_by_code,
)
from dieuhanh.directives.status import occurrences
from dieuhanh.orgunits.models import OrgUnit, day_text
from dieuhanh.orgunits.selectors import AgencySuccessions, UnitLookupError

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# Agency names may hold commas ("UBND các huyện, thị xã, thành phố"), never a semicolon.
AGENCY_TEXT_SEPARATOR = "; "
MAX_EVIDENCE_FILES = 10


class DirectiveError(ValueError):
    """Input a user can fix; ``messages`` say what, in the user's language."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def today_local() -> dt.date:
    """Today in the province's time zone; the clock every status rule reads."""
    return timezone.localdate()


def _units_of(directives: Sequence[Directive]) -> set[int | None]:
    """The units whose scorecards a change of ``directives`` touches: their leads (a group's
    members, through its copies) and the units that issued their documents."""
    pks = [d.pk for d in directives]
    leads = Directive.objects.filter(Q(pk__in=pks) | Q(parent_id__in=pks)).values_list("lead_agency_id", flat=True)
    issuers = Directive.objects.filter(pk__in=pks).values_list("source__org_unit_id", flat=True)
    handed = DirectiveTransfer.objects.filter(Q(directive_id__in=pks) | Q(directive__parent_id__in=pks))
    units: set[int | None] = {*leads, *handed.values_list("to_unit_id", flat=True)}
    # The agencies that carry a lead's work after a reorganisation count it from then on.
    onward = AgencySuccessions().onward_ids(u for u in units if u is not None)
    return units | onward | set(issuers)


def _scorecards_follow(*, units: set[int | None], directive: Directive, user: Any) -> None:
    """Bring the stored scorecards of ``units`` up to date, in the caller's transaction: no page
    ever shows a count the stored figures contradict."""
    try:
        scorecards_refresh(
            units=units,
            today=today_local(),
            user=acting_user(user),
            reason=_("Scorecards after a change to directive #%(id)d") % {"id": directive.pk},
        )
    except ScorecardError as exc:
        raise DirectiveError(
            [_("The scorecards could not be brought up to date, so nothing was saved: %(why)s") % {"why": exc}]
        ) from exc


# ---- source documents ------------------------------------------------------------------


def source_document_create(
    *,
    kind: str,
    date: dt.date,
    number: str = "",
    issuer: str = "",
    title: str = "",
    text: str = "",
    file: UploadedFile | None = None,
    org_unit: OrgUnit | None = None,
    user: Any = None,
) -> SourceDocument:
    """Store a source document; the issuing unit defaults to the province valid on its date."""
    number = number.strip()
    if number and SourceDocument.objects.filter(number=number, date=date).exists():
        raise DirectiveError(
            [
                _("A document numbered %(number)s of %(date)s is already in the register.")
                % {"number": number, "date": date.strftime("%d/%m/%Y")}
            ]
        )
    document = SourceDocument(
        kind=kind,
        date=date,
        number=number,
        issuer=issuer.strip(),
        title=title.strip(),
        text=text,
        org_unit=org_unit if org_unit is not None else issuing_unit_default(on=date),
        created_by=acting_user(user),
    )
    if file is not None:
        document.file.save(file.name or "van-ban", file, save=False)
    document.save()
    return document


# ---- directives ---------------------------------------------------------------------------


@dataclass
class DirectiveInput:
    """What a directive is made of, as forms, the API and extraction hand it over."""

    content: str
    lead: str | None = None
    coordinating: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    recurrence: str = ""
    recurrence_day: int | None = None
    ends_on: dt.date | None = None
    source_sentence: str = ""
    # The agencies as the source text names them (extraction); kept as they are, never resolved.
    lead_text: str = ""
    coordinating_text: list[str] = field(default_factory=list)


def parse_recurrence(value: str | None) -> tuple[str, int | None]:
    """("monthly", 20) from "monthly:20"; ("quarterly", None); ("", None) from None or ""."""
    if not value:
        return "", None
    kind, _sep, day = value.partition(":")
    if kind == Recurrence.MONTHLY:
        try:
            number = int(day) if day else 31
        except ValueError as exc:
            raise DirectiveError([_("'%(value)s' is not a recurrence such as monthly:20.") % {"value": value}]) from exc
        if not 1 <= number <= 31:
            raise DirectiveError([_("The day of a monthly directive must be between 1 and 31.")])
        return kind, number
    if kind in (Recurrence.QUARTERLY, Recurrence.CONTINUOUS) and not day:
        return kind, None
    raise DirectiveError(
        [_("'%(value)s' is not a recurrence; write monthly:20, quarterly or continuous.") % {"value": value}]
    )


def _check(item: DirectiveInput, *, on: dt.date, where: str) -> tuple[OrgUnit | None, str, list[OrgUnit], list[str]]:
    """Resolve codes to units; return (lead unit, lead group, coordinating units, problems)."""
    problems: list[str] = []
    prefix = f"{where}: " if where else ""
    if not item.content.strip():
        problems.append(prefix + _("the content is empty."))
    if item.recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY) and item.deadline is not None:
        problems.append(prefix + _("a recurring directive has no single deadline; leave the deadline empty."))
    if item.recurrence == Recurrence.MONTHLY and not (item.recurrence_day and 1 <= item.recurrence_day <= 31):
        problems.append(prefix + _("the day of a monthly directive must be between 1 and 31."))
    lead_unit: OrgUnit | None = None
    lead_group = ""
    if item.lead:
        if item.lead in GROUP_NAMES:
            lead_group = item.lead
        else:
            try:
                lead_unit = unit_by_code(code=item.lead, on=on)
            except UnitLookupError as exc:
                problems.append(
                    prefix + (str(exc) if exc.known else _("unknown lead agency '%(code)s'.") % {"code": item.lead})
                )
    coordinating: list[OrgUnit] = []
    for code in item.coordinating:
        if code in GROUP_NAMES:
            coordinating.extend(group_members(group=code, on=on))
            continue
        try:
            coordinating.append(unit_by_code(code=code, on=on))
        except UnitLookupError as exc:
            problems.append(
                prefix + (str(exc) if exc.known else _("unknown coordinating agency '%(code)s'.") % {"code": code})
            )
    lead_pk = lead_unit.pk if lead_unit else None
    unique = list({u.pk: u for u in coordinating if u.pk != lead_pk}.values())
    return lead_unit, lead_group, unique, problems


def directives_create(*, source: SourceDocument, items: Sequence[DirectiveInput], user: Any = None) -> list[Directive]:
    """Add directives to a source document, all or none. A directive led by a group becomes a
    parent with one child per member unit valid on the document's date."""
    checked = []
    problems: list[str] = []
    for number, item in enumerate(items, start=1):
        lead, group, coordinating, issues = _check(item, on=source.date, where=_("Directive %(n)d") % {"n": number})
        checked.append((item, lead, group, coordinating))
        problems.extend(issues)
    if problems:
        raise DirectiveError(problems)
    created: list[Directive] = []
    with transaction.atomic():
        position = (
            source.directives.filter(parent=None).order_by("-position").values_list("position", flat=True).first() or 0
        )
        for item, lead, group, coordinating in checked:
            position += 1
            directive = _create_one(
                source=source,
                item=item,
                lead=lead,
                group=group,
                coordinating=coordinating,
                position=position,
                user=user,
            )
            created.append(directive)
        if created:
            _scorecards_follow(units=_units_of(created), directive=created[0], user=user)
    return created


def _create_one(
    *,
    source: SourceDocument,
    item: DirectiveInput,
    lead: OrgUnit | None,
    group: str,
    coordinating: list[OrgUnit],
    position: int,
    user: Any,
    parent: Directive | None = None,
) -> Directive:
    recurrence_day = item.recurrence_day if item.recurrence == Recurrence.MONTHLY else None
    directive = Directive.objects.create(
        source=source,
        parent=parent,
        position=position,
        content=item.content.strip(),
        source_sentence=item.source_sentence,
        lead_agency_text=item.lead_text.strip(),
        coordinating_agencies_text=AGENCY_TEXT_SEPARATOR.join(t.strip() for t in item.coordinating_text if t.strip()),
        lead_agency=lead,
        lead_group=group,
        deadline=None if item.recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY) else item.deadline,
        recurrence=item.recurrence,
        recurrence_day=recurrence_day,
        starts_on=source.date,
        ends_on=item.ends_on,
        created_by=acting_user(user),
    )
    directive.coordinating_agencies.set(coordinating)
    if group:
        members = [m for m in group_members(group=group, on=source.date) if m.pk not in {c.pk for c in coordinating}]
        for number, member in enumerate(members, start=1):
            _create_one(
                source=source,
                item=item,
                lead=member,
                group="",
                coordinating=coordinating,
                position=number,
                user=user,
                parent=directive,
            )
    directive_refresh(directive=directive)
    return directive


def directive_update(*, directive: Directive, item: DirectiveInput, user: Any = None) -> Directive:
    """Change a directive (an extended deadline, another lead …); a group parent passes the
    timing and content on to its children, and status is recomputed."""
    lead, group, coordinating, problems = _check(item, on=directive.source.date, where="")
    if problems:
        raise DirectiveError(problems)
    if group != directive.lead_group or (group and lead is not None):
        raise DirectiveError([_("The lead group of a directive cannot be changed; delete it and add it again.")])
    with transaction.atomic():
        touched = _units_of([directive])
        targets = [directive, *directive.children.all()] if directive.lead_group else [directive]
        for target in targets:
            target.content = item.content.strip()
            if not directive.lead_group:
                target.lead_agency = lead
            target.deadline = None if item.recurrence in (Recurrence.MONTHLY, Recurrence.QUARTERLY) else item.deadline
            target.recurrence = item.recurrence
            target.recurrence_day = item.recurrence_day if item.recurrence == Recurrence.MONTHLY else None
            target.ends_on = item.ends_on
            target.save()
            if target.pk == directive.pk or not directive.lead_group:
                target.coordinating_agencies.set(coordinating)
            directive_refresh(directive=target)
        _scorecards_follow(units=touched | _units_of([directive]), directive=directive, user=user)
    directive.refresh_from_db()
    return directive


def directive_delete(*, directive: Directive, user: Any = None) -> None:
    """Remove a directive with its copies, reports and reminders; a group's parent is recomputed."""
    with transaction.atomic():
        touched = _units_of([directive])
        parent_id = directive.parent_id
        removed = Directive(pk=directive.pk)
        directive.delete()
        parent = Directive.objects.filter(pk=parent_id).first() if parent_id else None
        if parent is not None:
            _refresh_parent(parent)
        _scorecards_follow(units=touched, directive=removed, user=user)


def directive_refresh(*, directive: Directive) -> None:
    """Recompute the stored dates of a directive from its reports (and of its parent)."""
    if directive.lead_group:
        _refresh_parent(directive)
        return
    # Read afresh: the directive may carry a prefetched (now stale) list of its updates.
    updates = list(ProgressUpdate.objects.filter(directive_id=directive.pk).order_by("reported_on", "id"))
    accepted = [u for u in updates if u.review == ReviewState.ACCEPTED and u.percent == 100]
    due_date: dt.date | None = None
    completed_on: dt.date | None = None
    completed_late = False
    if directive.is_recurring:
        done = {u.occurrence_due: u for u in sorted(accepted, key=lambda u: (u.reported_on, u.pk))}
        last: dt.date | None = None
        for due in occurrences(
            recurrence=directive.recurrence,
            day=directive.recurrence_day,
            starts_on=directive.starts_on,
            ends_on=directive.ends_on,
        ):
            if due not in done:
                due_date = due
                break
            last = due
        else:
            # Every occurrence up to the end is done: the directive is complete.
            if last is not None:
                completed_on = done[last].reported_on
                completed_late = completed_on > last
    elif accepted:
        completed_on = min(u.reported_on for u in accepted)
        completed_late = directive.deadline is not None and completed_on > directive.deadline
    elif directive.recurrence != Recurrence.CONTINUOUS:
        due_date = directive.deadline
    # A recurring directive's completion reports close occurrences, not the directive: its
    # progress is that of its last ordinary report.
    counted = [
        u for u in updates if u.review != ReviewState.RETURNED and not (directive.is_recurring and u.percent == 100)
    ]
    progress = 100 if completed_on else (counted[-1].percent if counted else 0)
    Directive.objects.filter(pk=directive.pk).update(
        due_date=due_date, completed_on=completed_on, completed_late=completed_late, progress=progress
    )
    directive.due_date, directive.completed_on = due_date, completed_on
    directive.completed_late, directive.progress = completed_late, progress
    if directive.parent_id is not None:
        parent = Directive.objects.get(pk=directive.parent_id)
        _refresh_parent(parent)


def _refresh_parent(parent: Directive) -> None:
    children = list(
        Directive.objects.filter(parent_id=parent.pk).only("due_date", "completed_on", "completed_late", "progress")
    )
    if not children:
        return
    open_dues = [c.due_date for c in children if c.completed_on is None and c.due_date is not None]
    all_done = all(c.completed_on is not None for c in children)
    completed_on = max(c.completed_on for c in children if c.completed_on) if all_done else None
    values = {
        "due_date": min(open_dues) if open_dues else None,
        "completed_on": completed_on,
        "completed_late": all_done and any(c.completed_late for c in children),
        "progress": round(sum(c.progress for c in children) / len(children)),
    }
    Directive.objects.filter(pk=parent.pk).update(**values)
    for name, value in values.items():
        setattr(parent, name, value)


# ---- progress and review ------------------------------------------------------------------


def _next_open_occurrence(directive: Directive) -> dt.date | None:
    """The earliest occurrence that no accepted or pending report answers yet."""
    taken = set(
        directive.updates.filter(percent=100, review__in=[ReviewState.ACCEPTED, ReviewState.PENDING]).values_list(
            "occurrence_due", flat=True
        )
    )
    for due in occurrences(
        recurrence=directive.recurrence,
        day=directive.recurrence_day,
        starts_on=directive.starts_on,
        ends_on=directive.ends_on,
    ):
        if due not in taken:
            return due
    return None


def progress_report(
    *,
    directive: Directive,
    percent: int,
    text: str,
    user: Any = None,
    reported_on: dt.date | None = None,
    files: Sequence[UploadedFile] = (),
) -> ProgressUpdate:
    """The lead agency reports progress. At 100 % it is a completion report, which waits for the
    office's confirmation; for a recurring directive it answers the earliest open occurrence."""
    reported_on = reported_on or today_local()
    problems = []
    if directive.lead_group:
        problems.append(_("Each unit of the group reports on its own copy of this directive, not on the group's."))
    if not 0 <= percent <= 100:
        problems.append(_("The progress must be between 0 and 100 %."))
    if not text.strip():
        problems.append(_("Write what has been done."))
    if reported_on > today_local():
        problems.append(_("The report date cannot be in the future."))
    if reported_on < directive.starts_on:
        problems.append(_("The report date is before the directive was assigned."))
    if directive.completed_on is not None:
        problems.append(_("This directive is already completed."))
    if len(files) > MAX_EVIDENCE_FILES:
        problems.append(_("Attach at most %(n)d files.") % {"n": MAX_EVIDENCE_FILES})
    for upload in files:
        if (upload.size or 0) > MAX_EVIDENCE_BYTES:
            problems.append(
                _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": MAX_EVIDENCE_BYTES // 2**20}
            )
    occurrence = None
    if percent == 100 and directive.is_recurring:
        occurrence = _next_open_occurrence(directive)
        if occurrence is None:
            problems.append(_("Every occurrence of this directive has already been reported."))
    if problems:
        raise DirectiveError(problems)
    with transaction.atomic():
        update = ProgressUpdate.objects.create(
            directive=directive,
            reported_on=reported_on,
            percent=percent,
            text=text.strip(),
            occurrence_due=occurrence,
            review=ReviewState.PENDING if percent == 100 else ReviewState.NOT_NEEDED,
            created_by=acting_user(user),
        )
        for upload in files:
            evidence = EvidenceFile(update=update, name=(upload.name or "tep")[:255], size=upload.size or 0)
            evidence.file.save(upload.name or "tep", upload, save=False)
            evidence.save()
        directive_refresh(directive=directive)
        if percent == 100:
            # A completion report can stop the clock (sent in time) while it awaits the office.
            _scorecards_follow(units=_units_of([directive]), directive=directive, user=user)
    return update


def progress_review(
    *, update: ProgressUpdate, accept: bool, note: str = "", user: Any = None, at: dt.datetime | None = None
) -> ProgressUpdate:
    """The office confirms a completion report (the directive is done on the report's date) or
    returns it with a note; the agency's contacts are told either way. ``at`` records a review
    made earlier (bringing in a register kept elsewhere); by default, now."""
    if update.review != ReviewState.PENDING:
        raise DirectiveError([_("Only a completion report awaiting confirmation can be confirmed or returned.")])
    if not accept and not note.strip():
        raise DirectiveError([_("Say why the report is returned, so the agency knows what to complete.")])
    with transaction.atomic():
        update.review = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
        update.review_note = note.strip()[:500]
        update.reviewed_by = acting_user(user)
        update.reviewed_at = at or timezone.now()
        update.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
        directive = update.directive
        directive_refresh(directive=directive)
        _scorecards_follow(units=_units_of([directive]), directive=directive, user=user)
        message = (
            _("Completion confirmed: %(directive)s") if accept else _("Completion report returned: %(directive)s")
        ) % {"directive": str(directive)[:300]}
        if note.strip():
            message = f"{message} — {note.strip()}"[:500]
        notify(directive=directive, message=message)
    return update


def notify(*, directive: Directive, message: str) -> int:
    """An in-app notification to every user who is a contact of the agency leading the directive
    today (its successor once merged, the agency it was handed to)."""
    lead = lead_id_today(directive, today=today_local())
    if lead is None:
        return 0
    users = (
        AgencyContact.objects.filter(org_unit_id=lead, user__isnull=False).values_list("user_id", flat=True).distinct()
    )
    notes = [Notification(user_id=uid, directive=directive, message=message[:500]) for uid in users]
    Notification.objects.bulk_create(notes)
    return len(notes)


def notifications_mark_read(*, user: Any, ids: Sequence[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# ---- hand-overs after a reorganisation ---------------------------------------------------------


def directive_transfer(
    *, directive: Directive, to_unit: OrgUnit, effective_date: dt.date, note: str = "", user: Any = None
) -> DirectiveTransfer:
    """Hand a directive over to another agency from ``effective_date``: what the office does for
    the directives of an agency that was split (they are not carried until then), or to move one
    for any other reason. Its history before the date stays with the agency that led it; the
    record keeps who did it, when and why. The scorecards of both agencies follow."""
    problems = directive_transfer_problems(directive=directive, to_unit=to_unit, effective_date=effective_date)
    if problems:
        raise DirectiveError(problems)
    leads = DirectiveLeads(directive_ids=[directive.pk])
    current = leads.unit_id_at(directive.pk, directive.lead_agency_id, effective_date)
    with transaction.atomic():
        from_unit_id = current if current is not None else _split_agency(leads, directive, effective_date)
        transfer = DirectiveTransfer.objects.create(
            directive=directive,
            from_unit_id=from_unit_id,
            to_unit=to_unit,
            effective_date=effective_date,
            note=note.strip()[:500],
            created_by=acting_user(user),
        )
        _scorecards_follow(units=_units_of([directive]), directive=directive, user=user)
    return transfer


def directive_transfer_problems(*, directive: Directive, to_unit: OrgUnit, effective_date: dt.date) -> list[str]:
    """Why ``directive`` cannot be handed to ``to_unit`` from ``effective_date`` (empty: it can);
    the service and the admin's form ask the same."""
    problems: list[str] = []
    if directive.lead_group:
        problems.append(_("A group's directive is handed over copy by copy: open the copy of the unit concerned."))
    if directive.lead_agency_id is None:
        problems.append(_("This directive has no lead agency to hand over from."))
    if effective_date < directive.starts_on:
        problems.append(_("The hand-over date is before the directive was assigned."))
    if not to_unit.is_valid_on(effective_date):
        problems.append(
            _("%(agency)s is not in force on %(date)s (%(validity)s).")
            % {"agency": to_unit.name, "date": day_text(effective_date), "validity": to_unit.validity_text()}
        )
    leads = DirectiveLeads(directive_ids=[directive.pk])
    current = leads.unit_id_at(directive.pk, directive.lead_agency_id, effective_date)
    if current == to_unit.pk:
        problems.append(
            _("%(agency)s already leads this directive on %(date)s.")
            % {"agency": to_unit.name, "date": day_text(effective_date)}
        )
    if DirectiveTransfer.objects.filter(directive=directive, effective_date=effective_date).exists():
        problems.append(_("This directive was already handed over on that date."))
    return problems


def _split_agency(leads: DirectiveLeads, directive: Directive, on: dt.date) -> int:
    """The agency a not-carried directive is handed over from: the one that was split."""
    state = leads.at(directive, on)
    if state is not None and state.split is not None:
        return state.split.pk
    return directive.lead_agency_id or 0
