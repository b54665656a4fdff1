"""Filling the rollups: a full rebuild, and an incremental refresh after figures change.

Both work level by level from the deepest aggregated units up: a unit's rollups are
computed by the engine from its own figures, its leaf children's figures and its
aggregated children's rollups (already refreshed), so a refresh after a district's
import reads that district's communes and the rollups of the province's other
districts — never the whole country.

Units with predecessors (successions) have rollups too, even leaves: the months before they began
are re-based from their predecessors by the same engine code, so a rollup of 2025 of a unit that
began on 1 July holds January–June from its predecessors. A unit's rollups are therefore computed
after its children's and its predecessors' (``_levels``), and a change of figures refreshes the
successors of the changed units and their ancestors too.

The rollups hold the default basis alone (docs/analytics.md, "The basis"): approved figures. A
figure submitted and awaiting approval is not in them; approving it is a write through the figures
service like any other, and refreshes them.

Writes through the figures service announce themselves (``figures_written``) and the
rollups are refreshed inside their transaction (``figures_written_heard``). Anything else
(a catalogue change that moves units, a direct database write) marks them invalid, and
analytics computes from the stored figures until the next rebuild (see ``RollupState``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dieuhanh.analytics.engine import (
    Basis,
    IndicatorSpec,
    Predecessor,
    RollupKey,
    RollupValue,
    Series,
    UnitTree,
    Validity,
    rollup_rows,
)
from dieuhanh.analytics.figures import ordinal_of, own_figures
from dieuhanh.analytics.models import Rollup, RollupState
from dieuhanh.figures.choices import DataValueStatus
from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.choices import Aggregation
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.orgunits.choices import MergeType
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.orgunits.tree import path_ids
from dieuhanh.planner import analyse, analyse_if_stale, reindex, vacuum

STATE_KEY = "rollups"
ROLLED_AGGREGATIONS = (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.LAST)
WRITE_CHUNK = 5_000
# The rollups' indexes whose order (indicator first) a rebuild, writing unit by unit, does not
# follow: rebuilt once it is done (``planner.reindex``). ``Rollup.Meta`` names them.
SPREAD_INDEXES = ("rollup_key", "rollup_range")
# Units handled together in one step, and about how many figures a step holds in memory:
# a province's communes × 40 indicators × 6 years on a national rebuild, every indicator at once
# when one month was imported.
UNITS_PER_STEP = 4
FIGURES_PER_STEP = 300_000

# Beyond this many changed figures, rebuilding the rollups is cheaper than refreshing them.
REBUILD_ABOVE = 500_000


@dataclass(frozen=True)
class RefreshResult:
    units: int
    rows: int
    seconds: float


def figures_written_heard(
    sender: Any, *, count: int, keys: Callable[[], set[tuple[int, int, dt.date]]], complete: bool, **_kw: Any
) -> str | None:
    """Bring the rollups, and with them the answer cache's stamp, up to date after a write of
    figures (``dieuhanh.figures.signals.figures_written``), inside the write's transaction.
    Returns what an operator may want to read when it rebuilt them."""
    ready = rollups_ready()
    stale = not ready and DataValue.objects.exists()
    if (complete and (count or stale)) or (ready and count > REBUILD_ABOVE):
        return rebuilt_text(rollups_rebuild())
    if ready and count:
        rollups_refresh(changed=keys())
    return None


def rebuilt_text(result: RefreshResult) -> str:
    return _("Rollups rebuilt: %(units)s aggregated units, %(rows)s rows, in %(seconds)s s.") % {
        "units": number_format(result.units, force_grouping=True),
        "rows": number_format(result.rows, force_grouping=True),
        "seconds": number_format(result.seconds, decimal_pos=1),
    }


def rollups_ready() -> bool:
    """Whether analytics may read the rollups (they are complete and current)."""
    return RollupState.objects.filter(key=STATE_KEY, valid=True).exists()


def rollups_stamp() -> str | None:
    """An identifier of the current answers while rollups are in use, else None (one query).

    It changes with every rebuild and every change of figures or catalogue, so it can key a
    cache of answers: the rebuild time tells databases and test runs apart, the version
    tells the changes in between apart.
    """
    row = RollupState.objects.filter(key=STATE_KEY, valid=True).values_list("rebuilt_at", "version").first()
    return f"{row[0].isoformat()}/{row[1]}" if row is not None and row[0] is not None else None


def rollups_invalidate(*, reason: str) -> None:
    RollupState.objects.filter(key=STATE_KEY, valid=True).update(valid=False, note=reason[:200])


def answers_changed() -> None:
    """Something an answer depends on changed (a target, a name, a direction): retire cached answers."""
    RollupState.objects.filter(key=STATE_KEY).update(version=F("version") + 1)


def rolled_among(unit_ids: Iterable[int] | Any = None, *, any_began: bool = True) -> frozenset[int]:
    """Which of ``unit_ids`` (all units, when None) have rollups: the units with children, whose
    figures are aggregated from below, and the successors, whose figures before they began are
    re-based from their predecessors. One query.

    ``any_began=False`` says that none of ``unit_ids`` has a start date: none is then re-based
    (a successor without a start has no "before"), and the successors are not looked for.
    """
    if unit_ids is None:
        parents = OrgUnit.objects.filter(parent__isnull=False)
        successors = Succession.objects.all()
    else:
        parents = OrgUnit.objects.filter(parent_id__in=unit_ids)
        successors = Succession.objects.filter(successor_id__in=unit_ids)
    parent_ids = parents.order_by().values_list("parent_id", flat=True)
    if not any_began:
        return frozenset(parent_ids.distinct())
    return frozenset(parent_ids.union(successors.order_by().values_list("successor_id", flat=True)))


# The units with children and the successors, as the rollups of one stamp were built for
# (``rolled_units``): the stamp they were read for, and the two sets.
_rolled_memo: tuple[str, frozenset[int], frozenset[int]] | None = None


def rolled_units(stamp: str) -> tuple[frozenset[int], frozenset[int]]:
    """Every unit with children, and every successor: the two facts that say whether a unit has
    rollups (``rolled_of_units``), for the rollups of ``stamp`` (``rollups_stamp``).

    Read once per process for each stamp (two queries, over the unit tree and the successions),
    not with each question: a national ranking's 3,321 units would otherwise be looked up in both
    tables on every call. What they say cannot change under the same stamp: adding, moving or
    deleting a unit and changing a succession mark the rollups invalid and retire the answers
    (``analytics.signals``), and a load of the catalogue rebuilds them; each changes the stamp.
    """
    global _rolled_memo  # noqa: PLW0603 - one entry per process, replaced when the stamp changes
    memo = _rolled_memo
    if memo is not None and memo[0] == stamp:
        return memo[1], memo[2]
    parents = rolled_among(any_began=False)
    successors = frozenset(Succession.objects.order_by().values_list("successor_id", flat=True).distinct())
    _rolled_memo = (stamp, parents, successors)
    return parents, successors


def rolled_of_units(
    unit_ids: Iterable[int], known: tuple[frozenset[int], frozenset[int]], *, any_began: bool = True
) -> tuple[frozenset[int], frozenset[int]]:
    """``rolled_successors_among`` of ``unit_ids`` from what ``rolled_units`` knows of every unit
    (``known``: the units with children, the successors), with no query. A unit with children has
    rollups; a successor has them too, unless none of the units has a start date
    (``any_began=False``: none is then re-based)."""
    parents, successors = known
    ids = frozenset(unit_ids)
    successor_ids = ids & successors if any_began else frozenset()
    return (ids & parents) | successor_ids, successor_ids


def rolled_successors_among(
    unit_ids: Iterable[int] | Any, *, any_began: bool = True
) -> tuple[frozenset[int], frozenset[int]]:
    """``rolled_among``, and which of those are successors (a ranking says from these alone whether
    a figure is re-based): one query, each unit looked up in the two indexes."""
    if not any_began:
        return rolled_among(unit_ids, any_began=False), frozenset()
    has_children = Exists(OrgUnit.objects.filter(parent_id=OuterRef("pk")))
    is_successor = Exists(Succession.objects.filter(successor_id=OuterRef("pk")))
    rows = list(
        OrgUnit.objects.filter(pk__in=unit_ids)
        .filter(has_children | is_successor)
        .order_by()
        .values_list("pk", is_successor)
    )
    return frozenset(pk for pk, _successor in rows), frozenset(pk for pk, successor in rows if successor)


def effective_share(merge_type: str, share: Decimal | None) -> Decimal | None:
    """``Succession.effective_share`` of a row read as values: 1 unless merged in part."""
    return share if merge_type == MergeType.PART else Decimal(1)


def _specs() -> dict[int, IndicatorSpec]:
    rows = Indicator.objects.filter(aggregation__in=ROLLED_AGGREGATIONS).values_list(
        "pk", "code", "period_type", "aggregation", "collected_at"
    )
    return {
        pk: IndicatorSpec(
            id=pk, code=code, period_type=PeriodType(period_type), aggregation=aggregation, collected_at=collected_at
        )
        for pk, code, period_type, aggregation, collected_at in rows
    }


def rollups_rebuild(*, progress: Callable[[int, int], None] | None = None) -> RefreshResult:
    """Recompute every rollup from the stored figures and mark them valid."""
    started = time.perf_counter()
    with transaction.atomic():
        state, _created = RollupState.objects.select_for_update().get_or_create(key=STATE_KEY)
        Rollup.objects.all().delete()
        specs = _specs()
        aggregated = rolled_among()
        years = _years_with_data()
        units, rows = _recompute(
            {
                (indicator, unit, year): Period(year, spec.period_type, 1).ordinal
                for indicator, spec in specs.items()
                for unit in aggregated
                for year in years
            },
            specs=specs,
            replace=False,
            progress=progress,
        )
        # Every row is new: the reads that follow are planned for the table as it now is.
        analyse(Rollup._meta.db_table)
        state.valid = True
        state.version += 1
        state.rebuilt_at = state.refreshed_at = timezone.now()
        state.note = ""
        state.save()
    table = Rollup._meta.db_table
    # Written unit by unit, the rows arrived all over the two indexes ordered by indicator first,
    # whose pages were split half full: built afresh from the rows, they take half the space.
    reindex(table, SPREAD_INDEXES)
    # The old rows are dead and the new ones not yet known to be visible to all: a ranking's
    # rollups, read from their index alone (``Rollup.Meta.indexes``), would visit the table for each.
    vacuum(table)
    return RefreshResult(units=units, rows=rows, seconds=time.perf_counter() - started)


def rollups_refresh(*, changed: Iterable[tuple[int, int, dt.date]]) -> RefreshResult | None:
    """Bring the rollups up to date after figures changed: (indicator id, unit id, the start of
    the figure's period) for each.

    Only the ranges of a year that end at or after its earliest changed period are recomputed:
    a range that ends before it (a month before, the year to an earlier month) holds no changed
    figure, so its value and completeness are what they were.

    Call it inside the transaction that changed them. Does nothing when the rollups
    are invalid anyway (they wait for a rebuild) or when nothing changed.
    """
    started = time.perf_counter()
    changed = set(changed)
    if not changed:
        return None
    state = RollupState.objects.select_for_update().filter(key=STATE_KEY, valid=True).first()
    if state is None:
        return None
    specs = _specs()
    paths = dict(OrgUnit.objects.filter(pk__in={u for _i, u, _y in changed}).order_by().values_list("pk", "path"))
    dependents = _dependents(paths)
    aggregated = rolled_among({a for units in dependents.values() for a in units})
    # (indicator, aggregated unit, year) → the earliest changed sub-period (an ordinal).
    wanted: dict[tuple[int, int, int], int] = {}
    for indicator, unit, start in changed:
        if indicator not in specs:
            continue
        since = ordinal_of(start, specs[indicator].period_type)
        for ancestor in dependents.get(unit, ()):
            if ancestor in aggregated:
                key = (indicator, ancestor, start.year)
                wanted[key] = min(since, wanted.get(key, since))
    units, rows = _recompute(wanted, specs=specs, replace=True, progress=None)
    analyse_if_stale(Rollup._meta.db_table, changed=rows)
    state.refreshed_at = timezone.now()
    state.version += 1
    state.save(update_fields=["refreshed_at", "version"])
    return RefreshResult(units=units, rows=rows, seconds=time.perf_counter() - started)


def _dependents(paths: dict[int, str]) -> dict[int, set[int]]:
    """The units whose figures a change at each of these units (id → path) may change: itself and
    its ancestors, their successors (re-based from them) and theirs, and so on. One query for each
    link of a chain of successions (one, when there is none)."""
    reach = {unit: set(path_ids(path)) for unit, path in paths.items()}
    successors: dict[int, set[int]] = defaultdict(set)
    paths_of: dict[int, str] = {}
    frontier = {a for units in reach.values() for a in units}
    seen = set(frontier)
    while frontier:
        links = (
            Succession.objects.filter(predecessor_id__in=frontier)
            .order_by()
            .values_list("predecessor_id", "successor_id", "successor__path")
        )
        frontier = set()
        for predecessor, successor, path in links:
            successors[predecessor].add(successor)
            paths_of[successor] = path
            for unit in path_ids(path):
                if unit not in seen:
                    seen.add(unit)
                    frontier.add(unit)
    if not successors:
        return reach
    for units in reach.values():
        pending = list(units)
        while pending:
            for successor in successors.get(pending.pop(), ()):
                for unit in path_ids(paths_of[successor]):
                    if unit not in units:
                        units.add(unit)
                        pending.append(unit)
    return reach


def rollup_window(specs: dict[int, IndicatorSpec], start: dt.date, end: dt.date) -> Q:
    """Rollups of these indicators lying within [start, end]: one range per period type, since
    ordinals of months, quarters and years are not comparable with one another."""
    by_type: dict[PeriodType, list[int]] = defaultdict(list)
    for indicator, spec in specs.items():
        by_type[spec.period_type].append(indicator)
    window = Q(pk__in=[])
    for period_type, indicators in by_type.items():
        window |= Q(
            indicator_id__in=indicators,
            first__gte=ordinal_of(start, period_type),
            last__lte=ordinal_of(end, period_type),
        )
    return window


def _years_with_data() -> list[int]:
    # The rollups hold the default basis alone (approved figures): see ``build_engine``.
    bounds = (
        DataValue.objects.filter(status=DataValueStatus.APPROVED)
        .order_by()
        .aggregate(first=Min("period_start"), last=Max("period_start"))
    )
    first, last = bounds["first"], bounds["last"]
    return list(range(first.year, last.year + 1)) if first and last else []


def _recompute(
    wanted: dict[tuple[int, int, int], int],
    *,
    specs: dict[int, IndicatorSpec],
    replace: bool,
    progress: Callable[[int, int], None] | None,
) -> tuple[int, int]:
    """Recompute (indicator, aggregated unit, year) rollups from a sub-period (an ordinal) on, deepest
    units first."""
    if not wanted:
        return 0, 0
    by_unit: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for (indicator, unit, year), since in wanted.items():
        by_unit[unit][(indicator, year)] = since
    level_of = _levels(set(by_unit))
    order = sorted(by_unit, key=lambda u: (level_of[u], u))
    written = 0
    done = 0
    # Units of one level never depend on each other, so a step may mix them; a step never
    # spans two levels, because a unit needs its children's and predecessors' fresh rollups.
    steps: list[list[int]] = []
    for unit in order:
        if steps and len(steps[-1]) < UNITS_PER_STEP and level_of[steps[-1][0]] == level_of[unit]:
            steps[-1].append(unit)
        else:
            steps.append([unit])
    for step in steps:
        written += _recompute_units(step, {u: by_unit[u] for u in step}, specs=specs, replace=replace)
        done += len(step)
        if progress is not None:
            progress(done, len(order))
    return len(order), written


def _levels(units: set[int]) -> dict[int, int]:
    """Each unit's level among ``units``: 0 when none of its children or predecessors is among
    them, else one more than the highest of theirs (two queries)."""
    needs: dict[int, set[int]] = defaultdict(set)
    for unit, parent in OrgUnit.objects.filter(pk__in=units).order_by().values_list("pk", "parent_id"):
        if parent in units:
            needs[parent].add(unit)
    links = Succession.objects.filter(successor_id__in=units, predecessor_id__in=units).order_by()
    for predecessor, successor in links.values_list("predecessor_id", "successor_id"):
        needs[successor].add(predecessor)
    level: dict[int, int] = {}

    def level_of(unit: int, visiting: frozenset[int]) -> int:
        if unit not in level:
            below = [level_of(u, visiting | {unit}) for u in needs.get(unit, ()) if u not in visiting]
            level[unit] = 1 + max(below) if below else 0
        return level[unit]

    for unit in units:
        level_of(unit, frozenset())
    return level


def _recompute_units(
    units: list[int], by_unit: dict[int, dict[tuple[int, int], int]], *, specs: dict[int, IndicatorSpec], replace: bool
) -> int:
    children: dict[int, list[int]] = defaultdict(list)
    kinds: dict[int, str] = {}
    validity: dict[int, Validity] = {}
    for unit, parent, kind, valid_from, valid_to in (
        OrgUnit.objects.filter(Q(pk__in=units) | Q(parent_id__in=units))
        .order_by()
        .values_list("pk", "parent_id", "kind", "valid_from", "valid_to")
    ):
        if unit not in units:
            children[parent].append(unit)
        kinds[unit] = kind
        if valid_from is not None or valid_to is not None:
            validity[unit] = (valid_from, valid_to)
    all_children = {c for cs in children.values() for c in cs}
    predecessors: dict[int, list[Predecessor]] = defaultdict(list)
    if any(validity.get(u, (None, None))[0] is not None for u in [*units, *all_children]):
        # Successors among the units (re-based from their predecessors) and their children (not
        # counted before they began).
        for successor, predecessor, merge_type, share, valid_from, valid_to in (
            Succession.objects.filter(successor_id__in=[*units, *all_children])
            .order_by("successor_id", "predecessor__code")
            .values_list(
                "successor_id",
                "predecessor_id",
                "merge_type",
                "share",
                "predecessor__valid_from",
                "predecessor__valid_to",
            )
        ):
            predecessors[successor].append((predecessor, effective_share(merge_type, share)))
            if successor in units and (valid_from is not None or valid_to is not None):
                validity[predecessor] = (valid_from, valid_to)
    read = all_children | {p for u in units for p, _s in predecessors.get(u, ())}
    aggregated_children = rolled_among(read) if read else frozenset()
    leaf_children = read - aggregated_children
    if replace:
        _delete(units, by_unit, specs=specs)
    indicators = sorted({i for u in units for i, _y in by_unit[u]})
    years = {y for u in units for _i, y in by_unit[u]}
    # As many indicators at a time as keep the figures in memory near FIGURES_PER_STEP.
    per_indicator = (len(units) + len(leaf_children)) * 12 * len(years)
    chunk = max(1, FIGURES_PER_STEP // max(1, per_indicator))
    tree = UnitTree(children)
    written = 0
    for first in range(0, len(indicators), chunk):
        part = indicators[first : first + chunk]
        written += _compute_and_write(
            units,
            by_unit,
            part,
            years,
            specs=specs,
            tree=tree,
            kinds=kinds,
            leaf_children=leaf_children,
            rolled=aggregated_children,
            predecessors=predecessors,
            validity=validity,
        )
    return written


def _compute_and_write(
    units: list[int],
    by_unit: dict[int, dict[tuple[int, int], int]],
    indicators: list[int],
    years: set[int],
    *,
    specs: dict[int, IndicatorSpec],
    tree: UnitTree,
    kinds: dict[int, str],
    leaf_children: set[int],
    rolled: frozenset[int],
    predecessors: dict[int, list[Predecessor]],
    validity: dict[int, Validity],
) -> int:
    start, end = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    chosen = {i: specs[i] for i in indicators}
    # Approved figures only: the rollups are the default basis's (``Basis.APPROVED``).
    # Whole years of a few named units: read by the figures' unique key.
    own = own_figures(
        chosen, Q(org_unit_id__in=set(units) | leaf_children), [(start, end)], basis=Basis.APPROVED, by_key=True
    )
    rollups: dict[int, dict[RollupKey, RollupValue]] = {i: {} for i in indicators}
    if rolled:
        stored = (
            Rollup.objects.filter(org_unit_id__in=rolled)
            .filter(rollup_window(chosen, start, end))
            .order_by()
            .values_list("indicator_id", "org_unit_id", "first", "last", "value", "filled", "reported", "own")
        )
        for indicator, unit, first, last, text, filled, reported, own_before in stored:
            rollups[indicator][(unit, first, last)] = (Decimal(text), filled, reported, own_before)
    years_of: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for unit in units:
        for (indicator, year), since in by_unit[unit].items():
            years_of[(unit, indicator)][year] = since
    rows: list[tuple[int, int, int, int, str, int, int, int]] = []
    for indicator in indicators:
        if not own[indicator] and not rollups[indicator]:
            continue  # no figure anywhere below these units: every rollup would be empty
        series = Series(
            spec=specs[indicator],
            own=own[indicator],
            tree=tree,
            rollups=rollups[indicator],
            rolled=rolled,
            kinds=kinds,
            predecessors=predecessors,
            validity=validity,
        )
        for unit in units:
            for year, since in sorted(years_of[(unit, indicator)].items()):
                rows.extend(
                    (indicator, unit, f, la, str(v), n, r, o)
                    for f, la, v, n, r, o in rollup_rows(series, unit, year, since=since)
                )
    _insert(rows)
    return len(rows)


def _delete(
    units: list[int], by_unit: dict[int, dict[tuple[int, int], int]], *, specs: dict[int, IndicatorSpec]
) -> None:
    """Remove the rollups about to be recomputed (a year's ranges that end at or after the first
    sub-period recomputed): one delete per unit, period type, year and first sub-period."""
    stale: dict[tuple[int, PeriodType, int, int], set[int]] = defaultdict(set)
    for unit in units:
        for (indicator, year), since in by_unit[unit].items():
            stale[(unit, specs[indicator].period_type, year, since)].add(indicator)
    for (unit, period_type, year, since), stale_indicators in stale.items():
        first = Period(year, period_type, 1).ordinal
        Rollup.objects.filter(
            indicator_id__in=stale_indicators,
            org_unit_id=unit,
            first__gte=first,
            last__gte=since,
            last__lt=first + period_type.per_year,
        ).delete()


def _insert(rows: list[tuple[int, int, int, int, str, int, int, int]]) -> None:
    """Write rollup rows without building a model instance for each (a rebuild writes hundreds of thousands)."""
    if not rows:
        return
    table = Rollup._meta.db_table
    columns = "indicator_id, org_unit_id, first, last, value, filled, reported, own"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            for start in range(0, len(rows), WRITE_CHUNK):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608 - our table name
                    rows[start : start + WRITE_CHUNK],
                )
