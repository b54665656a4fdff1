"""Figures as every surface shows them: the analytics measures of an indicator at a unit, for
the period a leader chose, with what a reader needs to read them right.

A surface builds one ``FigureBook``: one analytics engine for the units it shows (a fixed
number of queries, whatever the number of indicators, units and periods), then asks it for
every tile, table row, chart point, map colour and report sentence. Every number comes from
``Engine.measures``, the code behind ``/api/v1/analytics``, so a figure on a page equals the
API's answer for the same indicator, unit and period; ``writing`` says how it is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from dieuhanh.analytics.engine import HUNDRED, Basis, Engine, IndicatorSpec, Measures, MissingReason, Status
from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.breaks import Break, series_breaks
from dieuhanh.analytics.readmodel.periods import ReportPeriod, ShownPeriod, first_months_label
from dieuhanh.analytics.readmodel.writing import Change, change_pct
from dieuhanh.analytics.selectors import build_engine, spec_of
from dieuhanh.indicators.choices import Aggregation
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.models import OrgUnit

# Points of a tile's sparkline, by the indicator's period type: two years of months or quarters, four
# years. All lie within the three years before the period that the engine reads anyway.
SPARKLINE_POINTS = {PeriodType.MONTHLY: 24, PeriodType.QUARTERLY: 8, PeriodType.YEARLY: 4}
# Statuses that put a figure on the off-track list.
BEHIND = (Status.OFF_TRACK.value, Status.AT_RISK.value)
# Shown instead of a status judged on figures that not every unit has reported.
PARTIAL = "partial"
# Aggregations whose January-to-date figure differs from the period's own (a stock's, an index's does not).
CUMULATING = (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.RATIO)

# The numbers of a figure that may draw on re-based months: the period's, its comparison (the same
# period a year earlier), the cumulative from January, the cumulative's comparison, the year-end estimate.
REBASED_PARTS = ("value", "previous", "ytd", "previous_ytd", "projection")

__all__ = [
    "Change",
    "Figure",
    "FigureBook",
    "Predecessor",
    "Rebasing",
    "change_pct",
    "rebased_note",
    "unapproved_note",
]


@dataclass(frozen=True)
class Predecessor:
    """A former unit a successor's figure is re-based from, and the share of it that went to the
    successor (None: a part whose share nobody has recorded)."""

    code: str
    name: str
    share: Decimal | None


@dataclass(frozen=True)
class Rebasing:
    """How a figure stands to re-basing (docs/analytics.md, "Re-based values").

    ``parts``: which of its numbers (``REBASED_PARTS``) draw on months before the unit existed,
    re-based from ``composition``; ``missing``: the parts that are missing for a reason
    (a ``MissingReason``), with ``missing_units`` the names of the predecessors of unknown share.
    """

    parts: frozenset[str] = frozenset()
    composition: tuple[Predecessor, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()
    missing_units: tuple[str, ...] = ()


NO_REBASING = Rebasing()


@dataclass(frozen=True)
class Figure:
    """One indicator at one unit: the measures of the period it is shown for, read the one way
    every surface reads them.

    ``previous_ytd``: January to the same period a year earlier (the cumulative's comparison);
    None when it was not asked for.
    """

    indicator: Indicator
    org_unit_id: int
    shown: ShownPeriod
    measures: Measures
    previous_ytd: Decimal | None = None
    rebasing: Rebasing = NO_REBASING

    @property
    def decimals(self) -> int:
        return int(self.indicator.decimals)

    @property
    def rate(self) -> bool:
        """Whether changes are percentage points (a rate, or an indicator in %)."""
        return self.indicator.in_points

    @property
    def direction(self) -> str:
        return str(self.indicator.direction)

    # ---- the period's figure against the same period a year earlier ----

    @property
    def change(self) -> Change:
        """The change on the same period last year: points for a rate, per cent otherwise."""
        m = self.measures
        return writing.change_of(m.value, m.previous, rate=self.rate, places=self.decimals, direction=self.direction)

    @property
    def trend(self) -> str:
        return self.change.trend

    @property
    def tone(self) -> str:
        return self.change.tone

    # ---- January to date (lũy kế) ----

    @property
    def has_cumulative(self) -> bool:
        """Whether the figure's cumulative from January says more than the figure itself: a month,
        quarter or second half of a flow, not a period that already starts in January."""
        shown = self.shown
        if shown.cumulative or shown.period.first_month == 1:
            return False
        return self.indicator.aggregation in CUMULATING

    @property
    def cumulative_label(self) -> str:
        """Lũy kế 12 tháng / 9 tháng đầu năm 2023: January to the end of the period shown."""
        return first_months_label(self.shown.period.year, self.shown.period.last_month)

    @property
    def ytd_change(self) -> Change:
        m = self.measures
        return writing.change_of(
            m.ytd, self.previous_ytd, rate=self.rate, places=self.decimals, direction=self.direction
        )

    # ---- against the plan ----

    @property
    def plan_share_shown(self) -> bool:
        """Whether "% of the annual plan" is meaningful: a rate is compared with its plan in points."""
        return not self.rate and self.measures.plan_completion_pct is not None

    @property
    def gap(self) -> Change:
        """How far the year-end estimate is from the plan, negative when behind: points for a rate,
        per cent of the plan otherwise."""
        m = self.measures
        return writing.gap_of(m.projection, m.plan, rate=self.rate, places=self.decimals, direction=self.direction)

    @property
    def gap_pct(self) -> Decimal | None:
        """The gap in per cent of the plan whatever the indicator, to order figures by how far behind
        they are (points and per cent cannot be compared)."""
        plan, projection = self.measures.plan, self.measures.projection
        if plan is None or projection is None or plan == 0:
            return None
        gap = (projection - plan) / abs(plan) * HUNDRED
        return -gap if self.direction == "down" else gap

    @property
    def completion_bar(self) -> Decimal | None:
        """The % of plan as the width of a progress bar: 0 to 100."""
        pct = self.measures.plan_completion_pct
        if pct is None or not self.plan_share_shown:
            return None
        return writing.rounded(max(Decimal(0), min(HUNDRED, pct)), 1)

    # ---- completeness ----

    @property
    def is_partial(self) -> bool:
        """Whether the figure of the period is some of the units' only."""
        return self.measures.is_partial

    @property
    def ytd_is_partial(self) -> bool:
        return self.measures.ytd_is_partial

    # ---- approval (docs/analytics.md, "The basis") ----

    @property
    def unapproved(self) -> bool:
        """Whether a number the figure shows (the period's, its comparison, the cumulative from
        January where it is shown) rests on at least one figure awaiting approval: only ever on the
        ``submitted`` basis."""
        m = self.measures
        return m.unapproved or m.previous_unapproved or (self.has_cumulative and m.ytd_unapproved)

    @property
    def reported_text(self) -> str:
        """ "1/9" for a partial figure (units reported / expected); empty for a whole one, and for
        no figure at all (its dash says so)."""
        m = self.measures
        return f"{m.reported}/{m.expected}" if self.is_partial and m.value is not None else ""

    @property
    def ytd_reported_text(self) -> str:
        m = self.measures
        return f"{m.ytd_reported}/{m.ytd_expected}" if self.ytd_is_partial and m.ytd is not None else ""

    # ---- status ----

    @property
    def status(self) -> str:
        """The status as shown: the contract's, except that a status judged on a cumulative that
        too few of the units expected to report it have (below ``DIEUHANH_COMPLETE_SHARE``, all of
        them by default) is not a verdict on the unit: ``partial``. Empty: none."""
        status = self.measures.status or ""
        m = self.measures
        if (
            status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
            and m.ytd_reported is not None
            and m.ytd_expected is not None
            and m.ytd_reported < Decimal(str(settings.DIEUHANH_COMPLETE_SHARE)) * m.ytd_expected
        ):
            return PARTIAL
        return status

    @property
    def status_label(self) -> str:
        return writing.status_label(self.status)

    @property
    def has_figures(self) -> bool:
        """Whether the unit has any figure for the period or the same period last year."""
        m = self.measures
        return any(v is not None for v in (m.value, m.previous, m.ytd))

    @property
    def is_behind(self) -> bool:
        return self.status in BEHIND

    # ---- re-based figures ----

    @property
    def rebased(self) -> bool:
        """Whether any number of the figure is re-based from the unit's predecessors."""
        return any(self.is_rebased(p) for p in self.rebasing.parts)

    def is_rebased(self, part: str) -> bool:
        """Whether one of the figure's numbers (``REBASED_PARTS``) is re-based: it stands, and draws
        on months before the unit existed (a missing one says why instead: ``missing_reason``)."""
        return part in self.rebasing.parts and self.part_value(part) is not None

    @property
    def previous_rebased(self) -> bool:
        """Whether the figure's comparison (the same period, or January to it, a year earlier) is re-based."""
        return self.is_rebased("previous") or (self.has_cumulative and self.is_rebased("previous_ytd"))

    @property
    def composition_text(self) -> str:
        """ "Quy đổi theo địa giới hành chính mới từ: Phường A (toàn bộ), Phường B (60 %)"."""
        return writing.composition_text([(p.name, p.share) for p in self.rebasing.composition])

    @property
    def composition_list(self) -> str:
        """ "Phường A (toàn bộ), Phường B (60 %)": the predecessors and their shares alone."""
        return writing.composition_list([(p.name, p.share) for p in self.rebasing.composition])

    def rebased_parts_text(self, parts: Sequence[str] = REBASED_PARTS) -> str:
        """Which of ``parts`` are re-based, in words: "cùng kỳ, dự báo cả năm"."""
        return writing.rebased_parts_text([p for p in parts if self.is_rebased(p)])

    def missing_texts(self, parts: Sequence[str] = REBASED_PARTS) -> str:
        """Why any of ``parts`` is missing, each reason once."""
        texts = dict.fromkeys(t for p in parts if (t := self.missing_text(p)))
        return " ".join(texts)

    def part_value(self, part: str) -> Decimal | None:
        m = self.measures
        if part == "previous_ytd":
            return self.previous_ytd
        return cast(Decimal | None, getattr(m, part))

    def missing_reason(self, part: str) -> str | None:
        """Why one of the figure's numbers is missing (a ``MissingReason``); None when it is not
        missing, or missing as any figure is (nothing reported)."""
        if self.part_value(part) is not None:
            return None
        return dict(self.rebasing.missing).get(part)

    def missing_short(self, part: str) -> str:
        """ "chưa rõ tỷ lệ của Phường E" in place of a missing number's bare dash; empty otherwise."""
        return writing.missing_reason_short(self.missing_reason(part), self.rebasing.missing_units)

    def missing_text(self, part: str) -> str:
        return writing.missing_reason_text(self.missing_reason(part), self.rebasing.missing_units)

    def rebased_title(self, part: str) -> str:
        """What a re-based number was computed from, and, where some of its months could not be
        re-based (a share unknown), why they are missing: the tooltip of its mark."""
        title = self.composition_text
        reason = dict(self.rebasing.missing).get(part)
        if reason is not None:
            title += ". " + writing.missing_reason_text(reason, self.rebasing.missing_units)
        return title

    def note(self, part: str) -> str:
        """What a reader is told about one number: what it was re-based from, or why it is missing."""
        return self.rebased_title(part) if self.is_rebased(part) else self.missing_text(part)


def periods_needed(indicators: Iterable[Indicator], reports: Iterable[ReportPeriod]) -> list[Period]:
    """The periods an engine must cover to answer ``reports`` for ``indicators`` (data window and plan years)."""
    types = {PeriodType(i.period_type) for i in indicators}
    needed: set[Period] = set()
    for report in reports:
        needed.add(report.period)
        needed.update(report.shown_for(t).period for t in types)
    return sorted(needed)


def periods_behind(shown: ShownPeriod, period_type: PeriodType) -> list[Period]:
    """The indicator's own periods that make up a shown figure (January to it when cumulative)."""
    return shown.period.year_to_date(period_type) if shown.cumulative else shown.period.sub_periods(period_type)


def _for_each_type(
    indicators: Iterable[Indicator], report: ReportPeriod, periods_of: Callable[[ShownPeriod, PeriodType], list[Period]]
) -> list[Period]:
    needed: set[Period] = set()
    for period_type in {PeriodType(i.period_type) for i in indicators}:
        needed.update(periods_of(report.shown_for(period_type), period_type))
    return sorted(needed)


def subperiods_needed(indicators: Iterable[Indicator], report: ReportPeriod) -> list[Period]:
    """The periods behind ``report``'s figures of ``indicators``, for ``FigureBook(value_periods=…)``."""
    return _for_each_type(indicators, report, periods_behind)


def sparklines_needed(indicators: Iterable[Indicator], report: ReportPeriod) -> list[Period]:
    """The periods of the sparklines of ``indicators`` for ``report``, for ``FigureBook(value_periods=…)``."""
    return _for_each_type(indicators, report, sparkline_periods)


def sparkline_periods(shown: ShownPeriod, period_type: PeriodType) -> list[Period]:
    """The periods of an indicator's sparkline: its own periods up to the end of the one shown."""
    return shown.period.sub_periods(period_type)[-1].last_n(SPARKLINE_POINTS[period_type])


class FigureBook:
    """One analytics engine for ``units``, read as dashboard figures.

    As with ``analytics_measures``, only the units passed in can be asked about (their
    subtrees are read to aggregate them, but a child must be listed to get its own figure).
    """

    def __init__(
        self,
        *,
        indicators: Sequence[Indicator],
        units: Sequence[OrgUnit],
        periods: Sequence[Period],
        value_periods: Sequence[Period] = (),
        basis: Basis = Basis.APPROVED,
    ) -> None:
        cache: dict[int, IndicatorSpec] = {}
        self.specs = {i.pk: spec_of(i, cache) for i in indicators}
        # Which figures count (``Basis``): approved ones, or those awaiting approval too.
        self.basis = Basis(basis)
        self.engine: Engine | None = None
        self._predecessor_names: dict[int, tuple[str, str]] | None = None
        if self.specs and units and periods:
            self.engine = build_engine(
                specs=list(self.specs.values()),
                units=units,
                periods=periods,
                value_periods=value_periods,
                basis=self.basis,
            )

    def _names(self) -> dict[int, tuple[str, str]]:
        """The code and name (in the active language) of every predecessor the engine re-bases
        from: one query, the first time a re-based figure is read."""
        if self._predecessor_names is None:
            ids: set[int] = set()
            if self.engine is not None:
                for series in self.engine.series.values():
                    for links in series.predecessors.values():
                        ids.update(p for p, _share in links)
            english = (translation.get_language() or "").startswith("en")
            self._predecessor_names = {
                pk: (code, (name_en if english and name_en else name))
                for pk, code, name, name_en in OrgUnit.objects.filter(pk__in=ids)
                .order_by()
                .values_list("pk", "code", "name", "name_en")
            }
        return self._predecessor_names

    def rebasing(self, indicator: Indicator, unit_id: int, shown: ShownPeriod) -> Rebasing:
        """Which numbers of a shown figure are re-based, from what, and why one is missing."""
        engine = self.engine
        if engine is None or unit_id not in engine.unit_codes:
            return NO_REBASING
        spec = self.specs[indicator.pk]
        predecessors = engine.predecessors_of(spec, unit_id)
        if not predecessors:
            return NO_REBASING
        period, earlier = shown.period, shown.period.shift_years(-1)
        asked = {
            "value": (period, "ytd" if shown.cumulative else "value"),
            "previous": (earlier, "ytd") if shown.cumulative else (period, "previous"),
            "ytd": (period, "ytd"),
            "previous_ytd": (earlier, "ytd"),
            "projection": (period, "projection"),
        }
        parts: set[str] = set()
        missing: list[tuple[str, str]] = []
        unknown: set[int] = set()
        for part, (when, name) in asked.items():
            drawn, shares_unknown, not_rebased = engine.measure_rebasing(spec, unit_id, when, name)
            if drawn:
                parts.add(part)
            if shares_unknown:
                missing.append((part, MissingReason.SHARE_UNKNOWN.value))
                unknown |= shares_unknown
            elif not_rebased:
                missing.append((part, MissingReason.NOT_REBASED.value))
        if not parts and not missing:
            return NO_REBASING
        names = self._names()

        def name_of(pk: int) -> str:
            return names.get(pk, (engine.code_of(pk), engine.code_of(pk)))[1]

        return Rebasing(
            parts=frozenset(parts),
            composition=tuple(
                Predecessor(code=names.get(pk, (engine.code_of(pk), ""))[0], name=name_of(pk), share=share)
                for pk, share in predecessors
            ),
            missing=tuple(missing),
            missing_units=tuple(sorted(name_of(pk) for pk in unknown)),
        )

    def measures(self, indicator: Indicator, unit_id: int, period: Period) -> Measures:
        """The contract's eight measures, exactly as ``/api/v1/analytics`` gives them."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return Measures(indicator=indicator.code, org_unit="", period=period.code, basis=self.basis.value)
        return self.engine.measures(self.specs[indicator.pk], unit_id, period)

    def figure(self, indicator: Indicator, unit_id: int, report: ReportPeriod) -> Figure:
        """The figure a surface shows for ``report``: see ``ReportPeriod.shown_for``.

        A cumulative figure (nine months) is the ``ytd`` of the period it ends with, against
        the ``ytd`` of the same period a year earlier.
        """
        shown = report.shown_for(PeriodType(indicator.period_type))
        measures = self.measures(indicator, unit_id, shown.period)
        # January to the same period a year earlier: a range the projection reads anyway.
        earlier = self.measure(indicator, unit_id, shown.period.shift_years(-1), "ytd")
        if shown.cumulative:
            rate = indicator.in_points
            measures = replace(
                measures,
                value=measures.ytd,
                previous=earlier,
                yoy_pct=change_pct(measures.ytd, earlier),
                yoy_pp=measures.ytd - earlier if rate and measures.ytd is not None and earlier is not None else None,
                reported=measures.ytd_reported,
                expected=measures.ytd_expected,
                unapproved=measures.ytd_unapproved,
                previous_unapproved=self.is_unapproved(indicator, unit_id, shown.period.shift_years(-1), "ytd"),
            )
        return Figure(
            indicator=indicator,
            org_unit_id=unit_id,
            shown=shown,
            measures=measures,
            previous_ytd=earlier,
            rebasing=self.rebasing(indicator, unit_id, shown),
        )

    def measure(self, indicator: Indicator, unit_id: int, period: Period, name: str) -> Decimal | None:
        """One of the eight measures alone (it reads less than all eight: see ``Engine.measure``)."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return None
        return self.engine.measure(self.specs[indicator.pk], unit_id, period, name)

    def values(self, indicator: Indicator, unit_id: int, periods: Sequence[Period]) -> list[Decimal | None]:
        """The indicator's value at the unit in each of ``periods`` (the value alone: see ``value_periods``)."""
        return [self.measure(indicator, unit_id, p, "value") for p in periods]

    def is_rebased(self, indicator: Indicator, unit_id: int, period: Period, name: str) -> bool:
        """Whether one measure of a period at the unit stands on re-based months (a chart's point)."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return False
        spec = self.specs[indicator.pk]
        if self.engine.measure(spec, unit_id, period, name) is None:
            return False
        return self.engine.measure_rebasing(spec, unit_id, period, name)[0]

    def is_unapproved(self, indicator: Indicator, unit_id: int, period: Period, name: str) -> bool:
        """Whether one measure of a period at the unit rests on a figure awaiting approval."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return False
        return self.engine.measure_unapproved(self.specs[indicator.pk], unit_id, period, name)

    def began(self, indicator: Indicator, unit_id: int) -> dt.date | None:
        """The day a successor began (its map changed then, and its figures before it are re-based);
        None for a unit that is no successor. Read from the engine: no query."""
        if self.engine is None or unit_id not in self.engine.unit_codes:
            return None
        series = self.engine.series[_first_stored(self.specs[indicator.pk]).id]
        if series.start_of(unit_id) is None:
            return None
        return series.validity.get(unit_id, (None, None))[0]

    def sparkline_breaks(self, figure: Figure) -> list[Break]:
        """Where a figure's sparkline crosses the day its unit began (a successor's)."""
        began = self.began(figure.indicator, figure.org_unit_id)
        if began is None:
            return []
        periods = sparkline_periods(figure.shown, PeriodType(figure.indicator.period_type))
        return series_breaks(days=[began], periods=periods)

    def sparkline(self, figure: Figure) -> list[Decimal | None]:
        """A figure's recent history, for its tile."""
        period_type = PeriodType(figure.indicator.period_type)
        return self.values(figure.indicator, figure.org_unit_id, sparkline_periods(figure.shown, period_type))

    def reported(self, indicator: Indicator, unit_id: int, shown: ShownPeriod) -> list[tuple[Period, bool]]:
        """Each sub-period behind a shown figure, and whether the unit has a figure for it.

        The book's engine must have been told of the sub-periods (``subperiods_needed``).
        """
        subs = periods_behind(shown, PeriodType(indicator.period_type))
        return [(p, v is not None) for p, v in zip(subs, self.values(indicator, unit_id, subs), strict=True)]


def rebased_note(figures: Iterable[Figure]) -> str:
    """The note under a table or a group of tiles that shows re-based figures: "Số liệu cùng kỳ quy
    đổi theo địa giới hành chính mới." where a comparison is re-based, and what the mark means
    where a figure of the period is; empty where none is."""
    shown = [f for f in figures if f.rebased]
    notes = []
    if any(f.previous_rebased for f in shown):
        notes.append(str(writing.REBASED_PREVIOUS_NOTE))
    if any(f.is_rebased("value") or f.is_rebased("ytd") or f.is_rebased("projection") for f in shown):
        notes.append(str(writing.REBASED_NOTE))
    return " ".join(notes)


def _first_stored(spec: IndicatorSpec) -> IndicatorSpec:
    """The first stored indicator behind a spec (a ratio's numerator, through ratios)."""
    while spec.aggregation == "ratio":
        spec = spec.operands()[0]
    return spec


def unapproved_note(figures: Iterable[Figure]) -> str:
    """The note under a table or a group of tiles on the ``submitted`` basis where a figure rests on
    figures awaiting approval: what the mark beside them means; empty where none does."""
    if any(f.unapproved for f in figures):
        return gettext("Marked figures include figures awaiting approval; they may still change.")
    return ""
