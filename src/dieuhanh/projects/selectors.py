"""Reads of the public-investment register: each project's plan, disbursement and status against
the year's milestones as at a date; the project list, the investors' ranking, a project's page,
the slowest projects, the map, and the transfers the statuses suggest.

As at a date D of a year Y:

- the **plan** is the sum of the changes of Y's plan (assigned, adjusted, transferred) effective by
  D; funds carried over from the previous year are kept apart (``carried_over``);
- **disbursed** is what the State Treasury reported disbursed of Y's plan in the months up to D's
  (a month's figure counts whole from its first day: the Treasury reports months);
- the **status** is ``schedule.schedule_status`` of the two against the milestones of Y
  (``milestones_for``); an investor's is that of the sums of its projects.

Projects and their figures are public (public investment is published): these reads take no user,
except ``project_detail``, whose directives (an obstacle's follow-up among them) are shown only to
whoever the directives' own rules let read them (``directives.selectors.directives_visible``).
Every list costs a fixed number of queries, whatever the number of projects.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from decimal import Context as DecimalContext
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any, overload

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from psycopg.types.string import ByteaBinaryLoader

from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import directives_visible, issuing_unit_default, statuses_at
from dieuhanh.directives.status import StatusAt
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.tree import in_subtrees, path_ids
from dieuhanh.projects import todate
from dieuhanh.projects.choices import AllocationKind, ScheduleStatus
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
from dieuhanh.projects.schedule import (
    HUNDRED,
    Milestone,
    disbursed_percent,
    milestones_parse,
    pace_at,
    required_at,
    schedule_status,
    shortfall,
)

ZERO = Decimal(0)
ORDERS = ("slowest", "fastest", "code", "name", "plan", "shortfall")


def month_code(day: dt.date) -> str:
    """The period ``YYYYMM`` of ``day``."""
    return f"{day.year:04d}{day.month:02d}"


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


# ---- milestones ---------------------------------------------------------------------------------


def milestones_for(year: int) -> list[Milestone]:
    """The province's disbursement milestones of ``year``: the register's own, else the default
    ones (setting ``DIEUHANH_PI_MILESTONES``)."""
    own = [
        Milestone(due_on, percent)
        for due_on, percent in DisbursementMilestone.objects.filter(year=year).values_list("due_on", "percent")
    ]
    if own:
        return sorted(own)
    return milestones_parse(settings.DIEUHANH_PI_MILESTONES, year=year)


# ---- progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A project's (an investor's) year as at a date: the plan then, disbursed of it by then, the
    share in %, the status against the milestones, how much more is needed to be back on pace, and
    the previous year's funds carried over (apart from the plan)."""

    plan: Decimal
    disbursed: Decimal
    percent: Decimal | None
    status: ScheduleStatus
    shortfall: Decimal
    carried_over: Decimal = ZERO


def progress_make(
    *,
    plan: Decimal,
    disbursed: Decimal,
    year: int,
    on: dt.date,
    milestones: Sequence[Milestone],
    carried: Decimal = ZERO,
) -> Progress:
    return Progress(
        plan=plan,
        disbursed=disbursed,
        percent=disbursed_percent(plan, disbursed),
        status=schedule_status(plan=plan, disbursed=disbursed, on=on, year=year, milestones=milestones),
        shortfall=shortfall(plan=plan, disbursed=disbursed, on=on, year=year, milestones=milestones),
        carried_over=carried,
    )


class ProgressRater:
    """``progress_make`` for many projects (investors) of one year and day: the two thresholds the
    milestones set for the day (``required_at``, ``pace_at``) worked out once, not for every row;
    the same rules as ``schedule.schedule_status`` and ``schedule.shortfall``."""

    def __init__(self, *, year: int, on: dt.date, milestones: Sequence[Milestone]) -> None:
        self.required = required_at(milestones, on)
        self.pace = pace_at(milestones, on, year=year)

    def __call__(self, *, plan: Decimal, disbursed: Decimal, carried: Decimal = ZERO) -> Progress:
        percent = disbursed_percent(plan, disbursed)
        if percent is None:
            status = ScheduleStatus.NO_PLAN
        elif percent < self.required:
            status = ScheduleStatus.BEHIND
        elif percent < self.pace:
            status = ScheduleStatus.AT_RISK
        else:
            status = ScheduleStatus.ON_TRACK
        short = ZERO if plan <= 0 else max(plan * self.pace / HUNDRED - disbursed, Decimal(0))
        return Progress(
            plan=plan, disbursed=disbursed, percent=percent, status=status, shortfall=short, carried_over=carried
        )


def _sums(qs: QuerySet[Any], key: str, amount: str = "amount") -> dict[Any, Decimal]:
    return {
        k: v or ZERO for k, v in qs.order_by().values_list(key).annotate(total=Sum(amount)).values_list(key, "total")
    }


def _narrow(qs: QuerySet[Any], projects: QuerySet[Project] | None) -> QuerySet[Any]:
    return qs if projects is None else qs.filter(project_id__in=projects.order_by().values("pk"))


def progress_of(*, projects: QuerySet[Project] | None = None, year: int, on: dt.date) -> dict[int, Progress]:
    """Each project's progress of ``year`` as at ``on`` (of ``projects``, or of every project with a
    plan, a carry-over or a disbursement of the year), by project id; three queries."""
    allocations = _narrow(CapitalAllocation.objects.filter(year=year, effective_on__lte=on), projects)
    plans = _sums(allocations.exclude(kind=AllocationKind.CARRYOVER), "project_id")
    carried = _sums(allocations.filter(kind=AllocationKind.CARRYOVER), "project_id")
    paid = _sums(
        _narrow(Disbursement.objects.filter(plan_year=year, period__lte=month_code(on)), projects), "project_id"
    )
    milestones = milestones_for(year)
    return {
        pk: progress_make(
            plan=plans.get(pk, ZERO),
            disbursed=paid.get(pk, ZERO),
            year=year,
            on=on,
            milestones=milestones,
            carried=carried.get(pk, ZERO),
        )
        for pk in {*plans, *carried, *paid}
    }


