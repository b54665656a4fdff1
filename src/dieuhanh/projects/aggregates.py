"""The register's capital and site-clearance figures summed by the database (``figures.py`` says
what each figure is): a year's figures in a few ``GROUP BY`` statements, whatever the size of the
register, in SQL that SQLite and PostgreSQL read alike.

The only work left to Python is what the catalogue knows through time, and it is small: for each
unit the register names (a project's communes, its investor, a commune of site clearance), the
units that stand for it in each month of the year (``Places.at``: itself, or its successors or
predecessors then) and their provinces. Months in which none of these changes — and the
catalogue's one province neither — form a *segment*, usually the whole year; the units' mapping is
written once a segment into a scratch table (``pi_place``), and each project's place once a segment
(``pi_where``: its provinces, investor and communes, by the same rules as ``Places``), all by
``INSERT … SELECT``. Then:

- ``pi_cell``: each project, source and month the project adds to (a plan of the year in force by
  the month's end, or money disbursed in it), with the plan as at the month's end and the month's
  disbursement;
- the province's, investors' and communes' sums are ``GROUP BY`` over the cells and the places; the
  projects behind schedule compare each project's running disbursement (a window over the months)
  with the share the milestones require on the month's day (``schedule.required_at``), as
  ``schedule.schedule_status`` does;
- site clearance is, for each month, the latest figures of each project and commune by then.

Amounts are summed as whole thousandths of a million đồng (tenths of a m² for areas): integers, so
that a sum is exact on SQLite too (which keeps decimals as floating point), and so are the
comparisons with the milestones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from dieuhanh.directives.selectors import issuing_unit_default
from dieuhanh.projects.choices import AllocationKind, CapitalSource
from dieuhanh.projects.models import CapitalAllocation, Disbursement, Project, ProjectLocation, SiteClearance
from dieuhanh.projects.schedule import required_at
from dieuhanh.projects.selectors import Places, milestones_for

# (unit id, indicator code, period) → value, as ``figures.Figures``.
Figures = dict[tuple[int, str, str], Decimal]

SCRATCH = {
    "pi_month": "month integer, period varchar(6), end_on date, required_num bigint, required_den bigint,"
    " segment integer",
    "pi_place": "segment integer, unit_id integer, position integer, target_id integer, province_id integer",
    "pi_cell": "project_id integer, source varchar(16), month integer, plan bigint, paid bigint",
    "pi_where": "project_id integer, segment integer, kind varchar(1), unit_id integer",
    "pi_clear": "project_id integer, org_unit_id integer, month integer, segment integer, area bigint,"
    " area_done bigint, households bigint, households_paid bigint",
}
INDEXES = {
    "pi_place": "unit_id, segment",
    "pi_cell": "project_id, month",
    "pi_where": "project_id, segment, kind",
    "pi_clear": "project_id, org_unit_id, segment",
}
# A project's place, in ``pi_where``: its provinces, its investor (the unit carrying its work), its communes.
PROVINCE, INVESTOR, COMMUNE = "P", "I", "C"


@dataclass(frozen=True)
class Month:
    """A month of the year refreshed: its code, its end (where the project lies, the plan in force)
    and the day it is counted at (its end, or today in the month under way)."""

    month: int
    period: str
    end: dt.date
    day: dt.date


@dataclass
class Capital:
    """A year's capital sums from the database, in million đồng (exact decimals)."""

    # (province, month, source, group) → (plan, disbursed)
    provinces: dict[tuple[int, int, str, str], tuple[Decimal, Decimal]]
    # (kind: INVESTOR | COMMUNE, unit, month) → (plan, disbursed)
    units: dict[tuple[str, int, int], tuple[Decimal, Decimal]]
    # (kind: PROVINCE | INVESTOR, unit, month) → projects behind schedule
    behind: dict[tuple[str, int, int], int]


