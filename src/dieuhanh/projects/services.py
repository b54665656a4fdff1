"""Writes of the public-investment register: projects and their decisions, capital plans and
transfers, monthly disbursement, site clearance, obstacles; and the figures computed from them.

Every function is keyword-only, runs in one transaction and checks each row by the model's rules
(``full_clean``) before it is saved: a problem refuses the whole write with a ``ValidationError``
(``ProjectError`` for the register's own rules) whose messages say what to fix. The figures are
never written here directly: ``projects_figures_refresh`` computes them (``figures.py``) and writes
them through the figures service.

An obstacle is followed up as a directive (``Obstacle.directive``): the task "resolve it", led by
the resolving agency with the deadline, in a source document of its own issued by the project's
province. Its status as at a date, its reminders and the agencies' scorecards are the
directives' own; resolving the obstacle reports that directive done and confirms it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import acting_user
from dieuhanh.directives.choices import SourceKind
from dieuhanh.directives.models import Directive
from dieuhanh.directives.services import (
    DirectiveError,
    DirectiveInput,
    directive_delete,
    directives_create,
    progress_report,
    progress_review,
    source_document_create,
)
from dieuhanh.figures.models import ImportBatch
from dieuhanh.orgunits.models import OrgUnit, day_text
from dieuhanh.projects import todate
from dieuhanh.projects.choices import AllocationKind, DecisionKind
from dieuhanh.projects.models import (
    CapitalAllocation,
    CapitalTransfer,
    Disbursement,
    DisbursementMilestone,
    Obstacle,
    Project,
    ProjectDecision,
    ProjectLocation,
    SiteClearance,
)
from dieuhanh.projects.selectors import project_province, undisbursed_plan

ZERO = Decimal(0)
# How many rows are read or written at once: a register's monthly upload is tens of thousands.
CHUNK = 2_000


class ProjectError(ValidationError):
    """A write the register's rules refuse; ``messages`` say what to fix, in the user's language."""


@dataclass(frozen=True)
class WriteCounts:
    """What a batch write did: rows created, updated, and left as they were."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# ---- projects ---------------------------------------------------------------------------------


def project_save(
    *,
    code: str,
    name: str,
    investor: OrgUnit,
    group: str,
    sector: str,
    stage: str,
    total_investment: Decimal,
    sources: Sequence[str] = (),
    locations: Sequence[OrgUnit] = (),
    geometry: dict[str, Any] | None = None,
    managing_agency: OrgUnit | None = None,
    start_on: dt.date | None = None,
    planned_completion_on: dt.date | None = None,
    completed_on: dt.date | None = None,
    description: str = "",
    sample: bool = False,
    directives: Sequence[Directive] | None = None,
    user: Any = None,
) -> Project:
    """Create the project ``code``, or update it with these values (its communes become exactly
    ``locations``). ``directives``, when given, become the directives that name the project,
    beside its obstacles' follow-ups, which always stay."""
    code = code.strip()
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(code=code).first() or Project(code=code)
        project.name = name.strip()
        project.investor = investor
        project.group = group
        project.sector = sector
        project.stage = stage
        project.total_investment = Decimal(total_investment)
        project.sources = list(dict.fromkeys(sources))
        project.geometry = geometry
        project.managing_agency = managing_agency
        project.start_on = start_on
        project.planned_completion_on = planned_completion_on
        project.completed_on = completed_on
        project.description = description
        project.sample = sample
        project.full_clean(validate_constraints=False)
        project.save()
        wanted = {unit.pk: unit for unit in locations}
        ProjectLocation.objects.filter(project=project).exclude(org_unit_id__in=list(wanted)).delete()
        held = set(ProjectLocation.objects.filter(project=project).values_list("org_unit_id", flat=True))
        ProjectLocation.objects.bulk_create(
            [ProjectLocation(project=project, org_unit=unit) for pk, unit in wanted.items() if pk not in held]
        )
        if directives is not None:
            follow_ups = Obstacle.objects.filter(project=project, directive__isnull=False).values_list(
                "directive_id", flat=True
            )
            project.directives.set({*(d.pk for d in directives), *follow_ups})
    return project


def project_delete(*, project: Project, user: Any = None) -> None:
    """Remove a project with its plans, disbursement, site clearance and obstacles; a transfer
    that involves it must be undone first (``transfer_delete``), so that no other project's plan
    changes unseen. The obstacles' follow-up directives stay in the directives' register."""
    with transaction.atomic():
        if CapitalTransfer.objects.filter(from_project=project).exists() or project.transfers_in.exists():
            raise ProjectError(_("Capital was transferred to or from this project: delete the transfers first."))
        project.delete()