def plan_as_at(*, project: Project, year: int, source: str | None = None, on: dt.date | None = None) -> Decimal:
    """``project``'s plan of ``year`` (of one ``source``), as at ``on`` (every change, without it)."""
    qs = CapitalAllocation.objects.filter(project=project, year=year).exclude(kind=AllocationKind.CARRYOVER)
    if source:
        qs = qs.filter(source=source)
    if on is not None:
        qs = qs.filter(effective_on__lte=on)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def undisbursed_plan(*, project: Project, year: int, source: str, on: dt.date) -> Decimal:
    """What of ``project``'s ``year`` plan from ``source`` is not disbursed: the plan as at ``on``
    (or every change of it, if that is less) less everything reported disbursed of it."""
    plan = min(
        plan_as_at(project=project, year=year, source=source, on=on),
        plan_as_at(project=project, year=year, source=source),
    )
    paid = (
        Disbursement.objects.filter(project=project, plan_year=year, source=source).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    return max(plan - paid, ZERO)


# ---- where projects lie ---------------------------------------------------------------------------


class Places:
    """The units and successions, read once (two queries), to say which unit stands for a location
    in a month: the location itself while it is in force, else its successors (or predecessors)
    in force then, through chains of successions; and the province a unit belongs to."""

    def __init__(self) -> None:
        self.units: dict[int, OrgUnit] = {
            u.pk: u for u in OrgUnit.objects.only("pk", "code", "name", "kind", "path", "valid_from", "valid_to")
        }
        self.onward: dict[int, list[int]] = defaultdict(list)
        self.backward: dict[int, list[int]] = defaultdict(list)
        for before, after in Succession.objects.values_list("predecessor_id", "successor_id"):
            self.onward[before].append(after)
            self.backward[after].append(before)

    def at(self, unit_id: int, day: dt.date) -> list[int]:
        """The units in force on ``day`` that stand for ``unit_id``: itself, or the nearest of its
        successors (after it ended) or predecessors (before it began) in force then."""
        unit = self.units.get(unit_id)
        if unit is None:
            return []
        if unit.is_valid_on(day):
            return [unit_id]
        links = self.onward if unit.valid_to is not None and unit.valid_to < day else self.backward
        found: list[int] = []
        seen, frontier = {unit_id}, [unit_id]
        while frontier and not found:
            following = [n for pk in frontier for n in links.get(pk, []) if n not in seen]
            seen.update(following)
            found = [pk for pk in following if pk in self.units and self.units[pk].is_valid_on(day)]
            frontier = following
        return sorted(set(found))

    def province(self, unit_id: int) -> int | None:
        """The province ``unit_id`` lies in (itself, for a province)."""
        unit = self.units.get(unit_id)
        if unit is None:
            return None
        for pk in path_ids(unit.path):
            above = self.units.get(pk)
            if above is not None and above.kind == OrgUnitKind.PROVINCE:
                return pk
        return None

    def provinces_at(self, unit_ids: Iterable[int], day: dt.date) -> list[int]:
        found = {self.province(pk) for unit_id in unit_ids for pk in self.at(unit_id, day)}
        return sorted(pk for pk in found if pk is not None)


def project_province(*, project: Project, on: dt.date, places: Places | None = None) -> OrgUnit | None:
    """The province ``project`` lies in on ``on``: its communes' (through successions), else its
    investor's, else the one province of the catalogue in force then."""
    units = [*OrgUnit.objects.filter(projectlocation__project=project), project.investor]
    if places is None and all(unit.is_valid_on(on) for unit in units):
        # Every unit is in force then: their provinces are on their paths (one query, no successions).
        ancestors = {pk for unit in units for pk in path_ids(unit.path)}
        provinces = OrgUnit.objects.filter(pk__in=ancestors, kind=OrgUnitKind.PROVINCE).valid_on(on)
        by_path = {pk: [p for p in provinces if pk in path_ids(p.path)] for pk in {u.pk for u in units}}
        located = [p for unit in units[:-1] for p in by_path[unit.pk]]
        found_units = located or by_path[project.investor_id]
        if found_units:
            return sorted(found_units, key=lambda unit: unit.pk)[0]
        return issuing_unit_default(on=on)
    places = places or Places()
    locations = [unit.pk for unit in units[:-1]]
    found = places.provinces_at(locations, on) or places.provinces_at([project.investor_id], on)
    if found:
        return OrgUnit.objects.get(pk=found[0])
    return issuing_unit_default(on=on)


# ---- the project list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    """A project in the list: the project (its investor loaded), its progress, open obstacles."""

    project: Project
    progress: Progress
    open_obstacles: int


def _open_on(on: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}reported_on__lte": on}) & (
        Q(**{f"{prefix}resolved_on__isnull": True}) | Q(**{f"{prefix}resolved_on__gt": on})
    )


def _no_plan(year: int, on: dt.date) -> Progress:
    return progress_make(plan=ZERO, disbursed=ZERO, year=year, on=on, milestones=())


# ---- progress in SQL ----------------------------------------------------------------------------------
#
# The list, the ranking and the map ask about every project of the register: each project's plan and
# disbursement are summed by the database (one GROUP BY of the year's allocations, one of its
# disbursement), the status against schedule is a CASE on the two thresholds the milestones set for
# the date (``required_at``, ``pace_at``), and the filters, counts, order and page are the
# database's; only the rows shown are built in Python (``progress_make``, the same rules).

_QUANTUM = Decimal("0.001")  # amounts are stored with 3 decimals (million đồng)
_FLOATS = DecimalContext(prec=15)


