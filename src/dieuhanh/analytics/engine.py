"""The analytics contract (docs/analytics.md), computed in memory over loaded values.

Pure computation: no database here. ``selectors.py`` loads the stored values of a
subtree and a time window, and this module turns them into the eight measures a
Vietnamese report states. Numbers are ``Decimal`` throughout so that a sum of
official figures is exact.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import cast

from django.utils.translation import gettext

from dieuhanh.indicators.periods import Period, PeriodType

HUNDRED = Decimal(100)
AT_RISK_TOLERANCE = Decimal("0.05")
PROJECTION_YEARS = 3


class MissingReason(StrEnum):
    """Why a re-based figure is missing (``Measures.missing_reason``)."""

    # A predecessor merged in part has no share recorded: the figure is not guessed.
    SHARE_UNKNOWN = "share_unknown"
    # The indicator cannot be re-based (aggregation ``none``: an index is not carried to a new map).
    NOT_REBASED = "not_rebased"


class Basis(StrEnum):
    """Which stored figures an answer counts (docs/analytics.md, "The basis"): ``approved`` ones
    only (the default, and all the public and the wall ever see), or those ``submitted`` and
    awaiting approval too. Drafts never count."""

    APPROVED = "approved"
    SUBMITTED = "submitted"


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class IndicatorSpec:
    """What the engine needs to know of an indicator."""

    id: int
    code: str
    period_type: PeriodType
    aggregation: str
    direction: str = "up"
    numerator: IndicatorSpec | None = None
    denominator: IndicatorSpec | None = None
    factor: Decimal = Decimal(1)
    # Compared in percentage points (``yoy_pp``, ``plan_gap_pp``), never as a relative change.
    is_rate: bool = False
    # The kind of unit that reports the indicator (completeness counts those units); empty: the
    # direct children of the unit asked about.
    collected_at: str = ""

    def operands(self) -> tuple[IndicatorSpec, IndicatorSpec]:
        """Numerator and denominator of a ratio."""
        if self.numerator is None or self.denominator is None:
            raise ValueError(f"Ratio indicator {self.code} lacks an operand")
        return self.numerator, self.denominator


@dataclass(frozen=True)
class Measures:
    """The measures of one indicator × unit × period (docs/analytics.md), and its completeness.

    ``reported`` / ``expected``: of the units expected to report the indicator for the period
    (the units of its collection level at or under the unit, valid during the period), how
    many have a figure for every sub-period of it; ``ytd_reported`` / ``ytd_expected`` the same
    from January. None where completeness does not apply (no unit is expected to report).
    """

    indicator: str
    org_unit: str
    period: str
    value: Decimal | None = None
    previous: Decimal | None = None
    yoy_pct: Decimal | None = None
    ytd: Decimal | None = None
    plan: Decimal | None = None
    plan_completion_pct: Decimal | None = None
    projection: Decimal | None = None
    status: str | None = None
    yoy_pp: Decimal | None = None
    plan_gap_pp: Decimal | None = None
    reported: int | None = None
    expected: int | None = None
    ytd_reported: int | None = None
    ytd_expected: int | None = None
    # Whether value, previous, ytd or projection draws on sub-periods before the unit existed,
    # re-based from its predecessors (docs/analytics.md, "Re-based values"), and which: each
    # predecessor's code with its share (None: a part whose share is not known).
    rebased: bool = False
    composition: tuple[tuple[str, Decimal | None], ...] = ()
    # Why a re-based figure is missing (a ``MissingReason``), and the predecessors it concerns.
    missing_reason: str | None = None
    missing_units: tuple[str, ...] = ()
    # The basis the measures were computed on (a ``Basis``), and, on the ``submitted`` basis,
    # whether the value, the previous value and the cumulative from January rest on at least one
    # figure that awaits approval (always False on the ``approved`` basis).
    basis: str = Basis.APPROVED.value
    unapproved: bool = False
    previous_unapproved: bool = False
    ytd_unapproved: bool = False

    MEASURE_NAMES = (
        "value",
        "previous",
        "yoy_pct",
        "yoy_pp",
        "ytd",
        "plan",
        "plan_completion_pct",
        "plan_gap_pp",
        "projection",
        "status",
    )
    COMPLETENESS_NAMES = ("reported", "expected", "ytd_reported", "ytd_expected")
    UNAPPROVED_NAMES = ("unapproved", "previous_unapproved", "ytd_unapproved")

    @property
    def is_partial(self) -> bool:
        """Whether fewer units reported the period's figure than are expected to."""
        return self.reported is not None and self.expected is not None and self.reported < self.expected

    @property
    def ytd_is_partial(self) -> bool:
        return self.ytd_reported is not None and self.ytd_expected is not None and self.ytd_reported < self.ytd_expected

    @property
    def missing_text(self) -> str:
        """Why a re-based figure is missing, for a reader; empty when nothing is missing for a reason."""
        units = ", ".join(self.missing_units)
        if self.missing_reason == MissingReason.SHARE_UNKNOWN:
            return gettext("Not re-based: the share of %(units)s that went to this unit is not known.") % {
                "units": units
            }
        if self.missing_reason == MissingReason.NOT_REBASED:
            return gettext("Not re-based: this indicator cannot be carried from the former units.")
        return ""


@dataclass
class UnitTree:
    """Parent → children over the loaded units."""

    children: Mapping[int, Sequence[int]]

    def of(self, unit_id: int) -> Sequence[int]:
        return self.children.get(unit_id, ())


_NO_FIGURES: Mapping[int, Decimal] = {}
_UNKNOWN = object()  # not computed yet (None is a result: no figure)


class RangeNotLoadedError(LookupError):
    """An engine was asked about a period it was not built for (a programming error, not a user's)."""


class PredecessorsNotReadError(LookupError):
    """An engine was asked what a successor was re-based from, and was built without reading it
    (``build_engine(composition=False)``: a programming error, not a user's)."""


RollupKey = tuple[int, int, int]  # (unit, first ordinal, last ordinal)
# A successor's predecessor: (unit id, effective share: 1 for a whole merge, None for a part of unknown share).
Predecessor = tuple[int, Decimal | None]
# A unit's validity interval (valid from, valid to), either end open.
Validity = tuple[dt.date | None, dt.date | None]
# (value, sub-periods that had a figure, units of the collection level below with every sub-period,
# sub-periods before the unit began — a successor — that had its own figure: the others are re-based)
RollupValue = tuple[Decimal, int, int, int]
# How many units of a kind ("" for the direct children) are at or under a unit during [start, end].
ExpectedUnits = Callable[[str, int, dt.date, dt.date], int]


@dataclass
class Series:
    """Stored values of one (non-ratio) indicator over a subtree: unit → ordinal → value.

    Units in ``rolled`` are not computed here: their values come from ``rollups``,
    pre-computed by this same code (see ``rollup_rows``), so either way gives
    exactly the same numbers.

    Units through time (docs/analytics.md, "Re-based values"): a unit has no figure after its
    ``validity`` ends; a successor (a unit in ``predecessors`` with a start) is, before it
    began, re-based from its predecessors, and its parent does not count it before then (its
    predecessors are counted where they stand in the tree).
    """

    spec: IndicatorSpec
    own: Mapping[int, Mapping[int, Decimal]]
    tree: UnitTree
    rollups: Mapping[RollupKey, RollupValue] = field(default_factory=dict)
    rolled: frozenset[int] = frozenset()
    # Unit kinds, for completeness (the units at the spec's collection level count as reporters).
    kinds: Mapping[int, str] = field(default_factory=dict)
    # The (first, last) ranges whose rollups were read; None: all of them. A range outside it
    # was never read, so its absence from ``rollups`` says nothing: asking for it is a bug.
    loaded: frozenset[tuple[int, int]] | None = None
    # The runs of sub-periods (first, last) whose own figures were read; None: all of them.
    own_loaded: tuple[tuple[int, int], ...] | None = None
    # Successor → its predecessors (through chains: a predecessor may have its own).
    predecessors: Mapping[int, Sequence[Predecessor]] = field(default_factory=dict)
    # The validity of the units that have one (others have always existed).
    validity: Mapping[int, Validity] = field(default_factory=dict)
    # Successors whose predecessors were not read (a ranking, which shows no composition, reads
    # only which units are successors): their values come from their rollups, and whether one is
    # re-based is said from their start and own figures; what from, or why one is missing, is not.
    unread_predecessors: frozenset[int] = frozenset()
    # Successors with rollups whose own figures before they began were not read (a ranking): whether
    # a range of theirs is re-based is said from their rollups' count of those figures (the fourth
    # of a ``RollupValue``), which ``rollup_rows`` took from the same figures.
    own_counted: frozenset[int] = frozenset()
    _starts: dict[int, int] = field(default_factory=dict, repr=False)
    _ends: dict[int, int] = field(default_factory=dict, repr=False)
    _unknown: dict[tuple[int, int], frozenset[int]] = field(default_factory=dict, repr=False)
    _rebasing: set[tuple[int, int, int]] = field(default_factory=set, repr=False)
    _base: dict[tuple[int, int], Decimal | None] = field(default_factory=dict, repr=False)
    _value: dict[tuple[int, int, int], Decimal | None] = field(default_factory=dict, repr=False)
    _ordinals: dict[int, list[int]] = field(default_factory=dict, repr=False)
    _split: dict[int, tuple[list[tuple[int, int]], list[int]]] = field(default_factory=dict, repr=False)
    _parts: dict[int, list[tuple[int, Mapping[int, Decimal] | None]]] = field(default_factory=dict, repr=False)
    _filled: dict[tuple[int, int, int], int] = field(default_factory=dict, repr=False)
    # The ranges (first, last) already found within ``own_loaded``: a ranking asks each of thousands.
    _read_ranges: set[tuple[int, int]] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        period_type = self.spec.period_type
        for unit_id, (valid_from, valid_to) in self.validity.items():
            if valid_from is not None and (self.predecessors.get(unit_id) or unit_id in self.unread_predecessors):
                # The sub-period the unit began in is its own: re-based are the ones before it.
                self._starts[unit_id] = _ordinal_containing(valid_from, period_type)
            if valid_to is not None:
                self._ends[unit_id] = end = _ordinal_containing(valid_to, period_type)
                figures = self.own.get(unit_id)
                if figures and max(figures) > end:
                    # A unit has no figure after it ended: one stored there is not counted.
                    own = dict(self.own)
                    own[unit_id] = {o: v for o, v in figures.items() if o <= end}
                    self.own = own

    def successors(self, after: int | None = None) -> frozenset[int]:
        """The units re-based before their start (successors with predecessors); with ``after`` (an
        ordinal), those that began after it: the only ones a range from it can be re-based at."""
        return frozenset(u for u, start in self._starts.items() if after is None or start > after)

    def predecessors_of(self, unit_id: int) -> Sequence[Predecessor]:
        """A successor's direct predecessors (id, share); nothing for a unit that is none."""
        if unit_id in self.unread_predecessors:
            raise PredecessorsNotReadError(f"{self.spec.code}: the predecessors of unit {unit_id} were not read")
        return self.predecessors.get(unit_id, ())

    def start_of(self, unit_id: int) -> int | None:
        """The first sub-period of a successor (None for a unit that is not re-based)."""
        return self._starts.get(unit_id)

    def _counted_at(self, unit_id: int, ordinal: int) -> bool:
        """Whether a parent counts the unit for a sub-period: not a successor before it began."""
        start = self._starts.get(unit_id)
        return start is None or ordinal >= start

    def _counts(self, unit_id: int, child: int, last: int) -> bool:
        """Whether completeness at a unit over a range ending at ``last`` counts a child: a successor
        from its start, or before it when the unit itself is re-based then (on the new map)."""
        return self._counted_at(child, last) or not self._counted_at(unit_id, last)

    def _rollup(self, unit_id: int, first: int, last: int) -> RollupValue | None:
        if self.loaded is not None and (first, last) not in self.loaded:
            # Answering None here would show "no data" where there are figures.
            raise RangeNotLoadedError(
                f"{self.spec.code}: sub-periods {first}..{last} were not read; give their period to build_engine"
            )
        return self.rollups.get((unit_id, first, last))

    def base(self, unit_id: int, ordinal: int) -> Decimal | None:
        """A unit's figure for one sub-period: its own if stored, else its children's (sum or mean)."""
        key = (unit_id, ordinal)
        cached = self._base.get(key, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached  # type: ignore[return-value]
        if unit_id in self.rolled:
            rolled = self._rollup(unit_id, ordinal, ordinal)
            return rolled[0] if rolled else None
        own = self.own.get(unit_id)
        result: Decimal | None
        end = self._ends.get(unit_id)
        if end is not None and ordinal > end:
            result = None  # the unit no longer existed
        elif own is not None and ordinal in own:
            result = own[ordinal]  # its own stored figure wins (a published re-based series too)
        elif not self._counted_at(unit_id, ordinal):
            result = self._rebased_base(unit_id, ordinal)
        else:
            parts = []
            for child, figures in self._children_parts(unit_id):
                if figures is None:
                    if not self._counted_at(child, ordinal):
                        continue  # a successor before it began: its predecessors count here
                    value = self.base(child, ordinal)
                else:
                    value = figures.get(ordinal)
                if value is not None:
                    parts.append(value)
            result = _combine(parts, self.spec.aggregation)
        self._base[key] = result
        return result

    def _rebased_base(self, unit_id: int, ordinal: int) -> Decimal | None:
        """A successor's figure for a sub-period before it began, from its predecessors: the sum of
        their figures times their shares (missing if a share is unknown), or the mean of them."""
        average = self.spec.aggregation == "average"
        guard = (unit_id, ordinal, ordinal)
        if guard in self._rebasing or (not average and self.unknown_shares(unit_id, ordinal)):
            return None
        self._rebasing.add(guard)
        try:
            parts = []
            for predecessor, share in self.predecessors_of(unit_id):
                value = self.base(predecessor, ordinal)
                if value is not None:
                    parts.append(value if average else cast(Decimal, share) * value)
        finally:
            self._rebasing.discard(guard)
        return _combine(parts, self.spec.aggregation)

    def unknown_shares(self, unit_id: int, ordinal: int) -> frozenset[int]:
        """The predecessors of unknown share that a successor's re-based figure for a sub-period
        needs, through chains of successions: its figure is missing when there is any."""
        key = (unit_id, ordinal)
        found = self._unknown.get(key)
        if found is None:
            self._unknown[key] = frozenset()  # a cycle of successions ends here
            unknown: set[int] = set()
            for predecessor, share in self.predecessors_of(unit_id):
                if share is None:
                    unknown.add(predecessor)
                if not self._counted_at(predecessor, ordinal):
                    unknown |= self.unknown_shares(predecessor, ordinal)
            found = self._unknown[key] = frozenset(unknown)
        return found

    def _children_parts(self, unit_id: int) -> list[tuple[int, Mapping[int, Decimal] | None]]:
        """The unit's children in order, each with its own figures if it is a leaf (whose base is its
        own figure: read there rather than recursed into) or None: most children of a province are
        leaves, and this runs for every sub-period of every indicator."""
        found = self._parts.get(unit_id)
        if found is None:
            found = self._parts[unit_id] = [
                (
                    child,
                    None
                    if child in self.rolled or self.tree.of(child) or child in self._starts
                    else self.own.get(child, _NO_FIGURES),
                )
                for child in self.tree.of(unit_id)
            ]
        return found

    def value(self, unit_id: int, first: int, last: int) -> Decimal | None:
        """The indicator's value at a unit over the sub-periods ``first..last`` (ordinals, inclusive)."""
        key = (unit_id, first, last)
        cached = self._value.get(key, _UNKNOWN)
        if cached is not _UNKNOWN:
            return cached  # type: ignore[return-value]
        if unit_id in self.rolled:
            rolled = self._rollup(unit_id, first, last)
            return rolled[0] if rolled else None
        if self.own_loaded is not None and (first, last) not in self._read_ranges:
            if not any(a <= first and last <= b for a, b in self.own_loaded):
                # As with rollups: the figures of these sub-periods were never read, not missing.
                raise RangeNotLoadedError(
                    f"{self.spec.code}: figures of sub-periods {first}..{last} were not read; "
                    "give their period and measure to build_engine"
                )
            self._read_ranges.add((first, last))
        aggregation = self.spec.aggregation
        result: Decimal | None
        end = self._ends.get(unit_id)
        before = self._value.get((unit_id, first, last - 1), _UNKNOWN) if aggregation == "sum" else _UNKNOWN
        if end is not None and (first > end or (aggregation == "last" and last > end)):
            # After the unit ended it has no figure; nor has it a stock at the end of a period it
            # did not live to see the end of.
            result = None
        elif before is not _UNKNOWN:
            # The same range one sub-period shorter is known (January to each month, when rollups are
            # made): add the last one to it — the same additions, in the same order, as summing afresh.
            latest = self.base(unit_id, last)
            so_far = cast(Decimal | None, before)
            result = so_far if latest is None else (Decimal(0) if so_far is None else so_far) + latest
        elif aggregation in ("sum", "average"):
            if first == last:  # one sub-period (a ranking of a month: thousands of units)
                only = self.base(unit_id, first)
                parts = [] if only is None else [only]
            else:
                parts = [v for o in range(first, last + 1) if (v := self.base(unit_id, o)) is not None]
            result = _combine(parts, aggregation)
        elif aggregation == "last":
            result = self._latest_own(unit_id, first, last)
            if result is None:
                start = self._starts.get(unit_id)
                if start is not None and last < start:
                    result = self._rebased_stock(unit_id, first, last)
                else:
                    # The units below that exist at the end of the period: a successor from its
                    # start, a unit that ended before then not at all.
                    parts = [
                        v
                        for c in self.tree.of(unit_id)
                        if self._counted_at(c, last)
                        and self._ends.get(c, last) >= last
                        and (v := self.value(c, first, last)) is not None
                    ]
                    result = sum(parts, Decimal(0)) if parts else None
        elif aggregation == "none":
            result = self._latest_own(unit_id, first, last)
        else:  # pragma: no cover - ratios are never a Series
            raise ValueError(f"Series cannot aggregate {aggregation!r}")
        self._value[key] = result
        return result

    def _rebased_stock(self, unit_id: int, first: int, last: int) -> Decimal | None:
        """A successor's stock over a period before it began: Σ share × its predecessors' values."""
        guard = (unit_id, first, last)
        if guard in self._rebasing or self.unknown_shares(unit_id, last):
            return None
        self._rebasing.add(guard)
        try:
            parts = [
                cast(Decimal, share) * value
                for predecessor, share in self.predecessors_of(unit_id)
                if (value := self.value(predecessor, first, last)) is not None
            ]
        finally:
            self._rebasing.discard(guard)
        return sum(parts, Decimal(0)) if parts else None

    def rebasing(
        self, unit_id: int, first: int, last: int, *, reasons: bool = True
    ) -> tuple[bool, frozenset[int], bool]:
        """How the unit's value over ``first..last`` stands to re-basing: whether it draws on
        re-based sub-periods (before the unit began, without its own stored figure), the
        predecessors of unknown share that leave those missing, and whether it is missing because
        the indicator is not re-based. Decided from the successions and the unit's own figures
        alone, so that it is the same whether the value is computed or read from a rollup."""
        start = self._starts.get(unit_id)
        if start is None or first >= start:
            return False, frozenset(), False
        aggregation = self.spec.aggregation
        if unit_id in self.own_counted:
            if reasons:
                # Which months are re-based is not known here, nor, then, whose shares they need.
                raise PredecessorsNotReadError(f"{self.spec.code}: the own figures of unit {unit_id} were not read")
            rebased, not_rebased = self._counted_rebasing(unit_id, first, last, start)
            return rebased, frozenset(), not_rebased
        own = self.own.get(unit_id) or _NO_FIGURES
        if aggregation in ("sum", "average"):
            months = [o for o in range(first, min(last, start - 1) + 1) if o not in own]
            if not months:
                return False, frozenset(), False
            if aggregation == "average" or not reasons:
                return True, frozenset(), False
            return True, frozenset().union(*(self.unknown_shares(unit_id, o) for o in months)), False
        if last >= start or any(first <= o <= last for o in own):
            return False, frozenset(), False
        if aggregation == "last":
            return True, self.unknown_shares(unit_id, last) if reasons else frozenset(), False
        return False, frozenset(), True  # none: not re-based

    def own_before(self, unit_id: int, first: int, last: int) -> int:
        """How many of the sub-periods ``first..last`` before the unit began (a successor) have its
        own stored figure; 0 for a unit that is none, or a range from its start."""
        start = self._starts.get(unit_id)
        if start is None or first >= start:
            return 0
        own = self.own.get(unit_id)
        if not own:
            return 0
        return sum(1 for o in range(first, min(last, start - 1) + 1) if o in own)

    def _counted_rebasing(self, unit_id: int, first: int, last: int, start: int) -> tuple[bool, bool]:
        """``rebasing(…, reasons=False)``'s (re-based, not re-based) of a range that begins before the
        unit did, from its rollup's count of own figures before then (``own_counted``)."""
        rolled = self._rollup(unit_id, first, last)
        return self._counted_flags(rolled[3] if rolled else 0, first, last, start)

    def _counted_flags(self, own: int, first: int, last: int, start: int) -> tuple[bool, bool]:
        """The same, given the count (no rollup: no figure at all, so none of its own)."""
        if self.spec.aggregation in ("sum", "average"):
            return own < min(last, start - 1) - first + 1, False
        if last >= start or own:
            return False, False
        return (True, False) if self.spec.aggregation == "last" else (False, True)

    def rebasing_of_units(self, unit_ids: Sequence[int], ranges: Sequence[tuple[int, int]]) -> list[tuple[bool, bool]]:
        """``rebasing(…, reasons=False)`` of each of ``unit_ids`` (a ranking's thousands) over every
        one of ``ranges``, combined: (whether any draws on re-based sub-periods, whether any is
        missing because the indicator is not re-based). The same rules, in one loop."""
        starts, own, aggregation = self._starts, self.own, self.spec.aggregation
        flows = aggregation in ("sum", "average")
        counted, rollups = self.own_counted, self.rollups
        if counted:
            for first, last in ranges:
                self._rollup(-1, first, last)  # that each range was read: as ``rebasing`` checks for each unit
        out: list[tuple[bool, bool]] = []
        for unit_id in unit_ids:
            start = starts.get(unit_id)
            rebased = not_rebased = False
            if start is not None and unit_id in counted:
                for first, last in ranges:
                    if first < start:
                        found = rollups.get((unit_id, first, last))
                        drawn, not_carried = self._counted_flags(found[3] if found else 0, first, last, start)
                        rebased |= drawn
                        not_rebased |= not_carried
            elif start is not None:
                figures = own.get(unit_id) or _NO_FIGURES
                for first, last in ranges:
                    if first >= start:
                        continue
                    if flows:
                        # A sub-period before the unit began without its own figure is re-based.
                        if not figures or any(o not in figures for o in range(first, min(last, start - 1) + 1)):
                            rebased = True
                    elif last < start and not any(first <= o <= last for o in figures):
                        if aggregation == "last":
                            rebased = True
                        else:
                            not_rebased = True  # none: not re-based
            out.append((rebased, not_rebased))
        return out

    def values_of_units(self, unit_ids: Sequence[int], first: int, last: int) -> list[Decimal | None]:
        """``value`` of each of ``unit_ids`` over ``first..last`` (a ranking's thousands): a unit with
        rollups reads its row, the others are computed."""
        rolled, rollups = self.rolled, self.rollups
        if not rolled.intersection(unit_ids):
            return [self.value(unit_id, first, last) for unit_id in unit_ids]
        self._rollup(-1, first, last)  # that the range was read: as ``value`` checks for each
        out: list[Decimal | None] = []
        for unit_id in unit_ids:
            if unit_id in rolled:
                found = rollups.get((unit_id, first, last))
                out.append(found[0] if found else None)
            else:
                out.append(self.value(unit_id, first, last))
        return out

    def _latest_own(self, unit_id: int, first: int, last: int) -> Decimal | None:
        own = self.own.get(unit_id)
        if not own:
            return None
        for ordinal in range(last, first - 1, -1):
            if ordinal in own:
                return own[ordinal]
        return None

    def filled(self, unit_id: int, first: int, last: int) -> int:
        """How many of the sub-periods ``first..last`` have a figure at the unit."""
        if unit_id in self.rolled:
            rolled = self._rollup(unit_id, first, last)
            return rolled[1] if rolled else 0
        if not self.tree.of(unit_id) and unit_id not in self._starts:
            # A leaf's figure for one sub-period is its own: count its stored sub-periods in the range
            # (completeness asks this for every child and every range of a year, when rollups are made).
            stored = self._stored_ordinals(unit_id)
            return bisect_right(stored, last) - bisect_left(stored, first)
        key = (unit_id, first, last)
        count = self._filled.get(key)
        if count is None:
            before = self._filled.get((unit_id, first, last - 1))
            if before is not None:  # as in value(): the range one sub-period shorter, and the last one
                count = before + (self.value(unit_id, last, last) is not None)
            else:
                count = sum(1 for o in range(first, last + 1) if self.value(unit_id, o, o) is not None)
            self._filled[key] = count
        return count

    def _stored_ordinals(self, unit_id: int) -> list[int]:
        stored = self._ordinals.get(unit_id)
        if stored is None:
            stored = self._ordinals[unit_id] = sorted(self.own.get(unit_id, _NO_FIGURES))
        return stored

    def is_complete(self, unit_id: int, first: int, last: int) -> bool:
        return self.filled(unit_id, first, last) == last - first + 1

    def reported(self, unit_id: int, first: int, last: int) -> int:
        """How many of the units expected to report under ``unit_id`` have a figure for every
        sub-period ``first..last`` (see ``has_reported``): the unit itself if it is of the collection level, else its
        children of that level or, recursively, theirs (its direct children if no level is set)."""
        if unit_id in self.rolled:
            rolled = self._rollup(unit_id, first, last)
            return rolled[2] if rolled else 0
        if self.spec.aggregation == "last" and self._ends.get(unit_id, last) < last:
            return 0  # no stock at the end of a period the unit did not live to see the end of
        level = self.spec.collected_at
        if level and self.kinds.get(unit_id) == level:
            return 1 if self.has_reported(unit_id, first, last) else 0
        children = self.tree.of(unit_id)
        if not children:
            return 1 if not level and self.has_reported(unit_id, first, last) else 0
        if level and any(self.kinds.get(child) != level for child in children):
            return sum(self.reported(child, first, last) for child in children if self._counts(unit_id, child, last))
        return self._children_reported(unit_id, first, last)

    def _children_reported(self, unit_id: int, first: int, last: int) -> int:
        """How many of the unit's children have reported ``first..last`` (``has_reported``, inlined:
        it runs for every child and every range of a year when rollups are made).

        A leaf child's stored sub-periods are a bit mask (bit ``o - base`` for ordinal ``o``), so
        whether it has every one of a range, or any, is a couple of integer operations.
        """
        leaves, others = self._children_split(unit_id)
        stock = self.spec.aggregation == "last"
        full = (1 << (last - first + 1)) - 1
        count = sum(
            1 for child in others if self._counts(unit_id, child, last) and self.has_reported(child, first, last)
        )
        for base, bits in leaves:
            window = (bits >> (first - base) if first >= base else bits << (base - first)) & full
            if window if stock else window == full:
                count += 1
        return count

    def _children_split(self, unit_id: int) -> tuple[list[tuple[int, int]], list[int]]:
        """The unit's leaf children as (base ordinal, bit mask of stored sub-periods), and the others."""
        found = self._split.get(unit_id)
        if found is None:
            stock = self.spec.aggregation == "last"
            leaves: list[tuple[int, int]] = []
            others: list[int] = []
            for child in self.tree.of(unit_id):
                if (
                    child in self.rolled
                    or self.tree.of(child)
                    or child in self._starts
                    or (stock and child in self._ends)
                ):
                    # A successor's figure before it began is re-based, not its stored one.
                    others.append(child)
                else:
                    stored = self._stored_ordinals(child)
                    base = stored[0] if stored else 0
                    leaves.append((base, sum(1 << (o - base) for o in stored)))
            found = self._split[unit_id] = (leaves, others)
        return found

    def own_covers(self, unit_id: int, first: int, last: int) -> bool:
        """Whether the unit's own stored figures alone make its figure over ``first..last`` whole."""
        own = self.own.get(unit_id)
        if not own:
            return False
        if self.spec.aggregation == "last":
            return any(o in own for o in range(first, last + 1))
        return all(o in own for o in range(first, last + 1))

    def has_reported(self, unit_id: int, first: int, last: int) -> bool:
        """Whether a unit's figure over ``first..last`` is whole: a figure for every sub-period,
        or, for a stock (``last``), whose value is its latest figure, any figure in the range."""
        if self.spec.aggregation == "last":
            return self._ends.get(unit_id, last) >= last and self.filled(unit_id, first, last) > 0
        return self.is_complete(unit_id, first, last)


def standard_ranges(period_type: PeriodType, year: int) -> list[tuple[int, int]]:
    """Every range of sub-periods a query can ask for in a year: each period, quarter,
    half-year, the year, and January to each period (lũy kế)."""
    first = Period(year, period_type, 1).ordinal
    count = period_type.per_year
    ranges = {(first + i, first + i) for i in range(count)} | {(first, first + i) for i in range(count)}
    for span in (PeriodType.QUARTERLY, PeriodType.SEMIANNUAL, PeriodType.YEARLY):
        if span.months >= period_type.months:
            width = span.months // period_type.months
            ranges |= {(first + j * width, first + (j + 1) * width - 1) for j in range(count // width)}
    return sorted(ranges)


def needed_ranges(period_type: PeriodType, periods: Sequence[Period], lookback_years: int) -> set[tuple[int, int]]:
    """The ranges of sub-periods ``Engine.measures`` reads for these periods: the period, the same a
    year earlier, January to it, and, for the projection, the same part and the whole of past years."""
    ranges: set[tuple[int, int]] = set()
    for period in periods:
        if period.is_finer_than(period_type):
            continue
        sub = period.sub_periods(period_type)
        for shifted in (0, -1):
            ranges.add((sub[0].shift_years(shifted).ordinal, sub[-1].shift_years(shifted).ordinal))
        january = Period(period.year, period_type, 1).ordinal
        elapsed = sub[-1].ordinal - january + 1
        ranges.add((january, january + elapsed - 1))
        for back in range(1, lookback_years + 1):
            first = january - back * period_type.per_year
            ranges.add((first, first + elapsed - 1))
            ranges.add((first, first + period_type.per_year - 1))
    return ranges


def value_ranges(period_type: PeriodType, periods: Sequence[Period]) -> set[tuple[int, int]]:
    """The ranges of sub-periods that the values alone of these periods read."""
    ranges: set[tuple[int, int]] = set()
    for period in periods:
        if not period.is_finer_than(period_type):
            sub = period.sub_periods(period_type)
            ranges.add((sub[0].ordinal, sub[-1].ordinal))
    return ranges


def rollup_rows(
    series: Series, unit_id: int, year: int, *, since: int | None = None
) -> list[tuple[int, int, Decimal, int, int, int]]:
    """The rollups of a unit for a year: (first, last, value, filled, reported, own figures before
    the unit began) for every standard range with a value; with ``since`` (an ordinal), only the
    ranges that end at or after it."""
    rows = []
    for first, last in standard_ranges(series.spec.period_type, year):
        if since is not None and last < since:
            continue
        value = series.value(unit_id, first, last)
        if value is not None:
            rows.append(
                (
                    first,
                    last,
                    value,
                    series.filled(unit_id, first, last),
                    series.reported(unit_id, first, last),
                    series.own_before(unit_id, first, last),
                )
            )
    return rows


@functools.cache
def _ordinal_containing(day: dt.date, period_type: PeriodType) -> int:
    """The ordinal of the period that ``day`` falls in: thousands of units share a few start dates."""
    return Period.containing(day, period_type).ordinal


def _stored_of(spec: IndicatorSpec) -> list[IndicatorSpec]:
    """The stored indicators a value reads: the indicator, or a ratio's numerator and denominator."""
    if spec.aggregation != "ratio":
        return [spec]
    return [s for operand in spec.operands() for s in _stored_of(operand)]


def _combine(parts: Sequence[Decimal], aggregation: str) -> Decimal | None:
    if not parts:
        return None
    total = sum(parts, Decimal(0))
    return total / len(parts) if aggregation == "average" else total


def _ratio(numerator: Decimal | None, denominator: Decimal | None, factor: Decimal) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return factor * numerator / denominator


class Engine:
    """Computes measures from series of stored indicators and annual targets."""

    def __init__(
        self,
        *,
        series: Mapping[int, Series],
        targets: Mapping[tuple[int, int, int], Decimal],
        unit_codes: Mapping[int, str],
        expected_units: ExpectedUnits | None = None,
        predecessor_codes: Mapping[int, str] | None = None,
        basis: Basis = Basis.APPROVED,
        pending: Mapping[int, Series] | None = None,
    ) -> None:
        self.series = series
        self.basis = basis
        # On the ``submitted`` basis: for each stored indicator, the same series with each figure
        # 1 if it awaits approval and 0 if approved, aggregated by the same code, so that a value
        # above 0 says a figure rests on at least one unapproved figure.
        self.pending = pending or {}
        self.targets = targets
        self.unit_codes = unit_codes
        # The codes of predecessors that are not among the units (for a re-based figure's composition).
        self.predecessor_codes = predecessor_codes or {}
        # None: completeness was not asked for (a ranking); every figure's is then unknown.
        self.expected_units = expected_units
        # A ranking asks the same period of every unit: its sub-periods once, not thousands of times.
        self._sub_periods: dict[tuple[Period, PeriodType, int], list[Period]] = {}
        # The same for the ranges a measure reads, and the stored series behind an indicator.
        self._ranges: dict[tuple[int, Period, str], list[tuple[int, int]]] = {}
        self._stored_series: dict[int, list[Series]] = {}

    def value(self, spec: IndicatorSpec, unit_id: int, periods: Sequence[Period]) -> Decimal | None:
        """Value over a contiguous run of periods of the indicator's own type."""
        first, last = periods[0].ordinal, periods[-1].ordinal
        if spec.aggregation == "ratio":
            numerator, denominator = spec.operands()
            return _ratio(
                self.value(numerator, unit_id, periods), self.value(denominator, unit_id, periods), spec.factor
            )
        return self.series[spec.id].value(unit_id, first, last)

    def unapproved(self, spec: IndicatorSpec, unit_id: int, ranges: Sequence[tuple[int, int]]) -> bool:
        """Whether the indicator's value at the unit over any of these ranges of sub-periods rests
        on at least one figure that awaits approval (only ever on the ``submitted`` basis)."""
        if not self.pending:
            return False
        for stored in _stored_of(spec):
            pending = self.pending.get(stored.id)
            if pending is None:
                continue
            for first, last in ranges:
                awaiting = pending.value(unit_id, first, last)
                if awaiting is not None and awaiting > 0:
                    return True
        return False

    def measure_unapproved(self, spec: IndicatorSpec, unit_id: int, period: Period, name: str) -> bool:
        """Whether one measure of a period rests on a figure that awaits approval (a ranking's row)."""
        if not self.pending:
            return False
        return self.unapproved(spec, unit_id, self.measure_ranges(spec, unit_id, period, name))

    def _periods_of(self, period: Period, period_type: PeriodType, *, years: int = 0) -> list[Period]:
        """The sub-periods of a period (``years`` earlier): computed once, not for each of thousands of units."""
        key = (period, period_type, years)
        found = self._sub_periods.get(key)
        if found is None:
            sub = period.sub_periods(period_type)
            found = self._sub_periods[key] = [p.shift_years(years) for p in sub] if years else sub
        return found

    def measure(self, spec: IndicatorSpec, unit_id: int, period: Period, name: str) -> Decimal | None:
        """One measure alone (a ranking of thousands of units needs only the one it ranks by)."""
        plan = self.targets.get((spec.id, unit_id, period.year))
        if name == "plan":
            return plan
        if period.is_finer_than(spec.period_type):
            return None
        sub = self._periods_of(period, spec.period_type)
        if name == "value":
            return self.value(spec, unit_id, sub)
        if name == "previous":
            return self.value(spec, unit_id, self._periods_of(period, spec.period_type, years=-1))
        if name in ("yoy_pct", "yoy_pp"):
            value = self.value(spec, unit_id, sub)
            previous = self.value(spec, unit_id, self._periods_of(period, spec.period_type, years=-1))
            return yoy_pct(value, previous) if name == "yoy_pct" else yoy_pp(spec, value, previous)
        ytd_periods = period.year_to_date(spec.period_type)
        ytd = self.value(spec, unit_id, ytd_periods)
        if name == "ytd":
            return ytd
        if name == "plan_completion_pct":
            return ytd / plan * HUNDRED if ytd is not None and plan not in (None, 0) else None
        if name == "projection":
            return self.projection(spec, unit_id, ytd_periods, ytd)
        if name == "plan_gap_pp":
            return plan_gap_pp(spec, self.projection(spec, unit_id, ytd_periods, ytd), plan)
        raise ValueError(f"Unknown measure {name!r}")

    def measure_of_units(
        self, spec: IndicatorSpec, unit_ids: Sequence[int], period: Period, name: str
    ) -> list[Decimal | None]:
        """``measure`` of each of ``unit_ids`` (a ranking's thousands), in their order: for a value,
        last year's or the change on it of a stored indicator, the sub-periods are worked out once
        and each unit's values read from its series; any other measure unit by unit."""
        if (
            name not in ("value", "previous", "yoy_pct", "yoy_pp")
            or spec.aggregation == "ratio"
            or period.is_finer_than(spec.period_type)
        ):
            return [self.measure(spec, unit_id, period, name) for unit_id in unit_ids]
        series = self.series[spec.id]
        sub = self._periods_of(period, spec.period_type)
        before = self._periods_of(period, spec.period_type, years=-1)
        first, last = sub[0].ordinal, sub[-1].ordinal
        previous_first, previous_last = before[0].ordinal, before[-1].ordinal
        if name == "value":
            return series.values_of_units(unit_ids, first, last)
        if name == "previous":
            return series.values_of_units(unit_ids, previous_first, previous_last)
        change = yoy_pct if name == "yoy_pct" else functools.partial(yoy_pp, spec)
        return list(
            map(
                change,
                series.values_of_units(unit_ids, first, last),
                series.values_of_units(unit_ids, previous_first, previous_last),
            )
        )

    def measures(self, spec: IndicatorSpec, unit_id: int, period: Period) -> Measures:
        plan = self.targets.get((spec.id, unit_id, period.year))
        if period.is_finer_than(spec.period_type):
            # A quarterly figure has no value for one month; say so with nulls, not a guess.
            return Measures(
                indicator=spec.code,
                org_unit=self.unit_codes[unit_id],
                period=period.code,
                plan=plan,
                status=None if plan is not None else Status.NO_TARGET.value,
                basis=self.basis.value,
            )
        sub = period.sub_periods(spec.period_type)
        ytd_periods = period.year_to_date(spec.period_type)
        previous_periods = [p.shift_years(-1) for p in sub]
        value = self.value(spec, unit_id, sub)
        previous = self.value(spec, unit_id, previous_periods)
        ytd = self.value(spec, unit_id, ytd_periods)
        completion = ytd / plan * HUNDRED if ytd is not None and plan not in (None, 0) else None
        used: list[tuple[int, int]] = []
        projection = self.projection(spec, unit_id, ytd_periods, ytd, used=used)
        reported, expected = self.completeness(spec, unit_id, sub, value)
        ytd_reported, ytd_expected = self.completeness(spec, unit_id, ytd_periods, ytd)
        ranges = [(p[0].ordinal, p[-1].ordinal) for p in (sub, previous_periods, ytd_periods)] + used
        rebased, composition, reason, missing = self.rebasing(spec, unit_id, ranges)
        unapproved = previous_unapproved = ytd_unapproved = False
        if self.pending:
            unapproved = self.unapproved(spec, unit_id, [ranges[0]])
            previous_unapproved = self.unapproved(spec, unit_id, [ranges[1]])
            ytd_unapproved = self.unapproved(spec, unit_id, [ranges[2]])
        return Measures(
            indicator=spec.code,
            org_unit=self.unit_codes[unit_id],
            period=period.code,
            value=value,
            previous=previous,
            yoy_pct=yoy_pct(value, previous),
            yoy_pp=yoy_pp(spec, value, previous),
            ytd=ytd,
            plan=plan,
            plan_completion_pct=completion,
            plan_gap_pp=plan_gap_pp(spec, projection, plan),
            projection=projection,
            # Once the period reaches December the year is over: the verdict, not a risk.
            status=status_of(projection, plan, spec.direction, final=sub[-1].last_month == 12),
            reported=reported,
            expected=expected,
            ytd_reported=ytd_reported,
            ytd_expected=ytd_expected,
            rebased=rebased,
            composition=composition,
            missing_reason=reason,
            missing_units=missing,
            basis=self.basis.value,
            unapproved=unapproved,
            previous_unapproved=previous_unapproved,
            ytd_unapproved=ytd_unapproved,
        )

    def rebasing(
        self, spec: IndicatorSpec, unit_id: int, ranges: Sequence[tuple[int, int]]
    ) -> tuple[bool, tuple[tuple[str, Decimal | None], ...], str | None, tuple[str, ...]]:
        """Whether any of these ranges of sub-periods draws on re-based ones at the unit; the
        composition it was re-based from; why a re-based figure is missing, and the units why."""
        stored = _stored_of(spec)
        if all(self.series[s.id].start_of(unit_id) is None for s in stored):
            return False, (), None, ()  # not a successor: nothing of it is re-based
        rebased = not_rebased = False
        unknown: set[int] = set()
        for series in (self.series[s.id] for s in stored):
            for first, last in ranges:
                drawn, shares_unknown, not_carried = series.rebasing(unit_id, first, last)
                rebased |= drawn
                not_rebased |= not_carried
                unknown |= shares_unknown
        composition: tuple[tuple[str, Decimal | None], ...] = ()
        if rebased or not_rebased:
            predecessors = self.series[stored[0].id].predecessors_of(unit_id)
            composition = tuple((self._code(p), share) for p, share in predecessors)
        if unknown:
            return rebased, composition, MissingReason.SHARE_UNKNOWN.value, tuple(sorted(map(self._code, unknown)))
        if not_rebased:
            return rebased, composition, MissingReason.NOT_REBASED.value, ()
        return rebased, composition, None, ()

    def predecessors_of(self, spec: IndicatorSpec, unit_id: int) -> Sequence[Predecessor]:
        """The unit's direct predecessors (id, share) if it is a successor: what it is re-based from."""
        return self.series[_stored_of(spec)[0].id].predecessors_of(unit_id)

    def measure_ranges(self, spec: IndicatorSpec, unit_id: int, period: Period, name: str) -> list[tuple[int, int]]:
        """The ranges of sub-periods (ordinals) that one measure of a period reads: the period, the
        same a year earlier, January to it, and for the projection the past years it weighed."""
        if name == "plan" or period.is_finer_than(spec.period_type):
            return []
        if name not in ("projection", "plan_gap_pp", "status"):
            # The same for every unit: a ranking asks it of thousands.
            cached = self._ranges.get((spec.id, period, name))
            if cached is not None:
                return cached
        sub = self._periods_of(period, spec.period_type)
        value = (sub[0].ordinal, sub[-1].ordinal)
        previous = (sub[0].shift_years(-1).ordinal, sub[-1].shift_years(-1).ordinal)
        ytd_periods = period.year_to_date(spec.period_type)
        ytd = (ytd_periods[0].ordinal, ytd_periods[-1].ordinal)
        ranges = {
            "value": [value],
            "previous": [previous],
            "yoy_pct": [value, previous],
            "yoy_pp": [value, previous],
            "ytd": [ytd],
            "plan_completion_pct": [ytd],
        }.get(name)
        if ranges is not None:
            self._ranges[(spec.id, period, name)] = ranges
            return ranges
        used: list[tuple[int, int]] = []
        self.projection(spec, unit_id, ytd_periods, self.value(spec, unit_id, ytd_periods), used=used)
        return [ytd, *used]

    def measure_rebasing(
        self, spec: IndicatorSpec, unit_id: int, period: Period, name: str, *, reasons: bool = True
    ) -> tuple[bool, frozenset[int], bool]:
        """``rebasing`` for one measure alone (a ranking's rows, each number of a figure): whether it
        draws on re-based sub-periods, the predecessors (ids) of unknown share that leave it missing,
        and whether it is missing because the indicator is not re-based (``reasons=False``: the
        predecessors of unknown share are not looked for, as for a figure that stands). Nothing is
        computed for a unit that is no successor."""
        stored = self._stored_series_of(spec)
        starts = [start for series in stored if (start := series.start_of(unit_id)) is not None]
        if not starts:
            return _PLAIN_REBASING
        ranges = self.measure_ranges(spec, unit_id, period, name)
        if all(first >= start for first, _last in ranges for start in starts):
            return _PLAIN_REBASING  # wholly after the unit began: its own figures
        return _ranges_rebasing(stored, unit_id, ranges, reasons=reasons)

    def _stored_series_of(self, spec: IndicatorSpec) -> list[Series]:
        stored = self._stored_series.get(spec.id)
        if stored is None:
            stored = self._stored_series[spec.id] = [self.series[s.id] for s in _stored_of(spec)]
        return stored

    def rebasing_of_units(
        self, spec: IndicatorSpec, unit_ids: Sequence[int], period: Period, name: str
    ) -> list[tuple[bool, frozenset[int], bool]]:
        """``measure_rebasing(…, reasons=False)`` of each of ``unit_ids`` (a ranking's figures that
        stand), in their order: the ranges a measure other than the projection reads are the same for
        every unit, worked out once."""
        if name in ("projection", "plan_gap_pp", "status"):
            return [self.measure_rebasing(spec, unit_id, period, name, reasons=False) for unit_id in unit_ids]
        ranges = self.measure_ranges(spec, -1, period, name)
        flags = [(False, False)] * len(unit_ids)
        for series in self._stored_series_of(spec):
            flags = [
                (a or c, b or d)
                for (a, b), (c, d) in zip(flags, series.rebasing_of_units(unit_ids, ranges), strict=True)
            ]
        return [_REBASING_OF_FLAGS[f] for f in flags]

    def successors(self, spec: IndicatorSpec, period: Period | None = None, name: str = "") -> frozenset[int]:
        """The units whose figures of the indicator may be re-based (successors that began after the
        first sub-period read): the only ones ``measure_rebasing`` need be asked about. Given a
        measure of a period, only those that began after the first sub-period it reads (a national
        ranking of the new communes' own months asks none)."""
        after = None
        if period is not None and name not in ("", "projection", "plan_gap_pp", "status"):
            # These ranges are the same for every unit (the projection's are not).
            ranges = self.measure_ranges(spec, -1, period, name)
            if not ranges:
                return frozenset()
            after = min(first for first, _last in ranges)
        return frozenset().union(*(self.series[s.id].successors(after) for s in _stored_of(spec)))

    def code_of(self, unit_id: int) -> str:
        """A unit's code, among the units asked or their predecessors."""
        return self._code(unit_id)

    def _code(self, unit_id: int) -> str:
        return self.unit_codes.get(unit_id) or self.predecessor_codes.get(unit_id) or str(unit_id)

    def completeness(
        self, spec: IndicatorSpec, unit_id: int, periods: Sequence[Period], value: Decimal | None
    ) -> tuple[int | None, int | None]:
        """(reported, expected) of a figure over a contiguous run of the indicator's periods; (None,
        None) when no unit is expected to report it there, or completeness was not loaded."""
        if self.expected_units is None:
            return None, None
        if spec.aggregation == "ratio":
            numerator, denominator = spec.operands()
            n = self.completeness(numerator, unit_id, periods, value)
            d = self.completeness(denominator, unit_id, periods, value)
            if n[1] is None or d[1] is None or n[0] is None or d[0] is None:
                return n if d[1] is None else d
            return min(n[0], d[0]), max(n[1], d[1])
        series = self.series[spec.id]
        if spec.aggregation == "none":
            # Never computed from children: the unit reports it itself (where it is collected), or
            # completeness does not apply.
            if spec.collected_at and series.kinds.get(unit_id) != spec.collected_at:
                return None, None
            return (1 if value is not None else 0), 1
        start, end = periods[0].start_date, periods[-1].end_date
        expected = self.expected_units(spec.collected_at, unit_id, start, end)
        if not expected:
            return None, None
        first, last = periods[0].ordinal, periods[-1].ordinal
        if series.own_covers(unit_id, first, last):
            # The unit's own stored figures win over its units' (docs/analytics.md): it is whole.
            return expected, expected
        return min(series.reported(unit_id, first, last), expected), expected

    def projection(
        self,
        spec: IndicatorSpec,
        unit_id: int,
        ytd_periods: Sequence[Period],
        ytd: Decimal | None,
        *,
        used: list[tuple[int, int]] | None = None,
    ) -> Decimal | None:
        """Year-end estimate: for sums, ytd scaled by the share Jan..P held in past complete years
        (whose ranges are added to ``used``, when given)."""
        if ytd is None or spec.aggregation != "sum":
            return ytd
        series = self.series[spec.id]
        per_year = spec.period_type.per_year
        elapsed = len(ytd_periods)
        year = ytd_periods[-1].year
        shares: list[Decimal] = []
        for past in range(year - 1, year - 1 - PROJECTION_YEARS, -1):
            first = Period(past, spec.period_type, 1).ordinal
            if not series.is_complete(unit_id, first, first + per_year - 1):
                continue
            full = series.value(unit_id, first, first + per_year - 1)
            part = series.value(unit_id, first, first + elapsed - 1)
            if full is None or part is None or full == 0:
                continue
            shares.append(part / full)
            if used is not None:
                used.append((first, first + per_year - 1))
        if shares:
            mean_share = sum(shares, Decimal(0)) / len(shares)
            if mean_share > 0:
                return ytd / mean_share
        return ytd * per_year / elapsed


_PLAIN_REBASING: tuple[bool, frozenset[int], bool] = (False, frozenset(), False)
# (rebased, not re-based) → ``measure_rebasing(…, reasons=False)``'s answer.
_REBASING_OF_FLAGS: dict[tuple[bool, bool], tuple[bool, frozenset[int], bool]] = {
    (rebased, not_rebased): (rebased, frozenset(), not_rebased)
    for rebased in (False, True)
    for not_rebased in (False, True)
}


def _ranges_rebasing(
    stored: Sequence[Series], unit_id: int, ranges: Sequence[tuple[int, int]], *, reasons: bool
) -> tuple[bool, frozenset[int], bool]:
    """``Series.rebasing`` of a unit over several ranges and the stored series of one indicator, combined."""
    rebased = not_rebased = False
    unknown: frozenset[int] = frozenset()
    for first, last in ranges:
        for series in stored:
            drawn, shares_unknown, not_carried = series.rebasing(unit_id, first, last, reasons=reasons)
            rebased |= drawn
            not_rebased |= not_carried
            unknown |= shares_unknown
    return rebased, unknown, not_rebased


def yoy_pct(value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """(value / previous − 1) × 100; None if either is missing or previous is 0."""
    return (value / previous - 1) * HUNDRED if value is not None and previous not in (None, 0) else None


def yoy_pp(spec: IndicatorSpec, value: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """A rate's change on last year in percentage points (value − previous); None for other indicators."""
    return value - previous if spec.is_rate and value is not None and previous is not None else None


def plan_gap_pp(spec: IndicatorSpec, projection: Decimal | None, plan: Decimal | None) -> Decimal | None:
    """A rate's year-end estimate minus its plan, in percentage points; None for other indicators."""
    return projection - plan if spec.is_rate and projection is not None and plan is not None else None


def status_of(projection: Decimal | None, plan: Decimal | None, direction: str, *, final: bool = False) -> str | None:
    """on_track / at_risk (within 5 %) / off_track against the plan, by direction.

    ``final``: the period ends with the year, so the estimate is the outcome: on_track or
    off_track, never at risk (nothing is left to be at risk).
    """
    if plan is None:
        return Status.NO_TARGET.value
    if projection is None:
        return None
    if final:
        met = projection <= plan if direction == "down" else projection >= plan
        return Status.ON_TRACK.value if met else Status.OFF_TRACK.value
    tolerance = abs(plan) * AT_RISK_TOLERANCE
    if direction == "down":
        if projection <= plan:
            return Status.ON_TRACK.value
        return Status.AT_RISK.value if projection <= plan + tolerance else Status.OFF_TRACK.value
    if projection >= plan:
        return Status.ON_TRACK.value
    return Status.AT_RISK.value if projection >= plan - tolerance else Status.OFF_TRACK.value