def decision_save(
    *,
    project: Project,
    kind: str,
    number: str,
    date: dt.date,
    issuer: str = "",
    amount: Decimal | None = None,
    note: str = "",
    user: Any = None,
) -> ProjectDecision:
    """Record a decision about ``project`` (or update the one of that kind and number)."""
    number = number.strip()
    with transaction.atomic():
        decision = ProjectDecision.objects.filter(project=project, kind=kind, number=number).first()
        decision = decision or ProjectDecision(project=project, kind=kind, number=number)
        decision.date, decision.issuer, decision.amount, decision.note = date, issuer.strip(), amount, note.strip()
        decision.full_clean(validate_constraints=False)
        decision.save()
    return decision


# ---- capital plans ----------------------------------------------------------------------------


def allocation_add(
    *,
    project: Project,
    year: int,
    source: str,
    kind: str,
    amount: Decimal,
    effective_on: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    note: str = "",
    user: Any = None,
) -> CapitalAllocation:
    """Change ``project``'s capital plan of ``year`` and ``source`` from ``effective_on``: the plan
    assigned at the start of the year, an adjustment (which may be negative) or a carry-over.
    A transfer between projects is ``transfer_make``'s. A cut may not bring the plan below what
    was already disbursed of it."""
    if kind == AllocationKind.TRANSFER:
        raise ProjectError(_("A transfer between projects is made as a transfer, which writes both of its sides."))
    with transaction.atomic():
        _lock(project)
        allocation = CapitalAllocation(
            project=project,
            year=year,
            source=source,
            kind=kind,
            amount=Decimal(amount),
            effective_on=effective_on,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            note=note.strip(),
        )
        allocation.full_clean(validate_constraints=False)
        if allocation.amount < 0 and kind != AllocationKind.CARRYOVER:
            room = undisbursed_plan(project=project, year=year, source=source, on=effective_on)
            if -allocation.amount > room:
                raise ProjectError(
                    {
                        "amount": _(
                            "The cut of %(amount)s million đồng exceeds the plan not yet disbursed "
                            "(%(room)s million đồng) of %(year)s, %(source)s."
                        )
                        % {"amount": -allocation.amount, "room": room, "year": year, "source": source}
                    }
                )
        allocation.save()
    return allocation


def allocation_delete(*, allocation: CapitalAllocation, user: Any = None) -> None:
    """Remove one change of a plan; a transfer's two sides go together (``transfer_delete``)."""
    if allocation.transfer_id is not None:
        raise ProjectError(_("This change is one side of a transfer: delete the transfer."))
    allocation.delete()


def transfer_make(
    *,
    year: int,
    source: str,
    from_project: Project,
    to_project: Project,
    amount: Decimal,
    effective_on: dt.date,
    decision_number: str,
    decision_date: dt.date,
    note: str = "",
    user: Any = None,
) -> CapitalTransfer:
    """Move capital of ``year`` and ``source`` from one project to another by a decision: the
    transfer and its two sides (minus on ``from_project``, plus on ``to_project``), so the sum of
    the plans is kept. Refused for more than ``from_project`` has not yet disbursed of that plan."""
    amount = Decimal(amount)
    with transaction.atomic():
        _lock(from_project)
        transfer = CapitalTransfer(
            year=year,
            source=source,
            from_project=from_project,
            to_project=to_project,
            amount=amount,
            effective_on=effective_on,
            decision_number=decision_number.strip(),
            decision_date=decision_date,
            note=note.strip(),
            created_by=acting_user(user),
        )
        problems: dict[str, list[str]] = {}
        try:
            transfer.full_clean(exclude=["created_by"], validate_constraints=False)
        except ValidationError as error:
            problems.update(error.message_dict)
        if from_project.pk == to_project.pk:
            problems.setdefault("to_project", []).append(_("Capital is transferred between two different projects."))
        if amount <= 0:
            problems.setdefault("amount", []).append(_("The amount transferred must be more than 0."))
        if effective_on.year not in (year - 1, year):
            problems.setdefault("effective_on", []).append(
                _("A transfer of the %(year)s plan takes effect in %(year)s or in the year before.") % {"year": year}
            )
        if not problems:
            room = undisbursed_plan(project=from_project, year=year, source=source, on=effective_on)
            if amount > room:
                problems["amount"] = [
                    _(
                        "%(project)s has %(room)s million đồng of its %(year)s plan (%(source)s) not yet "
                        "disbursed on %(date)s: at most that much can be transferred."
                    )
                    % {
                        "project": from_project.code,
                        "room": room,
                        "year": year,
                        "source": source,
                        "date": day_text(effective_on),
                    }
                ]
        if problems:
            raise ProjectError(problems)
        transfer.save()
        sides = [(from_project, -amount), (to_project, amount)]
        for project, change in sides:
            side = CapitalAllocation(
                project=project,
                year=year,
                source=source,
                kind=AllocationKind.TRANSFER,
                amount=change,
                effective_on=effective_on,
                decision_number=transfer.decision_number,
                decision_date=decision_date,
                transfer=transfer,
                note=transfer.note,
            )
            side.full_clean(validate_constraints=False)
            side.save()
        if transfer.decision_number:
            for project in (from_project, to_project):
                if not ProjectDecision.objects.filter(
                    project=project, kind=DecisionKind.TRANSFER, number=transfer.decision_number
                ).exists():
                    ProjectDecision.objects.create(
                        project=project,
                        kind=DecisionKind.TRANSFER,
                        number=transfer.decision_number,
                        date=decision_date,
                        amount=-amount if project.pk == from_project.pk else amount,
                    )
    return transfer