def _amount(value: Any) -> Decimal:
    """A sum read from a cursor as a Decimal (SQLite answers floats, as the ORM's converter reads them)."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value).quantize(_QUANTUM)
    return _FLOATS.create_decimal_from_float(float(value)).quantize(_QUANTUM)


def _in_province(province: OrgUnit, on: dt.date) -> Q:
    """The projects lying in ``province`` (or any unit's subtree) on ``on``: a location commune in
    force then in its subtree (or one ended before ``on`` whose successor is), or, for a project
    without a location, its investor in the subtree.

    One ``UNION`` of the three ways, each read by its index from the subtree's units, rather than an
    ``OR`` of three subqueries asked of every project of the register (a province's 2,206 projects
    of 50,000: 55 → 26 ms on PostgreSQL, bench/unmet.md)."""
    in_force = (Q(org_unit__valid_from__isnull=True) | Q(org_unit__valid_from__lte=on)) & (
        Q(org_unit__valid_to__isnull=True) | Q(org_unit__valid_to__gte=on)
    )
    located = ProjectLocation.objects.filter(in_subtrees([province], through="org_unit") & in_force)
    succeeded = Succession.objects.filter(
        in_subtrees([province], through="successor"), predecessor__valid_to__lt=on
    ).values("predecessor_id")
    moved = ProjectLocation.objects.filter(org_unit_id__in=succeeded)
    unplaced = Project.objects.filter(in_subtrees([province], through="investor")).exclude(
        Exists(ProjectLocation.objects.filter(project=OuterRef("pk")))
    )
    ways = (
        located.order_by().values("project_id"),
        moved.order_by().values("project_id"),
        unplaced.order_by().values("id"),
    )
    return Q(pk__in=ways[0].union(*ways[1:]))


def _status_sql(*, year: int, on: dt.date, milestones: Sequence[Milestone]) -> tuple[str, list[Any]]:
    """``schedule_status`` as a CASE on the columns ``plan`` and ``paid`` (percent < x ⇔ paid × 100 < x × plan)."""
    required = required_at(milestones, on)
    pace = pace_at(milestones, on, year=year)
    sql = (
        "CASE WHEN plan <= 0 THEN %s WHEN paid * 100 < %s * plan THEN %s"
        " WHEN paid * 100 < %s * plan THEN %s ELSE %s END"
    )
    params = [
        str(ScheduleStatus.NO_PLAN),
        required,
        str(ScheduleStatus.BEHIND),
        pace,
        str(ScheduleStatus.AT_RISK),
        str(ScheduleStatus.ON_TRACK),
    ]
    return sql, params


def _progress_sql(
    *,
    year: int,
    on: dt.date,
    projects: QuerySet[Project] | None,
    milestones: Sequence[Milestone],
    ids: list[int] | None = None,
    columns: Sequence[str] = (),
) -> tuple[str, list[Any]]:
    """A SELECT of every project of ``projects`` (all, without) with its columns ``id``, ``code``,
    ``name``, ``investor_id``, ``plan``, ``carried``, ``paid``, ``status``, ``percent`` (NULL without
    a plan) and ``shortfall`` of ``year`` as at ``on``, and the project's own ``columns`` (read in
    the same scan of the projects, not joined again)."""
    p = Project._meta.db_table
    a = CapitalAllocation._meta.db_table
    narrow, where, sub_params = "", "", []
    if projects is not None and projects.query.where:
        # The filter also narrows the sums: a province's are read from the indexes by project.
        if connection.vendor == "postgresql":
            # The projects found first (one query), then asked for as an array: the planner reads
            # their sums by index rather than summing the whole year's before the filter.
            if ids is None:
                ids = list(projects.order_by().values_list("pk", flat=True))
            narrow, where, sub_params = " AND project_id = ANY(%s)", " WHERE p.id = ANY(%s)", [ids]
        else:
            subquery, sub = projects.order_by().values("pk").query.sql_with_params()
            narrow, where, sub_params = f" AND project_id IN ({subquery})", f" WHERE p.id IN ({subquery})", list(sub)
    paid, paid_params = todate.paid_sql(year=year, on=on, narrow=narrow, params=sub_params)
    params: list[Any] = [
        str(AllocationKind.CARRYOVER),
        str(AllocationKind.CARRYOVER),
        year,
        on,
        *sub_params,
        *paid_params,
        *sub_params,
    ]
    own = "".join(f", p.{column} AS {column}" for column in columns)
    inner = (
        f"SELECT p.id AS id, p.code AS code, p.name AS name, p.investor_id AS investor_id{own},"
        f" COALESCE(a.plan, 0) AS plan, COALESCE(a.carried, 0) AS carried, COALESCE(d.paid, 0) AS paid"
        f" FROM {p} p"
        f" LEFT JOIN (SELECT project_id, SUM(CASE WHEN kind <> %s THEN amount ELSE 0 END) AS plan,"
        f" SUM(CASE WHEN kind = %s THEN amount ELSE 0 END) AS carried"
        f" FROM {a} WHERE year = %s AND effective_on <= %s{narrow} GROUP BY project_id) a ON a.project_id = p.id"
        f" LEFT JOIN ({paid}) d ON d.project_id = p.id{where}"
    )
    status, status_params = _status_sql(year=year, on=on, milestones=milestones)
    pace = pace_at(milestones, on, year=year)
    listed = "".join(f", {column}" for column in columns)
    sql = (
        f"SELECT id, code, name, investor_id{listed}, plan, carried, paid, {status} AS status,"
        " CASE WHEN plan > 0 THEN paid * 100.0 / plan END AS percent,"
        " CASE WHEN plan > 0 AND plan * %s / 100.0 - paid > 0 THEN plan * %s / 100.0 - paid ELSE 0 END AS shortfall"
        f" FROM ({inner}) progress"
    )
    return sql, [*status_params, pace, pace, *params]


def _text_order(column: str) -> str:
    """``column`` compared as Python compares strings (by code point) on every database."""
    return f'{column} COLLATE "C"' if connection.vendor == "postgresql" else column


def _order_sql(order: str) -> str:
    code = _text_order("code")
    if order == "fastest":
        return f"CASE WHEN percent IS NULL THEN 1 ELSE 0 END, percent DESC, {code}"
    if order == "code":
        return code
    if order == "name":
        return f"{_text_order('name')}, {code}"
    if order == "plan":
        return f"plan DESC, {code}"
    if order == "shortfall":
        return f"shortfall DESC, {code}"
    return f"CASE WHEN percent IS NULL THEN 1 ELSE 0 END, COALESCE(percent, 0), {code}"


# The memory PostgreSQL may give each sort and hash of these questions (a national year's sums by
# project hash about 10 MB: with the server's default 4 MB they spill to disk).
WORK_MEM = "64MB"
# No parallel workers for these questions: the planner's parallel plans summed the whole year again
# in every worker (the sums are the inner side of the joins, built by each process), twice the
# work for no gain (bench/unmet.md).
PARALLEL_WORKERS = "0"


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('work_mem', %s, true), set_config('max_parallel_workers_per_gather', %s, true)",
                [WORK_MEM, PARALLEL_WORKERS],
            )
        cursor.execute(sql, params)
        return cursor.fetchall()


class ProjectRows(Sequence[ProjectRow]):
    """The projects of a list, asked of the database when read: ``len()`` counts
    them, a slice fetches only its rows (what a ``Paginator`` asks), ``status_counts()`` says how
    many of them are in each status; iterating reads them all. Read once, kept."""

    def __init__(
        self,
        *,
        year: int,
        on: dt.date,
        projects: QuerySet[Project],
        statuses: Sequence[str],
        with_plan: bool,
        order: str,
    ) -> None:
        self.year, self.on, self.order = year, on, order
        self.milestones = milestones_for(year)
        self._ids: list[int] | None = None
        if connection.vendor == "postgresql" and projects.query.where:
            self._ids = list(projects.order_by().values_list("pk", flat=True))
        sql, params = _progress_sql(year=year, on=on, projects=projects, milestones=self.milestones, ids=self._ids)
        self._base, self._base_params = sql, params
        self._projects = projects
        conditions: list[str] = []
        condition_params: list[str] = []
        if with_plan:
            conditions.append("plan > 0")
        if statuses:
            conditions.append(f"status IN ({', '.join(['%s'] * len(statuses))})")
            condition_params.extend(str(s) for s in statuses)
        self._where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        self._where_params = condition_params
        self._count: int | None = None
        self._all: list[ProjectRow] | None = None

    def _select(self, columns: str, tail: str = "", tail_params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = f"SELECT {columns} FROM ({self._base}) listed{self._where}{tail}"
        return _fetch(sql, [*self._base_params, *self._where_params, *tail_params])

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            if self._where:
                self._count = int(self._select("COUNT(*)")[0][0])
            else:  # how many projects does not depend on their sums
                self._count = len(self._ids) if self._ids is not None else self._projects.count()
        return self._count

    def status_counts(self) -> dict[str, int]:
        """How many of the projects are in each status (every status named, 0 when none)."""
        counts = {str(s): 0 for s in ScheduleStatus}
        for status, n in self._select("status, COUNT(*)", " GROUP BY status"):
            counts[str(status)] = int(n)
        return counts

    def _rows(self, limit: int | None, offset: int) -> list[ProjectRow]:
        tail = f" ORDER BY {_order_sql(self.order)}"
        tail_params: list[Any] = []
        if limit is not None:
            tail += " LIMIT %s OFFSET %s"
            tail_params = [limit, offset]
        elif offset:
            tail += " LIMIT -1 OFFSET %s" if connection.vendor == "sqlite" else " OFFSET %s"
            tail_params = [offset]
        found = self._select("id, plan, carried, paid", tail, tail_params)
        ids = [row[0] for row in found]
        projects = Project.objects.select_related("investor").in_bulk(ids)
        obstacles = (
            dict(
                Obstacle.objects.filter(_open_on(self.on), project_id__in=ids)
                .order_by()
                .values_list("project_id")
                .annotate(n=Count("pk"))
                .values_list("project_id", "n")
            )
            if ids
            else {}
        )
        rate = ProgressRater(year=self.year, on=self.on, milestones=self.milestones)
        return [
            ProjectRow(
                projects[pk],
                rate(plan=_amount(plan), disbursed=_amount(paid), carried=_amount(carried)),
                obstacles.get(pk, 0),
            )
            for pk, plan, carried, paid in found
        ]

    def _everything(self) -> list[ProjectRow]:
        if self._all is None:
            self._all = self._rows(None, 0)
        return self._all

    @overload
    def __getitem__(self, index: int) -> ProjectRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[ProjectRow]: ...

    def __getitem__(self, index: int | slice) -> ProjectRow | list[ProjectRow]:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            start, stop, step = index.start or 0, index.stop, index.step
            if step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
                return self._everything()[index]
            if stop is not None and stop <= start:
                return []
            return self._rows(None if stop is None else stop - start, start)
        if index < 0:
            return self._everything()[index]
        found = self._rows(1, index)
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self) -> Iterator[ProjectRow]:
        return iter(self._everything())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProjectRows | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def project_list(
    *,
    year: int,
    on: dt.date,
    investor: OrgUnit | int | None = None,
    sector: str | None = None,
    group: str | None = None,
    source: str | None = None,
    status: str | Sequence[str] | None = None,
    commune: OrgUnit | None = None,
    q: str = "",
    order: str = "slowest",
    with_plan: bool = False,
    province: OrgUnit | None = None,
) -> ProjectRows:
    """The projects with their progress of ``year`` as at ``on``, narrowed by every filter given
    (``commune``: the projects located in it or in its subtree; ``province``: those lying in it on
    ``on``, see ``_in_province``; ``source``: those with a plan of it in the year; ``status``: one
    or several), in ``order`` (``ORDERS``; slowest first by default: the lowest share disbursed,
    projects without a plan last). ``with_plan``: only the projects with a plan. The answer is
    read when used: slice it for a page (``ProjectRows``)."""
    qs = Project.objects.all()
    if investor is not None:
        qs = qs.filter(investor_id=investor if isinstance(investor, int) else investor.pk)
    if sector:
        qs = qs.filter(sector=sector)
    if group:
        qs = qs.filter(group=group)
    if source:
        qs = qs.filter(pk__in=CapitalAllocation.objects.filter(year=year, source=source).values("project_id"))
    if commune is not None:
        located = ProjectLocation.objects.filter(in_subtrees([commune], through="org_unit")).values("project_id")
        qs = qs.filter(pk__in=located)
    if province is not None:
        qs = qs.filter(_in_province(province, on))
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(name__icontains=q.strip()))
    statuses = [status] if isinstance(status, str) else list(status or ())
    return ProjectRows(year=year, on=on, projects=qs, statuses=statuses, with_plan=with_plan, order=order)


def slow_projects(*, year: int, on: dt.date, limit: int = 10, province: OrgUnit | None = None) -> list[ProjectRow]:
    """The projects behind schedule or at risk, the lowest share disbursed first."""
    rows = project_list(
        year=year,
        on=on,
        with_plan=True,
        status=(ScheduleStatus.BEHIND, ScheduleStatus.AT_RISK),
        province=province,
    )
    return rows[:limit]


# ---- investors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestorRow:
    """An investor's year as at a date: its rank (1: the highest share disbursed; equal shares
    share a rank), the sums of its projects' plans and disbursement, the share, its status, how
    many of its projects have a plan and how many of them are behind schedule."""

    investor: OrgUnit
    rank: int
    plan: Decimal
    disbursed: Decimal
    percent: Decimal | None
    status: ScheduleStatus
    projects: int
    behind: int


def _units_by_id(ids: list[int]) -> dict[int, OrgUnit]:
    """The units of ``ids``, by id (``in_bulk``); on PostgreSQL asked for as one array, not one
    parameter an id (a national ranking names some 3,500 investors)."""
    if connection.vendor != "postgresql":
        return OrgUnit.objects.in_bulk(ids)
    return {
        unit.pk: unit for unit in OrgUnit.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids])).order_by()
    }


def investor_ranking(*, year: int, on: dt.date, province: OrgUnit | None = None) -> list[InvestorRow]:
    """Every investor with a plan of ``year`` as at ``on`` (of the projects lying in ``province``,
    when given), ranked by the share of it disbursed."""
    milestones = milestones_for(year)
    projects = Project.objects.filter(_in_province(province, on)) if province is not None else None
    sql, params = _progress_sql(year=year, on=on, projects=projects, milestones=milestones)
    sums = _fetch(
        "SELECT investor_id, SUM(plan), SUM(paid), COUNT(*), SUM(CASE WHEN status = %s THEN 1 ELSE 0 END)"
        f" FROM ({sql}) progress WHERE plan > 0 GROUP BY investor_id",
        [str(ScheduleStatus.BEHIND), *params],
    )
    units = _units_by_id([row[0] for row in sums])
    rate = ProgressRater(year=year, on=on, milestones=milestones)
    made = [
        (
            units[pk],
            rate(plan=_amount(plan), disbursed=_amount(paid)),
            int(count),
            int(behind),
        )
        for pk, plan, paid, count, behind in sums
    ]
    made.sort(key=lambda item: (-(item[1].percent or ZERO), item[0].name, item[0].pk))
    rows: list[InvestorRow] = []
    for position, (unit, item, count, behind) in enumerate(made, start=1):
        rank = rows[-1].rank if rows and rows[-1].percent == item.percent else position
        rows.append(InvestorRow(unit, rank, item.plan, item.disbursed, item.percent, item.status, count, behind))
    return rows


def investors_below(
    *, year: int, on: dt.date, percent: Decimal | int, province: OrgUnit | None = None
) -> list[InvestorRow]:
    """The investors that disbursed less than ``percent`` % of their plan (the "dưới x %" list),
    the lowest first."""
    threshold = Decimal(percent)
    ranking = investor_ranking(year=year, on=on, province=province)
    below = [r for r in ranking if r.percent is not None and r.percent < threshold]
    return sorted(below, key=lambda r: (r.percent, r.investor.name))


# ---- a project's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurvePoint:
    """One month of a project's year: the plan at its end, disbursed up to it (None after the date
    asked), and what the pace and the milestones ask by its end (amounts, million đồng)."""

    period: str
    plan: Decimal
    disbursed: Decimal | None
    pace: Decimal
    required: Decimal


@dataclass(frozen=True)
class ObstacleView:
    """An obstacle as at a date: its follow-up's status by the directives' rules (None while it has
    none), and the directive itself when the reader may see it."""

    obstacle: Obstacle
    state: StatusAt | None
    directive: Directive | None

    @property
    def is_open(self) -> bool:
        return self.state is None or not self.state.is_done


@dataclass(frozen=True)
class ProjectView:
    project: Project
    year: int
    on: dt.date
    progress: Progress
    milestones: list[Milestone]
    curve: list[CurvePoint]
    site_clearance: list[SiteClearance]
    obstacles: list[ObstacleView]
    directives: list[tuple[Directive, StatusAt | None]]
    decisions: list[ProjectDecision]
    allocations: list[CapitalAllocation]
    transfers: list[CapitalTransfer]
    locations: list[OrgUnit] = field(default_factory=list)


def year_months(year: int) -> list[tuple[int, int]]:
    """The months a year's plan is disbursed in: January to December, and January of the next year."""
    return [(year, m) for m in range(1, 13)] + [(year + 1, 1)]


