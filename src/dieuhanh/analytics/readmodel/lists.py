"""The lists every surface shares: the plan indicators, the table of all indicators, a unit's
scorecard, and what is off track or at risk below a unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _

from dieuhanh.analytics.engine import Basis
from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.book import Figure, FigureBook, periods_needed
from dieuhanh.analytics.readmodel.periods import ReportPeriod
from dieuhanh.analytics.readmodel.scope import SHOWN_UNIT_FIELDS
from dieuhanh.indicators.models import Indicator, Sector, Target
from dieuhanh.indicators.periods import PeriodType
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.orgunits.selectors import began_after, map_day, predecessors_on
from dieuhanh.orgunits.tree import in_subtrees, path_ids

# The order in which a summary counts statuses: verdicts first, then what cannot be judged.
SUMMARY_ORDER = ("on_track", "at_risk", "off_track", "partial", "", "no_target")


@dataclass(frozen=True)
class StatusCount:
    status: str  # "none" for a plan without figures yet
    label: str
    count: int


@dataclass(frozen=True)
class StatusSummary:
    """How many figures are in each status, as shown: the counts add up to ``total``."""

    total: int
    items: list[StatusCount]


def status_summary(figures: Sequence[Figure]) -> StatusSummary:
    """Count ``figures`` by the status they show (``Figure.status``), every figure once."""
    counts = Counter(f.status for f in figures)
    items = [
        StatusCount(
            # A plan without a figure yet shows no status: "none".
            status=status or "none",
            label=writing.status_label(status) if status else str(_("No figure yet")),
            count=counts[status],
        )
        for status in SUMMARY_ORDER
        if counts[status]
    ]
    return StatusSummary(total=len(figures), items=items)


def unit_lineage_ids(unit: OrgUnit) -> list[int]:
    """The unit's own id and its ancestors', read from its materialised path (no query)."""
    return path_ids(unit.path) or [unit.pk]


def headline_indicator_ids(*, unit: OrgUnit) -> set[int]:
    """The indicators with an annual plan at the unit or above it, in any year; one query.

    These are the plan indicators (*chỉ tiêu kế hoạch*) the People's Council sets each year:
    what a Vietnamese report leads with. Below the province they are read at the unit, even
    where only the province has a plan for them.
    """
    return set(
        Target.objects.filter(org_unit_id__in=unit_lineage_ids(unit), year_from=F("year_to"))
        .values_list("indicator_id", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class SectorGroup:
    """The rows of one sector; ``sector`` is None for indicators not yet filed under one."""

    sector: Sector | None
    rows: list[Figure]


def overview_table(
    *, indicators: Sequence[Indicator], org_unit: OrgUnit, report: ReportPeriod, book: FigureBook | None = None
) -> list[SectorGroup]:
    """Every indicator's figure at one unit and period, grouped by sector in catalogue order.

    All figures come from one engine, whose cost does not grow in queries with the
    number of indicators or of units below ``org_unit``.
    """
    if book is None:
        book = FigureBook(indicators=indicators, units=[org_unit], periods=periods_needed(indicators, [report]))
    groups: dict[int | None, SectorGroup] = {}
    for indicator in indicators:
        key = indicator.sector_id
        if key not in groups:
            groups[key] = SectorGroup(sector=indicator.sector, rows=[])
        groups[key].rows.append(book.figure(indicator, org_unit.pk, report))
    # Unfiled indicators last, whichever way the database sorts a null sector.
    return [g for k, g in groups.items() if k is not None] + ([groups[None]] if None in groups else [])


def _worst_first(figure: Figure, position: int) -> tuple[int, Decimal, int]:
    """Figures with a gap to the plan, most behind first; then a plan without figures yet; then no plan."""
    gap = figure.gap_pct
    if gap is not None:
        return (0, gap, position)
    if figure.measures.plan is not None:
        return (1, Decimal(0), position)
    return (2, Decimal(0), position)


@dataclass(frozen=True)
class Scorecard:
    """Every indicator at one unit, worst gap to the plan first, and how many are in each status."""

    figures: list[Figure]

    @property
    def planned(self) -> list[Figure]:
        """The figures with an annual plan: those a status can judge."""
        return [f for f in self.figures if f.measures.plan is not None]

    @property
    def summary(self) -> StatusSummary:
        """The planned figures by status (the counts add up to the planned figures)."""
        return status_summary(self.planned)


def unit_scorecard(
    *, indicators: Sequence[Indicator], unit: OrgUnit, report: ReportPeriod, basis: Basis = Basis.APPROVED
) -> Scorecard:
    """Every indicator's figure at ``unit``, sorted by the gap between its year-end estimate and its plan.

    One engine over the unit's subtree for all indicators (three queries).
    """
    book = FigureBook(indicators=indicators, units=[unit], periods=periods_needed(indicators, [report]), basis=basis)
    figures = [book.figure(indicator, unit.pk, report) for indicator in indicators]
    order = {id(f): n for n, f in enumerate(figures)}
    figures.sort(key=lambda f: _worst_first(f, order[id(f)]))
    return Scorecard(figures=figures)


@dataclass(frozen=True)
class BehindRow:
    """An indicator at a unit that is off track or at risk."""

    unit: OrgUnit
    figure: Figure


@dataclass(frozen=True)
class PlannedPairs:
    """(indicator, unit) pairs with an annual plan, and those units."""

    pairs: list[tuple[int, int]]
    units: dict[int, OrgUnit]


def planned_pairs(*, indicators: Sequence[Indicator], root: OrgUnit, report: ReportPeriod) -> PlannedPairs:
    """(indicator, unit) pairs at or under ``root`` with an annual plan for the year each indicator is shown for.

    Only these can be off track or at risk: a status needs a plan. The units are those of the map
    of the period's last day (docs/dashboards.md, "The map of a date"): a unit that ended before it
    is not listed, even with a plan for the year; under a unit asked about a period before it began
    (the home province shown re-based), the units it was made of and theirs. Two queries (three
    for a unit shown re-based).
    """
    year_of = {i.pk: report.shown_for(PeriodType(i.period_type)).period.year for i in indicators}
    day = map_day(root, report.end_date)
    roots = [root, *predecessors_on(root, on=day, fields=SHOWN_UNIT_FIELDS)] if began_after(root, day) else [root]
    rows = (
        Target.objects.filter(
            in_subtrees(roots, through="org_unit"),
            indicator_id__in=list(year_of),
            year_from=F("year_to"),
            year_from__in=set(year_of.values()),
        )
        .values_list("indicator_id", "org_unit_id", "year_from")
        .order_by()
    )
    planned = {(i, u) for i, u, year in rows if year_of[i] == year}
    units = OrgUnit.objects.only(*SHOWN_UNIT_FIELDS).in_bulk({u for _i, u in planned} | {root.pk})
    pairs = sorted((i, u) for i, u in planned if u == root.pk or units[u].is_valid_on(day))
    return PlannedPairs(pairs=pairs, units=units)


def offtrack_list(
    *,
    indicators: Sequence[Indicator],
    root: OrgUnit,
    report: ReportPeriod,
    planned: PlannedPairs | None = None,
    book: FigureBook | None = None,
    basis: Basis = Basis.APPROVED,
) -> list[BehindRow]:
    """Every indicator × unit at or under ``root`` that is off track or at risk, most behind its plan first.

    The cost does not grow with indicators × units: only pairs with a plan are computed,
    all from one engine for the units that have plans (pass ``planned`` and a ``book``
    built for its units to share them with other reads), plus the two queries of
    ``planned_pairs``.
    """
    if planned is None:
        planned = planned_pairs(indicators=indicators, root=root, report=report)
    if not planned.pairs:
        return []
    by_id = {i.pk: i for i in indicators}
    if book is None:
        chosen = [by_id[i] for i in sorted({i for i, _u in planned.pairs})]
        book = FigureBook(
            indicators=chosen, units=list(planned.units.values()), periods=periods_needed(chosen, [report]), basis=basis
        )
    figures = [book.figure(by_id[i], u, report) for i, u in planned.pairs]
    behind = [f for f in figures if f.is_behind]
    position = {i.pk: n for n, i in enumerate(indicators)}
    units = planned.units
    behind.sort(
        key=lambda f: (
            f.gap_pct if f.gap_pct is not None else Decimal(0),
            position[f.indicator.pk],
            units[f.org_unit_id].path,
        )
    )
    return [BehindRow(unit=units[f.org_unit_id], figure=f) for f in behind]