@dataclass
class Clearance:
    """Site clearance as at each month's end: (unit, month) → (area, area handed over, households,
    households paid), for the communes and for the provinces."""

    communes: dict[tuple[int, int], tuple[Decimal, Decimal, int, int]]
    provinces: dict[tuple[int, int], tuple[Decimal, Decimal, int, int]]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _column(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _whole(column: str, places: int) -> str:
    """``column`` (a decimal of ``places`` places) as a whole number of its smallest unit."""
    return f"CAST(ROUND({column} * {10**places}) AS BIGINT)"


def _decimal(value: Any, places: int) -> Decimal:
    return Decimal(int(value or 0)).scaleb(-places)


@contextmanager
def scratch() -> Iterator[Any]:
    """A cursor with the scratch tables, empty, for the time of a refresh (temporary: each
    connection has its own, and they go when it closes if a refresh fails half-way)."""
    with connection.cursor() as cursor:
        for name, columns in SCRATCH.items():
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
            if name in INDEXES:
                cursor.execute(f"CREATE INDEX {name}_key ON {name} ({INDEXES[name]})")
        try:
            yield cursor
        finally:
            for name in SCRATCH:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _analyze(cursor: Any, *names: str) -> None:
    # PostgreSQL never analyses a temporary table by itself: without its statistics the joins
    # below are planned for a handful of rows.
    if connection.vendor == "postgresql":
        for name in names:
            cursor.execute(f"ANALYZE {name}")


def referenced_units() -> set[int]:
    """The units the register names: its projects' communes and investors, site clearance's communes."""
    units = set(ProjectLocation.objects.values_list("org_unit_id", flat=True).distinct())
    units |= set(Project.objects.values_list("investor_id", flat=True).distinct())
    units |= set(SiteClearance.objects.values_list("org_unit_id", flat=True).distinct())
    return units


def year_prepare(cursor: Any, *, places: Places, year: int, months: Sequence[Month], units: Iterable[int]) -> None:
    """Fill ``pi_month`` and ``pi_place`` for ``year``: each month's segment, the threshold the
    milestones set on its day, and each unit's stand-ins (with their provinces) in each segment."""
    for name in SCRATCH:
        cursor.execute(f"DELETE FROM {name}")
    milestones = milestones_for(year)
    ordered = sorted(set(units))
    month_rows: list[tuple[Any, ...]] = []
    place_rows: list[tuple[Any, ...]] = []
    defaults: list[tuple[int, int]] = []
    previous: tuple[Any, ...] | None = None
    segment = -1
    for month in months:
        standing = tuple(tuple(places.at(unit, month.end)) for unit in ordered)
        default = issuing_unit_default(on=month.end)
        key = (standing, default.pk if default is not None else None)
        if key != previous:
            segment += 1
            previous = key
            for unit, targets in zip(ordered, standing, strict=True):
                place_rows.extend(
                    (segment, unit, position, target, places.province(target))
                    for position, target in enumerate(targets)
                )
            if default is not None:
                defaults.append((segment, default.pk))
        numerator, denominator = required_at(milestones, month.day).as_integer_ratio()
        month_rows.append(
            (
                month.month,
                month.period,
                connection.ops.adapt_datefield_value(month.end),
                numerator,
                denominator,
                segment,
            )
        )
    cursor.executemany("INSERT INTO pi_month VALUES (%s, %s, %s, %s, %s, %s)", month_rows)
    cursor.executemany("INSERT INTO pi_place VALUES (%s, %s, %s, %s, %s)", place_rows)
    # The catalogue's one province stands in for a project placed nowhere else: position -1.
    cursor.executemany("INSERT INTO pi_place VALUES (%s, NULL, -1, %s, %s)", [(s, p, p) for s, p in defaults])
    _analyze(cursor, "pi_month", "pi_place")


def cells_fill(cursor: Any, *, year: int) -> None:
    """``pi_cell``: the plan as at each month's end and the month's disbursement, by project and
    source, where the project adds to the month (a plan of the year in force, or money disbursed
    in it); a source with no plan of the year adds nothing, as the register has it."""
    allocation, disbursement = _table(CapitalAllocation), _table(Disbursement)
    sources = ", ".join("%s" for _ in CapitalSource.values)
    cursor.execute(
        f"""
        INSERT INTO pi_cell (project_id, source, month, plan, paid)
        SELECT project_id, source, month, SUM(plan), SUM(paid) FROM (
            SELECT a.project_id, a.source, m.month, {_whole("a.amount", 3)} AS plan, 0 AS paid
            FROM {allocation} a JOIN pi_month m ON a.effective_on <= m.end_on
            WHERE a.year = %s AND a.kind <> %s AND a.source IN ({sources})
            UNION ALL
            SELECT d.project_id, d.source, m.month, 0 AS plan, {_whole("d.amount", 3)} AS paid
            FROM {disbursement} d JOIN pi_month m ON d.period = m.period
            WHERE d.plan_year = %s AND d.amount <> 0 AND EXISTS (
                SELECT 1 FROM {allocation} a
                WHERE a.year = %s AND a.project_id = d.project_id AND a.source = d.source AND a.kind <> %s
            )
        ) cells
        GROUP BY project_id, source, month
        """,
        [year, AllocationKind.CARRYOVER, *CapitalSource.values, year, year, AllocationKind.CARRYOVER],
    )
    _analyze(cursor, "pi_cell")


def clearance_fill(cursor: Any, *, year: int) -> None:
    """``pi_clear``: for each month, the latest site clearance of each project and commune by then."""
    clearance = _table(SiteClearance)
    cursor.execute(
        f"""
        INSERT INTO pi_clear
        SELECT s.project_id, s.org_unit_id, m.month, m.segment, {_whole("s.area_total", 1)},
               {_whole("s.area_handed_over", 1)}, s.households_total, s.households_paid
        FROM {clearance} s JOIN pi_month m ON s.period <= m.period
        WHERE s.period <= %s AND NOT EXISTS (
            SELECT 1 FROM {clearance} t
            WHERE t.project_id = s.project_id AND t.org_unit_id = s.org_unit_id
              AND t.period > s.period AND t.period <= m.period
        )
        """,
        [f"{year:04d}12"],
    )
    _analyze(cursor, "pi_clear")


def where_fill(cursor: Any) -> None:
    """``pi_where``: where each project of the cells or of site clearance lies in each segment, as
    ``Places`` says — its communes' provinces, else its investor's, else the catalogue's one
    province; the first unit standing for its investor; every unit standing for its communes."""
    project, location = _table(Project), _table(ProjectLocation)
    wanted = "(SELECT project_id FROM pi_cell UNION SELECT project_id FROM pi_clear)"
    placed = """NOT EXISTS (
        SELECT 1 FROM pi_where w WHERE w.project_id = {project} AND w.segment = {segment} AND w.kind = 'P'
    )"""
    cursor.execute(
        f"""
        INSERT INTO pi_where (project_id, segment, kind, unit_id)
        SELECT DISTINCT l.project_id, pl.segment, 'C', pl.target_id
        FROM {location} l JOIN pi_place pl ON pl.unit_id = l.org_unit_id
        WHERE l.project_id IN {wanted}
        """
    )
    cursor.execute(
        f"""
        INSERT INTO pi_where (project_id, segment, kind, unit_id)
        SELECT p.id, pl.segment, 'I', pl.target_id
        FROM {project} p JOIN pi_place pl ON pl.unit_id = p.investor_id AND pl.position = 0
        WHERE p.id IN {wanted}
        """
    )
    cursor.execute(
        f"""
        INSERT INTO pi_where (project_id, segment, kind, unit_id)
        SELECT DISTINCT l.project_id, pl.segment, 'P', pl.province_id
        FROM {location} l JOIN pi_place pl ON pl.unit_id = l.org_unit_id
        WHERE pl.province_id IS NOT NULL AND l.project_id IN {wanted}
        """
    )
    cursor.execute(
        f"""
        INSERT INTO pi_where (project_id, segment, kind, unit_id)
        SELECT DISTINCT p.id, pl.segment, 'P', pl.province_id
        FROM {project} p JOIN pi_place pl ON pl.unit_id = p.investor_id
        WHERE pl.province_id IS NOT NULL AND p.id IN {wanted}
          AND {placed.format(project="p.id", segment="pl.segment")}
        """
    )
    cursor.execute(
        f"""
        INSERT INTO pi_where (project_id, segment, kind, unit_id)
        SELECT p.id, pl.segment, 'P', pl.province_id
        FROM {project} p CROSS JOIN pi_place pl
        WHERE pl.position = -1 AND p.id IN {wanted}
          AND {placed.format(project="p.id", segment="pl.segment")}
        """
    )
    _analyze(cursor, "pi_where")


def capital_sums(cursor: Any) -> Capital:
    """The year's plans, disbursement and projects behind, summed by place (``pi_cell``, ``pi_where``)."""
    project, group = _table(Project), _column("group")
    cursor.execute(
        f"""
        SELECT w.unit_id, c.month, c.source, p.{group}, SUM(c.plan), SUM(c.paid)
        FROM pi_cell c
        JOIN pi_month m ON m.month = c.month
        JOIN pi_where w ON w.project_id = c.project_id AND w.segment = m.segment AND w.kind = 'P'
        JOIN {project} p ON p.id = c.project_id
        GROUP BY w.unit_id, c.month, c.source, p.{group}
        """
    )
    provinces = {
        (unit, month, source, grp): (_decimal(plan, 3), _decimal(paid, 3))
        for unit, month, source, grp, plan, paid in cursor.fetchall()
    }
    cursor.execute(
        """
        SELECT w.kind, w.unit_id, c.month, SUM(c.plan), SUM(c.paid)
        FROM pi_cell c
        JOIN pi_month m ON m.month = c.month
        JOIN pi_where w ON w.project_id = c.project_id AND w.segment = m.segment AND w.kind IN ('I', 'C')
        GROUP BY w.kind, w.unit_id, c.month
        """
    )
    units = {
        (kind, unit, month): (_decimal(plan, 3), _decimal(paid, 3))
        for kind, unit, month, plan, paid in cursor.fetchall()
    }
    # Behind: disbursed × 100 below the plan × the share required (a fraction num/den), the plan above 0.
    cursor.execute(
        """
        SELECT w.kind, w.unit_id, t.month,
               SUM(CASE WHEN t.plan > 0 AND t.paid * 100 * m.required_den < t.plan * m.required_num
                        THEN 1 ELSE 0 END)
        FROM (
            SELECT project_id, month, plan, SUM(paid) OVER (PARTITION BY project_id ORDER BY month) AS paid
            FROM (SELECT project_id, month, SUM(plan) AS plan, SUM(paid) AS paid
                  FROM pi_cell GROUP BY project_id, month) months
        ) t
        JOIN pi_month m ON m.month = t.month
        JOIN pi_where w ON w.project_id = t.project_id AND w.segment = m.segment AND w.kind IN ('P', 'I')
        GROUP BY w.kind, w.unit_id, t.month
        """
    )
    behind = {(kind, unit, month): int(count) for kind, unit, month, count in cursor.fetchall()}
    return Capital(provinces=provinces, units=units, behind=behind)


def clearance_sums(cursor: Any) -> Clearance:
    """Site clearance as at each month's end, by the communes standing for each commune recorded
    and by their provinces (else the project's)."""
    totals = "SUM(c.area), SUM(c.area_done), SUM(c.households), SUM(c.households_paid)"
    cursor.execute(
        f"""
        SELECT pl.target_id, c.month, {totals}
        FROM pi_clear c JOIN pi_place pl ON pl.unit_id = c.org_unit_id AND pl.segment = c.segment
        GROUP BY pl.target_id, c.month
        """
    )
    communes = {(unit, month): _clearance_values(values) for unit, month, *values in cursor.fetchall()}
    cursor.execute(
        f"""
        SELECT r.province_id, c.month, {totals}
        FROM pi_clear c JOIN (
            SELECT DISTINCT k.project_id, k.org_unit_id, k.segment, pl.province_id
            FROM pi_clear k JOIN pi_place pl ON pl.unit_id = k.org_unit_id AND pl.segment = k.segment
            WHERE pl.province_id IS NOT NULL
            UNION
            SELECT k.project_id, k.org_unit_id, k.segment, w.unit_id
            FROM pi_clear k JOIN pi_where w ON w.project_id = k.project_id AND w.segment = k.segment AND w.kind = 'P'
            WHERE NOT EXISTS (
                SELECT 1 FROM pi_place pl
                WHERE pl.unit_id = k.org_unit_id AND pl.segment = k.segment AND pl.province_id IS NOT NULL
            )
        ) r ON r.project_id = c.project_id AND r.org_unit_id = c.org_unit_id AND r.segment = c.segment
        GROUP BY r.province_id, c.month
        """
    )
    provinces = {(unit, month): _clearance_values(values) for unit, month, *values in cursor.fetchall()}
    return Clearance(communes=communes, provinces=provinces)


def _clearance_values(values: Sequence[Any]) -> tuple[Decimal, Decimal, int, int]:
    area, done, households, paid = values
    return _decimal(area, 1), _decimal(done, 1), int(households or 0), int(paid or 0)


def year_sums(
    cursor: Any, *, places: Places, year: int, months: Sequence[Month], units: Iterable[int]
) -> tuple[Capital, Clearance]:
    """The capital and site-clearance sums of ``year``'s ``months``."""
    year_prepare(cursor, places=places, year=year, months=months, units=units)
    cells_fill(cursor, year=year)
    clearance_fill(cursor, year=year)
    where_fill(cursor)
    return capital_sums(cursor), clearance_sums(cursor)