def project_curve(*, project: Project, year: int, on: dt.date, milestones: Sequence[Milestone]) -> list[CurvePoint]:
    changes = list(
        CapitalAllocation.objects.filter(project=project, year=year)
        .exclude(kind=AllocationKind.CARRYOVER)
        .values_list("effective_on", "amount")
    )
    monthly = _sums(Disbursement.objects.filter(project=project, plan_year=year), "period")
    points: list[CurvePoint] = []
    running = ZERO
    last = month_code(on)
    for y, m in year_months(year):
        end = month_end(y, m)
        period = f"{y:04d}{m:02d}"
        plan = sum((amount for day, amount in changes if day <= end), ZERO)
        running += monthly.get(period, ZERO)
        points.append(
            CurvePoint(
                period=period,
                plan=plan,
                disbursed=running if period <= last else None,
                pace=plan * pace_at(milestones, end, year=year) / HUNDRED,
                required=plan * required_at(milestones, end) / HUNDRED,
            )
        )
    return points


def site_clearance_at(*, project: Project, on: dt.date) -> list[SiteClearance]:
    """The latest site-clearance figures of ``project`` in each commune, as at the end of ``on``'s month."""
    latest: dict[int, SiteClearance] = {}
    rows = SiteClearance.objects.filter(project=project, period__lte=month_code(on)).select_related("org_unit")
    for row in rows.order_by("org_unit_id", "period"):
        latest[row.org_unit_id] = row
    return sorted(latest.values(), key=lambda r: (r.org_unit.name, r.org_unit_id))