def transfer_delete(*, transfer: CapitalTransfer, user: Any = None) -> None:
    """Undo a transfer: the transfer and both of its sides."""
    with transaction.atomic():
        transfer.delete()


def _lock(project: Project) -> None:
    # Two cuts or transfers of one project at once would each see the plan before the other's.
    list(Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True))


# ---- disbursement and site clearance ----------------------------------------------------------


@dataclass(frozen=True)
class DisbursementRow:
    """Capital of a year's plan disbursed in one month (the State Treasury's figure)."""

    project_id: int
    plan_year: int
    source: str
    period: str
    amount: Decimal


@dataclass(frozen=True)
class SiteClearanceRow:
    """Site clearance of a project in one commune as at the end of a month (running totals)."""

    project_id: int
    org_unit_id: int
    period: str
    area_total: Decimal
    area_handed_over: Decimal = ZERO
    households_total: int = 0
    households_approved: int = 0
    households_paid: int = 0
    compensation_approved: Decimal = ZERO
    compensation_paid: Decimal = ZERO
    plots_needed: int = 0
    plots_allocated: int = 0


def _row_problems(number: int, error: ValidationError) -> list[str]:
    where = _("Row %(n)d") % {"n": number}
    return [f"{where}, {field}: {message}" for field, messages in error.message_dict.items() for message in messages]


