"""Reads for analytics: load what a query needs in a few queries, then compute with the engine."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple, Protocol, TypeVar, cast

from django.conf import settings
from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dieuhanh.analytics.engine import (
    PROJECTION_YEARS,
    Basis,
    Engine,
    ExpectedUnits,
    IndicatorSpec,
    Measures,
    MissingReason,
    Predecessor,
    RollupKey,
    RollupValue,
    Series,
    UnitTree,
    Validity,
    needed_ranges,
    value_ranges,
)
from dieuhanh.analytics.figures import Figures, ordinal_of, own_figures
from dieuhanh.analytics.models import Rollup
from dieuhanh.analytics.services import (
    ROLLED_AGGREGATIONS,
    effective_share,
    rolled_of_units,
    rolled_successors_among,
    rolled_units,
    rollups_ready,
    rollups_stamp,
)
from dieuhanh.indicators.models import Indicator, Target
from dieuhanh.indicators.periods import Period, PeriodError, PeriodType
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.selectors import (
    UnitLookupError,
    began_after,
    map_day,
    predecessors_on,
    today,
    unit_among,
    units_by_code,
)
from dieuhanh.orgunits.tree import in_subtrees, path_ids
from dieuhanh.singleflight import once

answer_cache = caches["default"]


class AnalyticsQueryError(ValueError):
    """A query that names things that do not exist, or nothing at all."""


class UnitRef(Protocol):
    """What reading a unit's figures needs of it: an ``OrgUnit``, or a ``RankedUnit``."""

    @property
    def pk(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def path(self) -> str: ...


class RankedUnit(NamedTuple):
    """A unit as a ranking reads it: a row, not a model instance (a national ranking has 3,321)."""

    pk: int
    code: str
    name: str
    path: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class _Path(NamedTuple):
    path: str


class RankRow(NamedTuple):
    """A unit's place in a ranking. ``rebased``: its figure draws on months before the unit
    existed, re-based from its predecessors; ``missing_reason`` (a ``MissingReason``) and
    ``missing_units`` (the predecessors' codes): why a re-based figure is missing. A named tuple,
    not a dataclass: a national ranking makes thousands (a frozen dataclass's construction, a
    microsecond and a half each, was a tenth of the ranking's time)."""

    rank: int | None
    org_unit: str
    name: str
    value: Decimal | None
    rebased: bool = False
    missing_reason: str | None = None
    missing_units: tuple[str, ...] = ()
    # The basis of the ranking (a ``Basis``), and whether this row's figure rests on at least one
    # figure that awaits approval (only ever on the ``submitted`` basis).
    basis: str = Basis.APPROVED.value
    unapproved: bool = False


def spec_of(indicator: Indicator, cache: dict[int, IndicatorSpec] | None = None) -> IndicatorSpec:
    cache = {} if cache is None else cache
    if indicator.pk in cache:
        return cache[indicator.pk]
    numerator = denominator = None
    if indicator.is_ratio and indicator.numerator is not None and indicator.denominator is not None:
        numerator = spec_of(indicator.numerator, cache)
        denominator = spec_of(indicator.denominator, cache)
    spec = IndicatorSpec(
        id=indicator.pk,
        code=indicator.code,
        period_type=PeriodType(indicator.period_type),
        aggregation=indicator.aggregation,
        direction=indicator.direction,
        numerator=numerator,
        denominator=denominator,
        factor=indicator.factor,
        is_rate=indicator.in_points,
        collected_at=indicator.collected_at,
    )
    cache[indicator.pk] = spec
    return spec


def _stored_specs(specs: Iterable[IndicatorSpec]) -> dict[int, IndicatorSpec]:
    out: dict[int, IndicatorSpec] = {}
    for spec in specs:
        if spec.aggregation == "ratio":
            out.update(_stored_specs(spec.operands()))
        else:
            out[spec.id] = spec
    return out


# How many whole years before the period each measure looks at (see docs/analytics.md): January
# of the period's year for the year to date, past whole years for the projection.
_LOOKBACK = {
    "value": 0,
    "previous": 1,
    "yoy_pct": 1,
    "yoy_pp": 1,
    "ytd": 0,
    "plan": 0,
    "plan_completion_pct": 0,
    "plan_gap_pp": PROJECTION_YEARS,
    "projection": PROJECTION_YEARS,
    "status": PROJECTION_YEARS,
}
# Measures that read the period alone, and the same period a year earlier: not the months between.
_YEAR_APART = frozenset({"value", "previous", "yoy_pct", "yoy_pp"})


@dataclass(frozen=True)
class Reads:
    """What an engine reads: the spans of dates of own figures, and the sub-period ranges of rollups."""

    spans: tuple[tuple[dt.date, dt.date], ...]
    periods: tuple[Period, ...]  # for a measure of the year apart: the periods whose values are read
    lookback_years: int | None  # otherwise: the whole years read before each period

    def rollup_ranges(self, period_type: PeriodType, measured: Sequence[Period]) -> set[tuple[int, int]]:
        if self.lookback_years is None:
            return value_ranges(period_type, self.periods)
        return needed_ranges(period_type, measured, self.lookback_years) | value_ranges(period_type, self.periods)

    def ordinal_spans(self, period_type: PeriodType) -> tuple[tuple[int, int], ...]:
        return tuple((ordinal_of(s, period_type), ordinal_of(e, period_type)) for s, e in self.spans)


def reads_for(measures: Iterable[str], periods: Sequence[Period], value_periods: Sequence[Period]) -> Reads:
    """What asking ``measures`` of ``periods`` (and the value alone of ``value_periods``) reads."""
    asked = frozenset(measures)
    unknown = asked - _LOOKBACK.keys()
    if unknown:
        raise ValueError(f"Unknown measures {sorted(unknown)}")
    if asked <= _YEAR_APART:
        # A ranking by this month's value need not read the months before it: for thousands of
        # communes that is most of what it would read.
        read = [*periods, *value_periods]
        if asked - {"value"}:
            read += [p.shift_years(-1) for p in periods]
        return Reads(spans=_merged((p.start_date, p.end_date) for p in read), periods=tuple(read), lookback_years=None)
    lookback = max(_LOOKBACK[m] for m in asked)
    start = dt.date(min([p.year - lookback for p in periods] + [p.year for p in value_periods]), 1, 1)
    end = max(p.end_date for p in [*periods, *value_periods])
    return Reads(spans=((start, end),), periods=tuple(value_periods), lookback_years=lookback)


def _merged(spans: Iterable[tuple[dt.date, dt.date]]) -> tuple[tuple[dt.date, dt.date], ...]:
    out: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return tuple(out)


def build_engine(
    *,
    specs: Sequence[IndicatorSpec],
    units: Sequence[UnitRef],
    periods: Sequence[Period],
    measures: Iterable[str] = Measures.MEASURE_NAMES,
    use_rollups: bool | None = None,
    units_query: QuerySet[OrgUnit] | None = None,
    with_targets: bool = True,
    value_periods: Sequence[Period] = (),
    completeness: bool = True,
    composition: bool = True,
    basis: Basis = Basis.APPROVED,
    rolled_known: tuple[frozenset[int], frozenset[int]] | None = None,
) -> Engine:
    """Load what asking ``measures`` of ``specs`` at ``units`` over ``periods`` needs, and the
    annual targets.

    Only what those measures read is loaded (``reads_for``): a ranking by value reads the
    period alone, the eight measures read back to the projection's past years. Asked for
    anything else, the engine raises ``RangeNotLoadedError``. With current rollups, only the
    units themselves are read (their rollups, or their own figures for leaves); otherwise their
    whole subtrees' figures are loaded and aggregated here.

    ``units_query``, when given, selects the same units as ``units`` in SQL: for thousands of
    units (a national ranking) a subquery is far cheaper than thousands of parameters.

    ``value_periods``: more periods of which only the value will be asked (a sparkline's).

    ``completeness``: also count, for each figure, the units expected to report it (one more
    query, over the units' subtrees); a ranking, which shows none, goes without.

    ``basis``: which figures count (``Basis``). The rollups hold the ``approved`` basis alone; on
    the ``submitted`` basis the engine aggregates the stored figures itself (the path it takes
    while rollups are being rebuilt: correct, slower) and knows which of them await approval.

    ``rolled_known``: every unit with children and every successor (``rolled_units``), when the
    caller knows them; otherwise one more query finds which of the units have rollups.
    """
    reads = reads_for(measures, periods, value_periods)
    years = [p.year for p in periods]
    stored = _stored_specs(specs)
    basis = Basis(basis)
    pending: dict[int, Series] | None = None
    if basis != Basis.APPROVED:
        use_rollups = False
    elif use_rollups is None:
        use_rollups = rollups_ready()
    unit_ids: Any = units_query.order_by().values("pk") if units_query is not None else [u.pk for u in units]
    expected: ExpectedUnits | None = None
    if use_rollups:
        series, unit_codes, predecessor_codes = _series_from_rollups(
            stored,
            units,
            unit_ids=unit_ids,
            periods=periods,
            reads=reads,
            composition=composition,
            completeness=completeness,
            rolled_known=rolled_known,
        )
        if completeness:
            successors = next(([*s.predecessors, *s.unread_predecessors] for s in series.values()), [])
            expected = _expected_units(stored, units, successors)
    else:
        series, unit_codes, expected, pending = _series_from_figures(stored, units, reads, basis=basis)
        predecessor_codes = {}
        if not completeness:
            expected = None
    targets = {}
    if with_targets:
        target_rows = (
            Target.objects.filter(
                indicator_id__in=[s.id for s in specs],
                org_unit_id__in=unit_ids,
                year_from__in=set(years),
                year_to__in=set(years),
            )
            .order_by()
            .values_list("indicator_id", "org_unit_id", "year_from", "year_to", "value")
        )
        targets = {(i, u, y0): v for i, u, y0, y1, v in target_rows if y0 == y1}
    return Engine(
        series=series,
        targets=targets,
        unit_codes=unit_codes,
        expected_units=expected,
        predecessor_codes=predecessor_codes,
        basis=basis,
        pending=pending,
    )


# Beyond this many units, a query names them by a subquery rather than by one parameter each.
_MANY_IDS = 500

# A unit of the subtree as completeness counts it: (id, parent, kind, path, valid from, valid to).
_TreeRow = tuple[int, int | None, str, str, dt.date | None, dt.date | None]
_TREE_COLUMNS = ("id", "parent_id", "kind", "path", "valid_from", "valid_to")


# A succession read as values: (successor, predecessor, merge type, share, the predecessor's code,
# path, valid from, valid to).
_SUCCESSION_COLUMNS = (
    "successor_id",
    "predecessor_id",
    "merge_type",
    "share",
    "predecessor__code",
    "predecessor__path",
    "predecessor__valid_from",
    "predecessor__valid_to",
)


def _links(where: Q) -> list[tuple[Any, ...]]:
    return list(
        Succession.objects.filter(where).order_by("successor_id", "predecessor__code").values_list(*_SUCCESSION_COLUMNS)
    )


def _starts_after(valid_from: dt.date | None, since: dt.date | None) -> bool:
    """Whether a unit began after ``since``: only then may the months read be before it began."""
    return valid_from is not None and since is not None and valid_from > since


def _series_from_figures(
    stored: dict[int, IndicatorSpec], units: Sequence[UnitRef], reads: Reads, *, basis: Basis = Basis.APPROVED
) -> tuple[dict[int, Series], dict[int, str], ExpectedUnits, dict[int, Series] | None]:
    tree_rows = list(OrgUnit.objects.filter(in_subtrees(units)).order_by().values_list("code", *_TREE_COLUMNS))
    since = min((s for s, _e in reads.spans), default=None)
    predecessors, more_rows, more_tops = _predecessors_in_subtrees(units, tree_rows, since)
    rows = tree_rows + more_rows
    children: dict[int, list[int]] = defaultdict(list)
    for _code, unit_id, parent_id, *_rest in rows:
        if parent_id is not None:
            children[parent_id].append(unit_id)
    where = in_subtrees(units, through="org_unit")
    if more_tops:
        # The predecessors' figures come with the subtree's: one query.
        where |= in_subtrees(more_tops, through="org_unit")
    # Only the approved basis leaves nothing awaiting approval to mark.
    awaiting: Figures | None = None if basis == Basis.APPROVED else {}
    own = own_figures(stored, where, reads.spans, basis=basis, pending=awaiting)
    tree = UnitTree(children)
    kinds = {row[1]: row[3] for row in rows}
    validity: dict[int, Validity] = {row[1]: (row[5], row[6]) for row in rows if row[5] or row[6]}

    def series_of(figures: Figures) -> dict[int, Series]:
        return {
            i: Series(
                spec=spec,
                own=figures[i],
                tree=tree,
                kinds=kinds,
                own_loaded=reads.ordinal_spans(spec.period_type),
                predecessors=predecessors,
                validity=validity,
            )
            for i, spec in stored.items()
        }

    expected = ExpectedCounter([u.pk for u in units], [row[1:] for row in tree_rows], successors=predecessors)
    pending = series_of(awaiting) if awaiting is not None else None
    return series_of(own), {row[1]: row[0] for row in rows}, expected, pending


def _predecessors_in_subtrees(
    units: Sequence[UnitRef], tree_rows: list[tuple[Any, ...]], since: dt.date | None
) -> tuple[dict[int, list[Predecessor]], list[tuple[Any, ...]], list[_Path]]:
    """The predecessors of the successors in the units' subtrees that began after ``since`` (the
    months read before them are re-based), through chains; and the rows of the predecessors'
    subtrees that are not among ``tree_rows``, with the tops of those subtrees. Nothing is read
    when no unit of the subtrees began after ``since``; else one query for the successions and
    one for the predecessors' subtrees (each again for a chain that reaches further back)."""
    predecessors: dict[int, list[Predecessor]] = defaultdict(list)
    more_rows: list[tuple[Any, ...]] = []
    tops: list[_Path] = []
    if not any(_starts_after(row[5], since) for row in tree_rows):
        return predecessors, more_rows, tops
    known = {row[1] for row in tree_rows}
    where = in_subtrees(units, through="successor") & Q(successor__valid_from__gt=since)
    while True:
        new_paths: dict[int, str] = {}
        for successor, predecessor, merge_type, share, _code, path, _from, _to in _links(where):
            predecessors[successor].append((predecessor, effective_share(merge_type, share)))
            if predecessor not in known:
                new_paths[predecessor] = path
        if not new_paths:
            break
        new_tops = _new_tops(new_paths.values(), {t.path for t in tops})
        tops += new_tops
        rows = [
            row
            for row in OrgUnit.objects.filter(in_subtrees(new_tops)).order_by().values_list("code", *_TREE_COLUMNS)
            if row[1] not in known
        ]
        known |= {row[1] for row in rows}
        more_rows += rows
        later = [row[1] for row in rows if _starts_after(row[5], since)]
        if not later:
            break
        where = Q(successor_id__in=later)
    return predecessors, more_rows, tops


def _new_tops(paths: Iterable[str], kept: set[str]) -> list[_Path]:
    """The paths that lie under none of the others nor of ``kept``: the tops of their subtrees. In
    sorted order a path's descendants follow it, so each is compared with the last top alone (and its
    own ancestors with ``kept``): linear, where ten thousand old communes compared each with every
    other made a hundred million comparisons."""
    tops: list[_Path] = []
    last: str | None = None
    for path in sorted(set(paths)):
        if last is not None and path.startswith(last):
            continue
        parts = path.strip("/").split("/")
        if any("/" + "/".join(parts[:n]) + "/" in kept for n in range(1, len(parts) + 1)):
            continue
        tops.append(_Path(path))
        last = path
    return tops


def _expected_units(
    stored: dict[int, IndicatorSpec], units: Sequence[UnitRef], successors: Iterable[int] = ()
) -> ExpectedUnits:
    """The units that completeness counts below ``units``: those of the stored indicators'
    collection levels, and the units' children (for indicators without a level); one query."""
    levels = {spec.collected_at for spec in stored.values() if spec.collected_at}
    asked = [u.pk for u in units]
    if not stored:
        return ExpectedCounter(asked, [], successors)
    wanted = Q(parent_id__in=asked) | Q(pk__in=asked)
    if levels:
        wanted |= Q(kind__in=levels) & in_subtrees(_tops(units))
    rows = list(OrgUnit.objects.filter(wanted).order_by().values_list(*_TREE_COLUMNS))
    return ExpectedCounter(asked, rows, successors)


def _tops(units: Sequence[UnitRef]) -> list[UnitRef]:
    """The units none of whose ancestors is among ``units``: their subtrees cover all the others'."""
    paths = sorted({u.path: u for u in units}.items())
    tops: list[UnitRef] = []
    for path, unit in paths:
        if not tops or not path.startswith(tops[-1].path):
            tops.append(unit)
    return tops


class ExpectedCounter:
    """How many units of a kind lie at or under each asked unit on the map of a span's last day.

    Built from the subtree's rows once; counting a span adds up groups of units that share a
    validity interval (nearly all units do), so a page asking hundreds of figures pays nothing more.
    """

    def __init__(self, asked: Iterable[int], rows: Iterable[_TreeRow], successors: Iterable[int] = ()) -> None:
        asked_ids = set(asked)
        # A successor asked about a span before it began is counted on the new map: the units
        # below it at its start (each re-based from its own predecessors).
        self._successors = frozenset(successors)
        # (asked unit, kind or "" for its children) → (valid from, valid to) → how many units
        self._groups: dict[tuple[int, str], dict[tuple[dt.date | None, dt.date | None], int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self._own: dict[int, tuple[dt.date | None, dt.date | None]] = {}
        for unit_id, parent_id, kind, path, valid_from, valid_to in rows:
            validity = (valid_from, valid_to)
            for ancestor in path_ids(path) or [unit_id]:
                if ancestor in asked_ids:
                    self._groups[(ancestor, kind)][validity] += 1
            if parent_id in asked_ids:
                self._groups[(parent_id, "")][validity] += 1
            if unit_id in asked_ids:
                self._own[unit_id] = validity
        self._cache: dict[tuple[str, int, dt.date, dt.date], int] = {}

    def __call__(self, level: str, unit_id: int, start: dt.date, end: dt.date) -> int:
        key = (level, unit_id, start, end)
        if key not in self._cache:
            own_from, own_to = self._own.get(unit_id, (None, None))
            if unit_id in self._successors and own_from is not None:
                end = max(end, own_from)
            if own_to is not None:
                # A unit that ended: the map of its last day.
                end = min(end, own_to)
            groups = self._groups.get((unit_id, level), {})
            if not level and not groups and unit_id in self._own:
                # Without a collection level, a unit with no units below reports for itself.
                groups = {self._own[unit_id]: 1}
            # The units on the map of the span's last day: across a reorganisation, the new units
            # (each whole with its re-based months), not the old and the new ones together.
            self._cache[key] = sum(
                count
                for (valid_from, valid_to), count in groups.items()
                if (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= end)
            )
        return self._cache[key]


def _validity_of(units: Sequence[UnitRef]) -> dict[int, Validity]:
    """The validity of the units that have one, as given (a model instance that was read without
    it, ``only()``, is asked for it: one query for all such)."""
    validity: dict[int, Validity] = {}
    unread: list[int] = []
    for unit in units:
        # A ranking's thousands of rows are told apart by their type first: ``isinstance`` of a
        # model class costs a microsecond.
        fields = unit.__dict__ if type(unit) is not RankedUnit and isinstance(unit, OrgUnit) else None
        if fields is not None and not ("valid_from" in fields and "valid_to" in fields):
            unread.append(unit.pk)
            continue
        valid_from, valid_to = getattr(unit, "valid_from", None), getattr(unit, "valid_to", None)
        if valid_from is not None or valid_to is not None:
            validity[unit.pk] = (valid_from, valid_to)
    if unread:
        for pk, valid_from, valid_to in (
            OrgUnit.objects.filter(pk__in=unread).order_by().values_list("pk", "valid_from", "valid_to")
        ):
            if valid_from is not None or valid_to is not None:
                validity[pk] = (valid_from, valid_to)
    return validity


def _series_from_rollups(
    stored: dict[int, IndicatorSpec],
    units: Sequence[UnitRef],
    *,
    unit_ids: Any,
    periods: Sequence[Period],
    reads: Reads,
    composition: bool = True,
    completeness: bool = True,
    rolled_known: tuple[frozenset[int], frozenset[int]] | None = None,
) -> tuple[dict[int, Series], dict[int, str], dict[int, str]]:
    # Units with children, and successors (their months before they began re-based), have rollups.
    validity = _validity_of(units)
    any_began = any(valid_from is not None for valid_from, _to in validity.values())
    if rolled_known is not None:
        aggregated, successor_ids = rolled_of_units((u.pk for u in units), rolled_known, any_began=any_began)
    else:
        aggregated, successor_ids = rolled_successors_among(unit_ids, any_began=any_began)
    since = min((s for s, _e in reads.spans), default=None)
    # The successors that began after the months read: only they may be re-based.
    later = (
        [
            pk
            for pk, (valid_from, _to) in validity.items()
            if valid_from is not None and valid_from > since and pk in successor_ids
        ]
        if successor_ids and since is not None
        else []
    )
    rolled = {i: spec for i, spec in stored.items() if spec.aggregation in ROLLED_AGGREGATIONS}
    rollups: dict[int, dict[RollupKey, RollupValue]] = {i: {} for i in rolled}
    wanted: dict[PeriodType, set[tuple[int, int]]] = {}
    if rolled and aggregated:
        # Only the ranges the measures read: a few per indicator, not every range of four years.
        wanted = {
            period_type: reads.rollup_ranges(period_type, periods)
            for period_type in {spec.period_type for spec in rolled.values()}
        }
        window = Q(pk__in=[])
        for period_type, ranges in wanted.items():
            window |= Q(
                indicator_id__in=[i for i, spec in rolled.items() if spec.period_type == period_type],
                first__in={f for f, _l in ranges},
                last__in={la for _f, la in ranges},
            )
        # Thousands of units by their subquery: each then looks up its rollups in the key's index,
        # where thousands of parameters had the indicator's every rollup scanned and filtered.
        among: Any = unit_ids if isinstance(unit_ids, QuerySet) and len(aggregated) > _MANY_IDS else aggregated
        rows = (
            Rollup.objects.filter(window, org_unit_id__in=among)
            .order_by()
            .values_list("indicator_id", "org_unit_id", "first", "last", "value", "filled", "reported", "own")
        )
        ranges_of = {i: wanted[spec.period_type] for i, spec in rolled.items()}
        for indicator_id, unit_id, first, last, value, filled, reported, own_before in rows:
            if (first, last) in ranges_of[indicator_id]:
                rollups[indicator_id][(unit_id, first, last)] = (Decimal(value), filled, reported, own_before)
    # The units' subtrees are not loaded: aggregated units read their rollups, leaves have none.
    tree = UnitTree({})
    loaded = {period_type: frozenset(ranges) for period_type, ranges in wanted.items()}
    kinds = {u.pk: kind for u in units if (kind := getattr(u, "kind", None)) is not None}
    # The successions of the units that began after the months read: their values come from the
    # rollups, but whether a figure is re-based, and from what, is said from these.
    predecessors: dict[int, list[Predecessor]] = defaultdict(list)
    predecessor_codes: dict[int, str] = {}
    unread: frozenset[int] = frozenset()
    if not composition:
        # That they are successors is enough to say whether a figure is re-based (from their starts
        # and own figures); what from is not shown. Ten thousand successions are not read.
        unread = frozenset(later)
        later = []
    # Thousands of units (a national ranking) are named by their subquery, not one parameter each.
    many = isinstance(unit_ids, QuerySet) and len(later) > _MANY_IDS
    where = Q(successor_id__in=unit_ids, successor__valid_from__gt=since) if many else Q(successor_id__in=later)
    while later:
        links = _links(where)
        later = []
        for successor, predecessor, merge_type, share, code, _path, valid_from, valid_to in links:
            predecessors[successor].append((predecessor, effective_share(merge_type, share)))
            if predecessor not in predecessor_codes and predecessor not in validity:
                predecessor_codes[predecessor] = code
                if valid_from is not None or valid_to is not None:
                    validity[predecessor] = (valid_from, valid_to)
                if _starts_after(valid_from, since):
                    later.append(predecessor)
        where = Q(successor_id__in=later)
    # Every stored indicator rolled up (an index is not): a unit with rollups reads its values there,
    # and its own figures only to say what is re-based and, with completeness, whether they alone
    # make a figure whole (``Series.own_covers``: then all of them are read).
    from_rollups = aggregated if len(rolled) == len(stored) and not completeness else frozenset()
    # Without composition (a ranking), whether a successor's months before it began are its own or
    # re-based is counted in its rollups: its own figures are not read at all.
    counted = successor_ids & from_rollups if not composition else frozenset()
    read, ends = _own_read(units, unit_ids, from_rollups - counted, validity, skip=counted)
    # Only months before ``ends`` can be read: the periods asked are cut there, so that each unit's
    # figures are looked up by the codes of those months alone (a national ranking of 2026 against a
    # re-based 2025: the first half of 2025, not all of both half-years).
    spans = reads.spans
    if ends is not None:
        spans = tuple((start, min(end, ends - dt.timedelta(days=1))) for start, end in reads.spans if start < ends)
    own = own_figures(stored, read, spans)
    series = {
        i: Series(
            spec=spec,
            own=own[i],
            tree=tree,
            kinds=kinds,
            rollups=rollups.get(i, {}),
            rolled=aggregated if i in rolled else frozenset(),
            loaded=loaded[spec.period_type] if i in rolled and aggregated else None,
            own_loaded=reads.ordinal_spans(spec.period_type),
            predecessors=predecessors,
            validity=validity,
            unread_predecessors=unread,
            own_counted=counted if i in rolled else frozenset(),
        )
        for i, spec in stored.items()
    }
    return series, {u.pk: u.code for u in units}, predecessor_codes


def _own_read(
    units: Sequence[UnitRef],
    unit_ids: Any,
    from_rollups: frozenset[int],
    validity: dict[int, Validity],
    *,
    skip: frozenset[int] = frozenset(),
) -> tuple[Q, dt.date | None]:
    """Whose own figures to read, of ``units`` (``unit_ids``), and the day before which all of them
    lie when that is known (None: any day). A unit whose values come from its rollups
    (``from_rollups``) needs its own figures only to say whether its months before it began are its
    own or re-based (``Series.rebasing``): those months alone are read of it — none, for a ranking
    of the new communes' own months — and every figure of the other units. Of the units in ``skip``
    (from their rollups too, which count their own figures before they began) none is read."""
    everything = Q(org_unit_id__in=unit_ids)
    if not from_rollups and not skip:
        return everything, None
    plain = [u.pk for u in units if u.pk not in from_rollups and u.pk not in skip]
    if len(plain) > _MANY_IDS:
        return everything, None  # more than needed, rather than thousands of parameters
    # ``validity`` holds the units and, when read, their predecessors: the units' alone.
    began = {pk: start for pk, (start, _to) in validity.items() if start is not None and pk in from_rollups}
    where = Q(org_unit_id__in=plain)
    if not began:
        return where, None
    # Before the latest start among them: each one's months before its own start are among these.
    latest = max(began.values())
    ids: Any = unit_ids if len(began) > _MANY_IDS and isinstance(unit_ids, QuerySet) else list(began)
    where |= Q(org_unit_id__in=ids, period_start__lt=latest)
    return where, None if plain else latest


def analytics_measures(
    *,
    indicators: Sequence[Indicator],
    org_units: Sequence[OrgUnit],
    periods: Sequence[Period],
    basis: Basis = Basis.APPROVED,
) -> list[Measures]:
    """The eight measures for every indicator × unit × period, in that nesting order, on ``basis``."""
    if not indicators or not org_units or not periods:
        return []
    basis = Basis(basis)

    def compute(use_rollups: bool) -> list[Measures]:
        cache: dict[int, IndicatorSpec] = {}
        specs = [spec_of(i, cache) for i in indicators]
        engine = build_engine(specs=specs, units=org_units, periods=periods, use_rollups=use_rollups, basis=basis)
        return [engine.measures(spec, unit.pk, period) for spec in specs for unit in org_units for period in periods]

    return answer_cached(
        ("measures", [i.pk for i in indicators], [u.pk for u in org_units], [p.code for p in periods], basis.value),
        compute,
    )


T = TypeVar("T")


_STAMP_UNREAD: Any = object()


def answer_cached(question: tuple[Any, ...], compute: Callable[[bool], T], *, stamp: Any = _STAMP_UNREAD) -> T:
    """Answer from the cache when the rollups are in use and nothing has changed since it was
    answered; otherwise compute (from rollups when they are in use) and remember.

    At 8 a.m. on report day many leaders open the same pages: the second asks one query.
    ``stamp``: the answers' stamp (``rollups_stamp``) when the caller has read it already, for one
    request's questions kept at two levels to cost that one query.
    """
    if stamp is _STAMP_UNREAD:
        stamp = rollups_stamp()
    seconds = settings.DIEUHANH_ANALYTICS_CACHE_SECONDS
    if stamp is None or seconds <= 0:
        return compute(stamp is not None)
    key = "analytics:" + hashlib.sha256(repr((stamp, question)).encode()).hexdigest()
    cached = answer_cache.get(key)
    if cached is not None:
        return cast(T, cached)
    # Requests that find it missing together compute it once (per process): the others wait.
    with once(key):
        cached = answer_cache.get(key)
        if cached is not None:
            return cast(T, cached)
        result = compute(True)
        answer_cache.set(key, result, seconds)
        return result


def analytics_ranking(
    *,
    indicator: Indicator,
    org_unit: OrgUnit,
    period: Period,
    measure: str = "value",
    depth: int = 1,
    basis: Basis = Basis.APPROVED,
) -> list[RankRow]:
    """The units ``depth`` levels below ``org_unit`` (1: its children) on the map of the period's last
    day (``orgunits.selectors.map_day``), best first by ``measure`` and the indicator's direction,
    on ``basis`` (each row says whether its figure rests on one awaiting approval).

    Equal values share a rank (1, 2, 2, 4); units without a figure come last, unranked.
    """
    basis = Basis(basis)
    if measure not in _LOOKBACK or measure == "status":
        raise AnalyticsQueryError(_("Cannot rank by '%(measure)s'.") % {"measure": measure})
    if depth < 1:
        raise AnalyticsQueryError(_("The depth of a ranking is 1 (children) or more."))
    spec = spec_of(indicator)

    stamp = rollups_stamp()

    def compute(use_rollups: bool) -> list[RankRow]:
        query = ranked_units(org_unit=org_unit, period=period, depth=depth)
        columns = ("id", "code", "name", "path", "valid_from", "valid_to")
        units = [RankedUnit(*row) for row in query.order_by("sort_order", "code").values_list(*columns)]
        if not units:
            return []
        # Which units have rollups, from what is known of these rollups: thousands of units (a
        # national ranking) are not looked up again in the tree and the successions.
        known = rolled_units(stamp) if use_rollups and stamp is not None and basis == Basis.APPROVED else None

        def engine_for(
            units: Sequence[RankedUnit],
            *,
            composition: bool,
            units_query: QuerySet[OrgUnit] | None = None,
        ) -> Engine:
            return build_engine(
                specs=[spec],
                units=units,
                periods=[period],
                measures=[measure],
                use_rollups=use_rollups,
                units_query=units_query,
                with_targets=measure in ("plan", "plan_completion_pct", "plan_gap_pp"),
                completeness=False,
                composition=composition,
                basis=basis,
                rolled_known=known,
            )

        # A ranking shows no composition: what each successor is re-based from is read only for
        # those whose figure is missing (to say why), by a second engine of those units alone.
        engine = engine_for(units, composition=False, units_query=query)
        scored = list(
            zip(units, engine.measure_of_units(spec, [unit.pk for unit in units], period, measure), strict=True)
        )
        unapproved = frozenset(
            unit.pk
            for unit, value in scored
            if value is not None and engine.measure_unapproved(spec, unit.pk, period, measure)
        )
        return _ranked(
            scored,
            descending=indicator.direction != "down",
            marks=_rank_marks(engine, spec, scored, period, measure, explain=engine_for),
            unapproved=unapproved,
            basis=basis,
        )

    return answer_cached(
        ("ranking", indicator.pk, org_unit.pk, period.code, measure, depth, basis.value), compute, stamp=stamp
    )


def ranked_units(*, org_unit: OrgUnit, period: Period, depth: int = 1) -> QuerySet[OrgUnit]:
    """The units a ranking of ``org_unit``'s units ``depth`` levels below it ranks, as a query (the
    API counts it before asking for the ranking).

    The units of the map of the period's last day (docs/dashboards.md, "The map of a date"); below
    a unit asked about a period before it began, the units it was made of, valid then."""
    day = map_day(org_unit, period.end_date)
    if began_after(org_unit, day):
        below = [u.pk for u in predecessors_on(org_unit, on=day, fields=("id",))]
        query = OrgUnit.objects.filter(pk__in=below)
        for _level in range(depth - 1):
            query = OrgUnit.objects.filter(parent__in=query.values("pk")).valid_on(day)
        return query
    return (
        OrgUnit.objects.descendants_of(org_unit, include_self=False).filter(depth=org_unit.depth + depth).valid_on(day)
    )


# A ranked unit's re-basing: (rebased, missing reason, the predecessors' codes it concerns).
_RankMark = tuple[bool, str | None, tuple[str, ...]]
_NOT_REBASED: _RankMark = (False, None, ())


def _rank_marks(
    engine: Engine,
    spec: IndicatorSpec,
    scored: Sequence[tuple[RankedUnit, Decimal | None]],
    period: Period,
    measure: str,
    *,
    explain: Callable[..., Engine] | None = None,
) -> dict[int, _RankMark]:
    """Which ranked units' figures are re-based, and why one is missing: only successors are
    looked at (no query; nothing for a unit that never changed), and why a figure is missing only
    where it is (a national ranking of new communes asks thousands). ``explain(units,
    composition=True)``, when given, builds the engine that says why for those units (``engine``
    was then built without reading what the successors are re-based from)."""
    marks: dict[int, _RankMark] = {}
    successors = engine.successors(spec, period, measure)
    missing = [unit for unit, value in scored if value is None and unit.pk in successors]
    if all(s.aggregation == "none" for s in _stored_specs([spec]).values()):
        missing = []  # an index is not re-based: that says why, without its predecessors
    explained = explain(missing, composition=True) if explain is not None and missing else engine
    # The figures that stand (thousands, in a national ranking) in one pass; the missing ones each
    # with the reasons why, from the engine that read them.
    standing = [unit.pk for unit, value in scored if value is not None and unit.pk in successors]
    for pk, found in zip(standing, engine.rebasing_of_units(spec, standing, period, measure), strict=True):
        if found[0] or found[1] or found[2]:
            marks[pk] = _rank_mark(*found, engine)
    for unit, value in scored:
        if value is None and unit.pk in successors:
            found = explained.measure_rebasing(spec, unit.pk, period, measure, reasons=True)
            if found[0] or found[1] or found[2]:
                marks[unit.pk] = _rank_mark(*found, explained)
    return marks


def _rank_mark(rebased: bool, unknown: frozenset[int], not_rebased: bool, asked: Engine) -> _RankMark:
    """A ranked unit's mark from ``measure_rebasing``'s answer (``asked``: the engine that gave it)."""
    if unknown:
        return (rebased, MissingReason.SHARE_UNKNOWN.value, tuple(sorted(map(asked.code_of, unknown))))
    if not_rebased:
        return (rebased, MissingReason.NOT_REBASED.value, ())
    return _REBASED


_REBASED: _RankMark = (True, None, ())


def _ranked(
    scored: list[tuple[RankedUnit, Decimal | None]],
    *,
    descending: bool,
    marks: Mapping[int, _RankMark] | None = None,
    unapproved: frozenset[int] = frozenset(),
    basis: Basis = Basis.APPROVED,
) -> list[RankRow]:
    marks = marks or {}
    figures = [(unit, value) for unit, value in scored if value is not None]
    rows: list[RankRow] = []
    previous_value: Decimal | None = None
    rank = 0
    basis_value = basis.value  # once, not for each of thousands of rows

    def row(unit: RankedUnit, rank: int | None, value: Decimal | None) -> RankRow:
        rebased, reason, missing = marks.get(unit.pk, _NOT_REBASED)
        return RankRow(
            rank=rank,
            org_unit=unit.code,
            name=unit.name,
            value=value,
            # A missing figure is not a re-based one: it says why it is missing instead.
            rebased=rebased and value is not None,
            # The reason matters where there is no figure; a figure that stands says it is re-based.
            missing_reason=reason if value is None else None,
            missing_units=missing if value is None else (),
            basis=basis_value,
            unapproved=unit.pk in unapproved,
        )

    append = rows.append
    for position, (unit, value) in enumerate(sorted(figures, key=itemgetter(1), reverse=descending), start=1):
        if value != previous_value:
            rank = position
            previous_value = value
        # ``row`` of a figure that stands, written out: a national ranking has thousands.
        rebased = marks[unit.pk][0] if unit.pk in marks else False
        append(RankRow(rank, unit.code, unit.name, value, rebased, None, (), basis_value, unit.pk in unapproved))
    rows.extend(row(u, None, None) for u, v in scored if v is None)
    return rows


def resolve_query(
    *, indicator_codes: Sequence[str], org_unit_codes: Sequence[str], period_codes: Sequence[str], public_only: bool
) -> tuple[list[Indicator], list[OrgUnit], list[Period]]:
    """Turn codes into objects, or raise AnalyticsQueryError naming every unknown one."""
    errors: list[str] = []
    if not indicator_codes:
        errors.append(_("Give at least one indicator code."))
    if not org_unit_codes:
        errors.append(_("Give at least one org unit code."))
    if not period_codes:
        errors.append(_("Give at least one period."))
    indicator_qs = Indicator.objects.select_related("numerator", "denominator", "responsible_agency").filter(
        code__in=indicator_codes
    )
    if public_only:
        indicator_qs = indicator_qs.filter(is_public=True)
    indicator_by_code = {i.code: i for i in indicator_qs}
    for code in indicator_codes:
        if code not in indicator_by_code:
            errors.append(_("Unknown indicator '%(code)s'.") % {"code": code})
    periods: list[Period] = []
    for code in period_codes:
        try:
            periods.append(Period.parse(code))
        except PeriodError as exc:
            errors.append(str(exc))
    # A question: each code names the unit valid on the last day of the periods asked (or one that
    # ended within them); one that shares its code says which it is (``code_shared``).
    last = max((p.end_date for p in periods), default=today())
    first = min((p.start_date for p in periods), default=last)
    candidates = units_by_code(org_unit_codes)
    unit_by_code: dict[str, OrgUnit] = {}
    for code in org_unit_codes:
        try:
            unit_by_code[code] = unit_among(candidates.get(code, []), code, on=last, since=first)
        except UnitLookupError as exc:
            errors.append(str(exc) if exc.known else _("Unknown org unit '%(code)s'.") % {"code": code})
    if errors:
        raise AnalyticsQueryError("\n".join(errors))
    return (
        [indicator_by_code[c] for c in indicator_codes],
        [unit_by_code[c] for c in org_unit_codes],
        periods,
    )


def measures_as_json(measures: Measures, *, places: int = 6) -> dict[str, object]:
    """JSON-ready: numbers as numbers rounded to ``places`` decimals, missing as None; the
    completeness counts as integers."""
    out: dict[str, object] = {"indicator": measures.indicator, "org_unit": measures.org_unit, "period": measures.period}
    for name in Measures.MEASURE_NAMES:
        value = getattr(measures, name)
        out[name] = exact_number_out(value, places=places) if isinstance(value, Decimal) else value
    for name in Measures.COMPLETENESS_NAMES:
        out[name] = getattr(measures, name)
    # Re-based values (docs/analytics.md): whether a measure draws on months before the unit
    # existed, from which predecessors and shares, and why a re-based figure is missing.
    out["rebased"] = measures.rebased
    out["composition"] = [
        {"org_unit": code, "share": exact_number_out(share, places=places)} for code, share in measures.composition
    ]
    out["missing_reason"] = measures.missing_reason
    out["missing_units"] = list(measures.missing_units)
    # The basis (docs/analytics.md, "The basis") and which numbers rest on figures awaiting approval.
    out["basis"] = measures.basis
    for name in Measures.UNAPPROVED_NAMES:
        out[name] = getattr(measures, name)
    return out


def exact_number_out(value: Decimal | None, *, places: int = 6) -> int | Decimal | None:
    """``value`` rounded to ``places`` decimals, every digit kept: an int when whole, else a
    Decimal, which the API and the commands write as a JSON number (``dieuhanh.api.exact_json``)."""
    if value is None:
        return None
    rounded = round(value, places)
    return int(rounded) if rounded == rounded.to_integral_value() else rounded.normalize()


def number_out(value: Decimal | None, *, places: int = 6) -> int | float | None:
    """``exact_number_out`` as a float where not whole: for charts, whose script reads floats."""
    exact = exact_number_out(value, places=places)
    return float(exact) if isinstance(exact, Decimal) else exact