def obstacle_views(*, obstacles: Sequence[Obstacle], on: dt.date, user: Any) -> list[ObstacleView]:
    """``obstacles`` with their follow-ups' status on ``on`` and the directives ``user`` may read."""
    ids = [o.directive_id for o in obstacles if o.directive_id is not None]
    states = statuses_at(directives=Directive.objects.filter(pk__in=ids), on=on) if ids else {}
    visible = (
        {d.pk: d for d in directives_visible(Directive.objects.filter(pk__in=ids), user=user).select_related("source")}
        if ids
        else {}
    )
    return [
        ObstacleView(o, states.get(o.directive_id) if o.directive_id else None, visible.get(o.directive_id or 0))
        for o in obstacles
    ]


def project_detail(*, project: Project, year: int, on: dt.date, user: Any) -> ProjectView:
    """Everything ``project``'s page shows for ``year`` as at ``on``."""
    milestones = milestones_for(year)
    progress = progress_of(projects=Project.objects.filter(pk=project.pk), year=year, on=on).get(project.pk) or (
        _no_plan(year, on)
    )
    obstacles = list(
        Obstacle.objects.filter(project=project, reported_on__lte=on).select_related(
            "resolving_agency", "org_unit", "directive"
        )
    )
    directives_qs = directives_visible(project.directives.filter(starts_on__lte=on), user=user).select_related(
        "source", "lead_agency"
    )
    directives = list(directives_qs)
    states = statuses_at(directives=Directive.objects.filter(pk__in=[d.pk for d in directives]), on=on)
    return ProjectView(
        project=project,
        year=year,
        on=on,
        progress=progress,
        milestones=milestones,
        curve=project_curve(project=project, year=year, on=on, milestones=milestones),
        site_clearance=site_clearance_at(project=project, on=on),
        obstacles=obstacle_views(obstacles=obstacles, on=on, user=user),
        directives=[(d, states.get(d.pk)) for d in directives],
        decisions=list(project.decisions.all()),
        allocations=list(project.allocations.filter(year=year).select_related("transfer")),
        transfers=list(
            CapitalTransfer.objects.filter(Q(from_project=project) | Q(to_project=project), year=year).select_related(
                "from_project", "to_project"
            )
        ),
        locations=list(project.locations.all()),
    )


# ---- the map ----------------------------------------------------------------------------------------


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a large answer without cycles is built (the national
    map's 50,000 features: some 250,000 tuples, dicts and lists, which the collector would walk
    again and again as they pile up, for nothing); resumed after, if it ran before."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _geojson_sql(sql: str, *, with_plan: bool, percent_text: bool) -> str:
    """The features' values as PostgreSQL computes them (the status, the share rounded to 0.1 half
    to even, as Python's ``round`` of a Decimal does), one row a project with a place on the map
    (a geometry that is a JSON object other than ``{}``), in no order: (code, name, investor id,
    geometry's JSON text, status, share: a float, or its text with ``percent_text``; NULL without
    a plan). ``sql`` is ``_progress_sql``'s with the column ``geometry_text``.

    The caller orders the rows: PostgreSQL's sort of 50,000 rows of geometries took a fifth of the
    national map's query, and they come out of the scan of the register nearly in the codes'
    order, which Python's sort takes in a pass. The investors' names are read apart, once each:
    the planner cannot count the located rows, and joined the investors one project at a time."""
    # Half to even, either sign: ``round`` takes a half away from zero; at a half (the rounded is
    # half a tenth from the exact) an odd result is brought back to the even neighbour.
    rounded = (
        "(CASE WHEN abs(round(progress.tenths) - progress.tenths) = 0.5 AND mod(round(progress.tenths), 2) <> 0"
        " THEN 2 * progress.tenths - round(progress.tenths) ELSE round(progress.tenths) END)::float8 / 10"
    )
    if percent_text:
        rounded = f"({rounded})::text"
    # OFFSET 0 keeps the subquery whole: flattened, each of the rounding's references to ``tenths``
    # divided the sums again. Only the columns the map shows are asked of it (not the list's
    # share and shortfall, two more numeric divisions a project).
    return (
        "SELECT progress.code, progress.name, progress.investor_id, progress.geometry_text, progress.status,"
        f" CASE WHEN progress.plan > 0 THEN {rounded} END"
        " FROM (SELECT listed.code, listed.name, listed.investor_id, listed.geometry_text, listed.status, listed.plan,"
        " CASE WHEN listed.plan > 0 THEN listed.paid * 1000 / listed.plan END AS tenths"
        # jsonb's text of an object begins with "{"; that of the empty object is "{}".
        f" FROM ({sql}) listed WHERE listed.geometry_text LIKE '{{%%' AND listed.geometry_text <> '{{}}'"
        f"{' AND listed.plan > 0' if with_plan else ''} OFFSET 0) progress"
    )


def _geojson_rows(sql: str, params: list[Any], *, with_plan: bool) -> list[tuple[Any, ...]]:
    """``_geojson_sql``'s rows, the share a float, in the order of the codes."""
    rows = _fetch(_geojson_sql(sql, with_plan=with_plan, percent_text=False), params)
    rows.sort(key=itemgetter(0))  # by code point, as COLLATE "C"
    return rows


def _fetch_utf8(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """``_fetch``'s rows with every text as PostgreSQL sent it, UTF-8 bytes, in its binary format:
    no text decoded to be encoded again (the national map: 50,000 rows of five texts)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('max_parallel_workers_per_gather', %s, true)",
            [WORK_MEM, PARALLEL_WORKERS],
        )
        # Django's cursor binds parameters on the client, which cannot ask for binary rows; this
        # one, on the same connection and in the same transaction, binds them on the server. Never
        # prepared, as Django's statements are not (a pooler may hand the next transaction another
        # connection).
        with psycopg.Cursor(connection.connection) as raw:
            for name in ("text", "varchar"):
                raw.adapters.register_loader(name, ByteaBinaryLoader)  # a text's binary form is its bytes
            raw.execute(sql, list(params), binary=True, prepare=False)
            return raw.fetchall()


# The bytes a JSON string takes as they are: all but the control characters, the quotation mark
# and the reverse solidus. UTF-8 writes no other character with a byte below 0x80, so a text needs
# escaping exactly when deleting these bytes from it leaves any.
_JSON_PLAIN = bytes(range(0x20, 0x100)).replace(b'"', b"").replace(b"\\", b"")
# The statuses as JSON strings.
_STATUSES = {str(status).encode(): json.dumps(str(status)).encode() for status in ScheduleStatus}


def _json_string(text: bytes) -> bytes:
    """``text`` (UTF-8) as a JSON string, non-ASCII letters as they are."""
    return encode_basestring(text.decode()).encode()


def _geojson_utf8(sql: str, params: list[Any], *, with_plan: bool) -> bytes:
    """The FeatureCollection of ``_geojson_sql``'s rows as JSON text in UTF-8, written from the
    bytes PostgreSQL sent: the geometries' text as the database keeps it, never parsed; the codes
    and names quoted as they are when none of them needs escaping (checked once over all of them),
    else each escaped."""
    rows = _fetch_utf8(_geojson_sql(sql, with_plan=with_plan, percent_text=True), params)
    rows.sort(key=itemgetter(0))  # bytes of UTF-8 compare as their code points: COLLATE "C"
    investors = {pk: _json_string(name) for pk, name in _investor_names_utf8(rows).items()}
    plain = not b"".join([row[0] for row in rows]).translate(None, _JSON_PLAIN) and not b"".join(
        [row[1] for row in rows]
    ).translate(None, _JSON_PLAIN)
    if not plain:  # the rare register with a code or name JSON escapes: each escaped, in its quotes
        rows = [(_json_string(code)[1:-1], _json_string(name)[1:-1], *rest) for code, name, *rest in rows]
    feature = (
        b'{"type": "Feature", "geometry": %s, "properties": {"code": "%s", "name": "%s",'
        b' "investor": %s, "status": %s, "percent": %s}}'
    )
    features = [
        feature % (geometry, code, name, investors[investor], _STATUSES[status], percent or b"null")
        for code, name, investor, geometry, status, percent in rows
    ]
    return b'{"type": "FeatureCollection", "features": [' + b",".join(features) + b"]}"


def _investor_names(rows: list[tuple[Any, ...]]) -> dict[int, str]:
    """The names of the rows' investors, read once each."""
    ids = sorted({row[2] for row in rows})
    return dict(
        OrgUnit.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [ids])).order_by().values_list("pk", "name")
    )


def _investor_names_utf8(rows: list[tuple[Any, ...]]) -> dict[int, bytes]:
    """``_investor_names`` in UTF-8."""
    ids = "{" + ",".join(map(str, {row[2] for row in rows})) + "}"  # an array's text: no list for psycopg to dump
    table = connection.ops.quote_name(OrgUnit._meta.db_table)
    return dict(_fetch_utf8(f"SELECT id, name FROM {table} WHERE id = ANY(%s::bigint[])", [ids]))


def _geojson_of(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The FeatureCollection of ``_geojson_rows``' rows as Python objects; the geometries parsed as
    one JSON array, not one text at a time."""
    with _without_cycle_collection():
        shapes = json.loads("[" + ",".join(row[3] for row in rows) + "]")
        investors = _investor_names(rows)
        features = [
            {
                "type": "Feature",
                "geometry": shape,
                "properties": {
                    "code": code,
                    "name": name,
                    "investor": investors[investor],
                    "status": status,
                    "percent": percent,
                },
            }
            for (code, name, investor, _text, status, percent), shape in zip(rows, shapes, strict=True)
        ]
        return {"type": "FeatureCollection", "features": features}


def projects_geojson_utf8(
    *,
    year: int,
    on: dt.date,
    projects: QuerySet[Project] | None = None,
    province: OrgUnit | None = None,
    with_plan: bool = False,
) -> bytes:
    """The projects with a location on the map as the JSON text of a GeoJSON FeatureCollection in
    UTF-8, each with its code, name, investor, status and share disbursed (a number, or null
    without a plan); of ``projects``, of those lying in ``province`` on ``on``, only those with a
    plan of ``year`` (``with_plan``). The API answers with it as it is; on PostgreSQL it is written
    from the bytes of one query's rows, the geometries never parsed."""
    if connection.vendor == "postgresql":
        sql, params = _geojson_question(
            year=year, on=on, projects=projects, province=province, columns=["geometry_text"]
        )
        return _geojson_utf8(sql, params, with_plan=with_plan)
    collection = projects_geojson(year=year, on=on, projects=projects, province=province, with_plan=with_plan)
    return json.dumps(collection, ensure_ascii=False).encode()


def projects_geojson(
    *,
    year: int,
    on: dt.date,
    projects: QuerySet[Project] | None = None,
    province: OrgUnit | None = None,
    with_plan: bool = False,
) -> dict[str, Any]:
    """``projects_geojson_utf8``'s FeatureCollection as Python objects (for the map page). No project
    is made a model instance."""
    if connection.vendor == "postgresql":
        sql, params = _geojson_question(
            year=year, on=on, projects=projects, province=province, columns=["geometry_text"]
        )
        return _geojson_of(_geojson_rows(sql, params, with_plan=with_plan))
    sql, params = _geojson_question(year=year, on=on, projects=projects, province=province)
    rows = _fetch(
        f"SELECT progress.code, progress.name, investor.name, geo.geometry, progress.plan, progress.paid,"
        f" progress.status FROM ({sql}) progress"
        f" JOIN {Project._meta.db_table} geo ON geo.id = progress.id"
        f" JOIN {OrgUnit._meta.db_table} investor ON investor.id = progress.investor_id"
        f"{' WHERE progress.plan > 0' if with_plan else ''} ORDER BY {_text_order('progress.code')}",
        params,
    )
    features = []
    for code, name, investor, geometry, plan, paid, status in rows:
        shape = json.loads(geometry) if isinstance(geometry, str | bytes) else geometry
        if not isinstance(shape, dict) or not shape:
            continue
        plan_amount = _amount(plan)
        percent = disbursed_percent(plan_amount, _amount(paid))
        features.append(
            {
                "type": "Feature",
                "geometry": shape,
                "properties": {
                    "code": code,
                    "name": name,
                    "investor": investor,
                    "status": str(status),
                    "percent": float(round(percent, 1)) if percent is not None else None,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _geojson_question(
    *, year: int, on: dt.date, projects: QuerySet[Project] | None, province: OrgUnit | None, columns: Sequence[str] = ()
) -> tuple[str, list[Any]]:
    """The progress of the map's projects (``_progress_sql``), narrowed to ``province`` on ``on``; only
    the projects asked about narrow the sums (the location is asked of the rows themselves)."""
    qs = projects if projects is not None else Project.objects.all()
    if province is not None:
        qs = qs.filter(_in_province(province, on))
    return _progress_sql(year=year, on=on, projects=qs, milestones=milestones_for(year), columns=columns)


# ---- transfers the statuses suggest ------------------------------------------------------------------


@dataclass(frozen=True)
class TransferProposal:
    """Capital of one source that a project behind schedule cannot use by the last milestone at
    its pace, proposed for a project on schedule with room for it (million đồng, whole)."""

    source: str
    from_project: Project
    to_project: Project
    amount: Decimal


def transfer_proposals(*, year: int, on: dt.date) -> list[TransferProposal]:
    """Transfers from projects behind schedule to projects on schedule, source by source.

    A project behind schedule gives what it would leave undisbursed by the last milestone at its
    pace so far (disbursed by ``on`` per day since 1 January, carried on to the last milestone's
    date), at most what it has not disbursed. A project on schedule takes up to its room: its total
    investment not yet planned in any year. The largest givers go to the fastest takers first;
    the amounts are whole million đồng, and what is moved out is what is moved in."""
    milestones = milestones_for(year)
    if not milestones:
        return []
    last = max(m.due_on for m in milestones)
    start = dt.date(year, 1, 1)
    if not start < on < last:
        return []
    progress = progress_of(year=year, on=on)
    givers = [pk for pk, p in progress.items() if p.status == ScheduleStatus.BEHIND and p.plan > 0]
    takers = [pk for pk, p in progress.items() if p.status == ScheduleStatus.ON_TRACK and p.plan > 0]
    if not givers or not takers:
        return []
    by_source = CapitalAllocation.objects.filter(year=year, effective_on__lte=on).exclude(kind=AllocationKind.CARRYOVER)
    plans: dict[tuple[int, str], Decimal] = {
        (pk, source): total or ZERO
        for pk, source, total in by_source.filter(project_id__in=givers)
        .order_by()
        .values_list("project_id", "source")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "source", "total")
    }
    paid: dict[tuple[int, str], Decimal] = {
        (pk, source): total or ZERO
        for pk, source, total in Disbursement.objects.filter(
            project_id__in=givers, plan_year=year, period__lte=month_code(on)
        )
        .order_by()
        .values_list("project_id", "source")
        .annotate(total=Sum("amount"))
        .values_list("project_id", "source", "total")
    }
    elapsed = Decimal((on - start).days + 1)
    ahead = Decimal((last - start).days + 1)
    offers: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for (pk, source), plan in plans.items():
        done = paid.get((pk, source), ZERO)
        expected = done * ahead / elapsed
        spare = min(plan - expected, plan - done).quantize(Decimal(1), rounding=ROUND_DOWN)
        if spare > 0:
            offers[source].append((spare, pk))
    planned = _sums(
        CapitalAllocation.objects.filter(project_id__in=takers).exclude(kind=AllocationKind.CARRYOVER), "project_id"
    )
    projects = Project.objects.in_bulk([*givers, *takers])
    room = {
        pk: max(projects[pk].total_investment - planned.get(pk, ZERO), ZERO).quantize(Decimal(1), rounding=ROUND_DOWN)
        for pk in takers
    }
    speed = sorted(takers, key=lambda pk: (-(progress[pk].percent or ZERO), projects[pk].code))
    proposals: list[TransferProposal] = []
    for source in sorted(offers):
        for spare, giver in sorted(offers[source], key=lambda item: (-item[0], projects[item[1]].code)):
            left = spare
            for taker in speed:
                if left <= 0:
                    break
                if source not in (projects[taker].sources or [source]) or room[taker] <= 0:
                    continue
                amount = min(left, room[taker])
                proposals.append(TransferProposal(source, projects[giver], projects[taker], amount))
                room[taker] -= amount
                left -= amount
    return proposals