def _known_projects(ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        found.update(Project.objects.filter(pk__in=wanted[start : start + CHUNK]).values_list("pk", flat=True))
    return found


def disbursements_write(*, rows: Sequence[DisbursementRow], user: Any = None) -> WriteCounts:
    """Store monthly disbursement, all or nothing: a row for a (project, plan year, source, month)
    already held replaces its amount. Rows are checked by the model's rules first; every problem
    is reported at once, by row number (from 1)."""
    problems: list[str] = []
    known = _known_projects(row.project_id for row in rows)
    checked: dict[tuple[int, int, str, str], Disbursement] = {}
    for number, row in enumerate(rows, start=1):
        item = Disbursement(
            project_id=row.project_id,
            plan_year=row.plan_year,
            source=row.source,
            period=str(row.period),
            amount=Decimal(row.amount),
        )
        try:
            item.full_clean(exclude=["project"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.extend(_row_problems(number, error))
            continue
        if row.project_id not in known:
            problems.append(_("Row %(n)d: no project #%(id)s in the register.") % {"n": number, "id": row.project_id})
        if item.amount < 0:
            problems.append(_("Row %(n)d: a disbursement cannot be negative.") % {"n": number})
        key = (row.project_id, row.plan_year, row.source, item.period)
        if key in checked:
            problems.append(
                _("Row %(n)d repeats an earlier row's project, plan year, source and month.") % {"n": number}
            )
        checked[key] = item
    if problems:
        raise ProjectError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        todate.stale(key[1] for key in checked)
        items = list(checked.items())
        for start in range(0, len(items), CHUNK):
            chunk = dict(items[start : start + CHUNK])
            held = {
                (d.project_id, d.plan_year, d.source, d.period): d
                for d in Disbursement.objects.filter(
                    project_id__in={k[0] for k in chunk},
                    plan_year__in={k[1] for k in chunk},
                    period__in={k[3] for k in chunk},
                )
            }
            new, changed = [], []
            for key, item in chunk.items():
                old = held.get(key)
                if old is None:
                    new.append(item)
                elif old.amount == item.amount:
                    unchanged += 1
                else:
                    old.amount = item.amount
                    changed.append(old)
            Disbursement.objects.bulk_create(new)
            Disbursement.objects.bulk_update(changed, ["amount"])
            created += len(new)
            updated += len(changed)
    return WriteCounts(created, updated, unchanged)


def disbursements_delete(*, disbursements: QuerySet[Disbursement], user: Any = None) -> int:
    """Delete monthly disbursement rows (the admin's delete): their years' disbursement to date
    is no longer current. How many rows were deleted."""
    with transaction.atomic():
        todate.stale(disbursements.order_by().values_list("plan_year", flat=True).distinct())
        deleted, _by_model = disbursements.delete()
    return deleted


CLEARANCE_VALUES = tuple(
    f.name for f in fields(SiteClearanceRow) if f.name not in ("project_id", "org_unit_id", "period")
)


def site_clearance_write(*, rows: Sequence[SiteClearanceRow], user: Any = None) -> WriteCounts:
    """Store site clearance as at the end of months, all or nothing: a row for a (project,
    commune, month) already held replaces its figures."""
    problems: list[str] = []
    known = _known_projects(row.project_id for row in rows)
    units = set(OrgUnit.objects.filter(pk__in={row.org_unit_id for row in rows}).values_list("pk", flat=True))
    checked: dict[tuple[int, int, str], SiteClearance] = {}
    for number, row in enumerate(rows, start=1):
        item = SiteClearance(
            project_id=row.project_id,
            org_unit_id=row.org_unit_id,
            period=str(row.period),
            **{name: getattr(row, name) for name in CLEARANCE_VALUES},
        )
        try:
            item.full_clean(exclude=["project", "org_unit"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems.extend(_row_problems(number, error))
            continue
        if row.project_id not in known:
            problems.append(_("Row %(n)d: no project #%(id)s in the register.") % {"n": number, "id": row.project_id})
        if row.org_unit_id not in units:
            problems.append(_("Row %(n)d: no unit #%(id)s in the catalogue.") % {"n": number, "id": row.org_unit_id})
        key = (row.project_id, row.org_unit_id, item.period)
        if key in checked:
            problems.append(_("Row %(n)d repeats an earlier row's project, commune and month.") % {"n": number})
        checked[key] = item
    if problems:
        raise ProjectError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        todate.stale(key[1] for key in checked)
        items = list(checked.items())
        for start in range(0, len(items), CHUNK):
            chunk = dict(items[start : start + CHUNK])
            held = {
                (s.project_id, s.org_unit_id, s.period): s
                for s in SiteClearance.objects.filter(
                    project_id__in={k[0] for k in chunk}, period__in={k[2] for k in chunk}
                )
            }
            new, changed = [], []
            for key, item in chunk.items():
                old = held.get(key)
                if old is None:
                    new.append(item)
                elif all(getattr(old, name) == getattr(item, name) for name in CLEARANCE_VALUES):
                    unchanged += 1
                else:
                    for name in CLEARANCE_VALUES:
                        setattr(old, name, getattr(item, name))
                    changed.append(old)
            SiteClearance.objects.bulk_create(new)
            SiteClearance.objects.bulk_update(changed, list(CLEARANCE_VALUES))
            created += len(new)
            updated += len(changed)
    return WriteCounts(created, updated, unchanged)


# ---- obstacles ----------------------------------------------------------------------------------


def _directive_error(error: DirectiveError) -> ProjectError:
    return ProjectError(error.messages)


def obstacle_create(
    *,
    project: Project,
    category: str,
    description: str,
    reported_on: dt.date,
    resolving_agency: OrgUnit,
    deadline: dt.date | None = None,
    org_unit: OrgUnit | None = None,
    user: Any = None,
) -> Obstacle:
    """Record what blocks ``project`` and give its resolution to ``resolving_agency`` as a
    directive, with the deadline, in a source document of its own (issued on the day it was
    reported, by the project's province), which names the project."""
    obstacle = Obstacle(
        project=project,
        category=category,
        description=description.strip(),
        reported_on=reported_on,
        resolving_agency=resolving_agency,
        deadline=deadline,
        org_unit=org_unit,
        created_by=acting_user(user),
    )
    obstacle.full_clean(exclude=["created_by", "directive"], validate_constraints=False)
    if not resolving_agency.is_valid_on(reported_on):
        raise ProjectError(
            {
                "resolving_agency": _("%(agency)s is not in force on %(date)s (%(validity)s).")
                % {
                    "agency": resolving_agency.name,
                    "date": day_text(reported_on),
                    "validity": resolving_agency.validity_text(),
                }
            }
        )
    with transaction.atomic():
        obstacle.save()
        source = source_document_create(
            kind=SourceKind.OTHER,
            date=reported_on,
            title=(
                _("Obstacle of project %(code)s: %(category)s")
                % {
                    "code": project.code,
                    "category": obstacle.get_category_display(),
                }
            )[:500],
            org_unit=project_province(project=project, on=reported_on),
            user=user,
        )
        content = _("Resolve the obstacle of project %(project)s (%(category)s): %(description)s") % {
            "project": f"{project.code} {project.name}",
            "category": obstacle.get_category_display(),
            "description": obstacle.description,
        }
        try:
            # The agency is in force on the document's date (checked above), so its code names it then.
            (directive,) = directives_create(
                source=source,
                items=[DirectiveInput(content=content, lead=resolving_agency.code, deadline=deadline)],
                user=user,
            )
        except DirectiveError as error:
            raise _directive_error(error) from error
        obstacle.directive = directive
        obstacle.save(update_fields=["directive"])
        project.directives.add(directive)
    return obstacle


def obstacle_resolve(*, obstacle: Obstacle, resolved_on: dt.date, resolution: str, user: Any = None) -> Obstacle:
    """Record that ``obstacle`` is resolved: its follow-up directive is reported done on that day
    and confirmed (done on time or late by the directives' rules)."""
    if obstacle.resolved_on is not None:
        raise ProjectError(_("This obstacle is already resolved."))
    if not resolution.strip():
        raise ProjectError({"resolution": _("Say how the obstacle was resolved.")})
    obstacle.resolved_on = resolved_on
    obstacle.resolution = resolution.strip()
    obstacle.full_clean(exclude=["created_by", "directive"], validate_constraints=False)
    with transaction.atomic():
        obstacle.save(update_fields=["resolved_on", "resolution"])
        directive = obstacle.directive
        if directive is not None and directive.completed_on is None:
            try:
                update = progress_report(
                    directive=directive, percent=100, text=obstacle.resolution, reported_on=resolved_on, user=user
                )
                progress_review(update=update, accept=True, user=user)
            except DirectiveError as error:
                raise _directive_error(error) from error
    return obstacle


def obstacle_delete(*, obstacle: Obstacle, user: Any = None) -> None:
    """Remove an obstacle recorded by mistake; its follow-up directive goes with it."""
    with transaction.atomic():
        directive = obstacle.directive
        obstacle.delete()
        if directive is not None:
            directive_delete(directive=directive, user=user)


# ---- milestones ---------------------------------------------------------------------------------


def milestone_save(
    *, year: int, due_on: dt.date, percent: Decimal, note: str = "", pk: int | None = None, user: Any = None
) -> DisbursementMilestone:
    """Set the share of ``year``'s plan required disbursed by ``due_on`` (the milestone ``pk``, or
    the one of that date); a year with milestones of its own no longer uses the default ones."""
    with transaction.atomic():
        found = DisbursementMilestone.objects.filter(pk=pk).first() if pk else None
        milestone = found or DisbursementMilestone.objects.filter(year=year, due_on=due_on).first()
        milestone = milestone or DisbursementMilestone()
        milestone.year, milestone.due_on, milestone.percent, milestone.note = year, due_on, Decimal(percent), note
        milestone.full_clean()
        milestone.save()
    return milestone


def milestone_delete(*, milestone: DisbursementMilestone, user: Any = None) -> None:
    milestone.delete()


# ---- figures ----------------------------------------------------------------------------------


def projects_figures_refresh(
    *, years: Iterable[int] | None = None, user: Any = None, today: dt.date | None = None
) -> ImportBatch | None:
    """Write every figure the register gives (``figures.py``) for ``years`` (every year it holds
    something of, when None), month by month up to ``today``'s month (default: today), through the
    figures service; call it once after a batch of writes. None when nothing changed."""
    from dieuhanh.projects.figures import figures_refresh  # noqa: PLC0415 - the figures import the selectors

    return figures_refresh(years=years, user=user, today=today)


def plan_total(*, year: int, source: str | None = None) -> Decimal:
    """The sum of every project's plan of ``year`` (every change counted): what transfers keep."""
    qs = CapitalAllocation.objects.filter(year=year).exclude(kind=AllocationKind.CARRYOVER)
    if source:
        qs = qs.filter(source=source)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO
