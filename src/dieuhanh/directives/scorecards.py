"""Scorecards per unit, stored as monthly indicator values: analytics, the dashboards, the scorecard
page and its API all read them as they read any figure.

Two kinds of things are counted (see docs/directives.md):

- directives, as the register counts them: DIR_ASSIGNED, those assigned in the month (by the
  document's date); DIR_STATUS_*, those assigned by the month's end in each of the five
  categories at that end (at today for the month under way);
- occurrences (obligations: a one-off directive, or one due date of a recurring one):
  DIR_DONE, DIR_DONE_ONTIME, DIR_DONE_LATE, those completed in the month (by the date of the
  confirmed report), and DIR_OVERDUE, those past due and not done at its end;
  DIR_ONTIME_RATE = 100 × DIR_DONE_ONTIME / DIR_DONE is computed by analytics.

A unit's figures count what it leads itself (a group's copy counts for its member). Agencies
stand outside the administrative tree, so the province's figures cannot come from adding up
its children: the issuing unit of the documents (the province) gets figures of its own, over
every directive of its documents, a group's directive once as the register lists it, each of
its copies' occurrences once.

The figures are kept current: every write of the register refreshes, in its own transaction,
the figures of the units it touches (``scorecards_refresh``), and the daily run refreshes all of
them (the month under way counts overdue "as at today"). They go through the audited figures
service: only figures that are new or changed are written, each change with its history.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Min, Q, QuerySet

from dieuhanh.accounts.selectors import acting_user, scope_of
from dieuhanh.analytics.selectors import analytics_measures
from dieuhanh.directives.choices import DirectiveStatus
from dieuhanh.directives.models import Directive
from dieuhanh.directives.selectors import DirectiveFacts, DirectiveLeads, directive_facts
from dieuhanh.directives.status import Obligation, Timing, change_days, group_state, obligations_until, state_on
from dieuhanh.figures.choices import DataValueStatus, ImportFormat
from dieuhanh.figures.models import DataValue, ImportBatch
from dieuhanh.figures.services import FigureRow, figures_write
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodError, parse_period_for
from dieuhanh.orgunits.choices import OrgUnitKind
from dieuhanh.orgunits.models import OrgUnit

INDICATORS_FILE = Path(__file__).with_name("indicators.yaml")
CHANNEL = "directives"

ASSIGNED = "DIR_ASSIGNED"
STATUS_CODES = {
    DirectiveStatus.DONE_ON_TIME: "DIR_STATUS_DONE_ONTIME",
    DirectiveStatus.DONE_LATE: "DIR_STATUS_DONE_LATE",
    DirectiveStatus.IN_PROGRESS: "DIR_STATUS_IN_PROGRESS",
    DirectiveStatus.OVERDUE: "DIR_STATUS_OVERDUE",
    DirectiveStatus.NO_DEADLINE: "DIR_STATUS_NO_DEADLINE",
}
DONE, DONE_ON_TIME, DONE_LATE, OVERDUE = "DIR_DONE", "DIR_DONE_ONTIME", "DIR_DONE_LATE", "DIR_OVERDUE"
ON_TIME_RATE = "DIR_ONTIME_RATE"
STORED = (ASSIGNED, *STATUS_CODES.values(), DONE, DONE_ON_TIME, DONE_LATE, OVERDUE)
FLOWS = (ASSIGNED, DONE, DONE_ON_TIME, DONE_LATE)

Card = dict[str, int]


def scorecard_indicators_ensure(*, reload: bool = True) -> MetadataLoadResult | None:
    """Load the scorecard indicators into the catalogue (nothing changes once they are there).
    Without ``reload``, only when one is missing (one query): a write of the register asks this."""
    if not reload and Indicator.objects.filter(code__in=(*STORED, ON_TIME_RATE)).count() == len(STORED) + 1:
        return None
    return metadata_load(document=yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8")))


# ---- computing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Months:
    """Contiguous months and the day each is counted at: its end, or today for the month under way."""

    periods: list[Period]
    starts: list[dt.date]
    ends: list[dt.date]

    @classmethod
    def of(cls, periods: Sequence[Period], today: dt.date) -> _Months:
        months = [p for p in sorted(periods) if p.start_date <= today]
        return cls(months, [p.start_date for p in months], [min(p.end_date, today) for p in months])

    def __len__(self) -> int:
        return len(self.periods)

    def index_of(self, day: dt.date) -> int | None:
        """The month whose counting window holds ``day``."""
        i = bisect_right(self.starts, day) - 1
        return i if i >= 0 and day <= self.ends[i] else None

    def span(self, first: dt.date, stop: dt.date | None) -> tuple[int, int]:
        """The months whose counting day falls on or after ``first`` and before ``stop``."""
        return bisect_left(self.ends, first), len(self.ends) if stop is None else bisect_left(self.ends, stop)


class _Counts:
    """Per unit and indicator: flows per month, stocks as runs of months (added up at the end)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.flows: dict[int, dict[str, list[int]]] = defaultdict(lambda: {c: [0] * size for c in FLOWS})
        self.runs: dict[int, dict[str, list[int]]] = defaultdict(
            lambda: {c: [0] * (size + 1) for c in STORED if c not in FLOWS}
        )
        self.units: set[int] = set()

    def flow(self, units: Sequence[int], code: str, month: int | None) -> None:
        if month is not None:
            for unit in units:
                self.flows[unit][code][month] += 1

    def stock(self, units: Sequence[int], code: str, first: int, stop: int) -> None:
        if first < stop:
            for unit in units:
                runs = self.runs[unit][code]
                runs[first] += 1
                runs[stop] -= 1

    def flow_led(self, leads: _Segments, code: str, month: int | None) -> None:
        """A flow counted at whoever leads in that month."""
        if month is not None:
            for first, stop, unit in leads:
                if first <= month < stop and unit is not None:
                    self.flow([unit], code, month)

    def stock_led(self, leads: _Segments, code: str, first: int, stop: int) -> None:
        """A run of months counted at whoever leads in each of them."""
        for lead_first, lead_stop, unit in leads:
            if unit is not None:
                self.stock([unit], code, max(first, lead_first), min(stop, lead_stop))

    def cards(self, months: _Months) -> dict[tuple[int, str], Card]:
        out: dict[tuple[int, str], Card] = {}
        for unit in self.units:
            totals = dict.fromkeys(self.runs[unit], 0)
            for i, period in enumerate(months.periods):
                card = {code: self.flows[unit][code][i] for code in FLOWS}
                for code in totals:
                    totals[code] += self.runs[unit][code][i]
                    card[code] = totals[code]
                out[unit, period.code] = card
        return out


# Runs of months (first, stop) and the unit that leads a directive in them (None: nobody, its agency
# split and the directive not handed over yet).
_Segments = list[tuple[int, int, int | None]]


def _lead_segments(
    leads: DirectiveLeads, directive_id: int, lead_id: int | None, months: _Months, keep: Callable[[int], bool]
) -> _Segments:
    """Who leads the directive in each month, as runs: the agency in force on the month's counting
    day (a merger on 1/3 moves March on to the successor; February stays with the predecessor)."""
    days = leads.change_days(directive_id, lead_id)
    if not days:
        return [(0, len(months), lead_id if lead_id is not None and keep(lead_id) else None)]
    out: _Segments = []
    for i, end in enumerate(months.ends):
        unit = leads.unit_id_at(directive_id, lead_id, end)
        unit = unit if unit is not None and keep(unit) else None
        if out and out[-1][2] == unit:
            out[-1] = (out[-1][0], i + 1, unit)
        else:
            out.append((i, i + 1, unit))
    return out


def _runs(
    starts_on: dt.date, days: list[dt.date], months: _Months, status_on: Callable[[dt.date], str | None]
) -> Iterator[tuple[int, int, str]]:
    """A category at each month's counting day, as runs of months (first, stop, status).

    The category can change only on ``days`` (``change_days``); it is worked out on those, or on
    each counting day when there are fewer of them (a long-running monthly report).
    """
    counted = [d for d in months.ends if d >= starts_on]
    if len(days) > len(counted):
        days = counted
    for k, day in enumerate(days):
        status = status_on(day)
        if status is not None:
            yield *months.span(day, days[k + 1] if k + 1 < len(days) else None), status


def _state_runs(timing: Timing, known: list[Obligation], months: _Months) -> Iterator[tuple[int, int, str]]:
    """A directive's category at each month's counting day."""

    def status_on(day: dt.date) -> str | None:
        state = state_on(timing, known, day)
        return None if state is None else state.status

    return _runs(timing.starts_on, change_days(timing, known, months.ends[-1]), months, status_on)


def _group_runs(
    item: DirectiveFacts, copies: list[tuple[Timing, list[Obligation]]], months: _Months
) -> Iterator[tuple[int, int, str]]:
    """A group's directive's category at each month's counting day, from its copies'."""
    days = sorted({day for timing, known in copies for day in change_days(timing, known, months.ends[-1])})

    def status_on(day: dt.date) -> str | None:
        states = [state_on(timing, known, day) for timing, known in copies]
        return group_state([s for s in states if s is not None]).status

    return _runs(item.timing.starts_on, days or [item.timing.starts_on], months, status_on)


def scorecards_compute(
    *, periods: Sequence[Period], today: dt.date, units: Collection[int] | None = None
) -> dict[tuple[int, str], Card]:
    """{(unit id, month code): {indicator code: value}} for every unit that leads a directive or
    issued a document of one (only ``units`` when given), for every month of ``periods`` begun by
    ``today``; four queries. A unit with any directive by the last month gets a figure for every
    month, zeros included: a missing month would let an older stock stand in for it."""
    months = _Months.of(periods, today)
    if not len(months):
        return {}
    qs = Directive.objects.filter(starts_on__lte=months.ends[-1])
    leads = DirectiveLeads()
    if units is not None:
        # The directives a unit may lead in some month: its own, its predecessors', those handed to it.
        earlier = leads.agencies.earlier_ids(units)
        handed = [pk for pk, ts in leads.transfers.items() if any(t.to_unit_id in units for t in ts)]
        qs = qs.filter(
            Q(lead_agency_id__in=[*units, *earlier]) | Q(pk__in=handed) | Q(source__org_unit_id__in=list(units))
        )
    facts = directive_facts(directives=qs)
    counts = _Counts(len(months))
    last = months.ends[-1]
    known = {pk: obligations_until(item.timing, item.reports, last) for pk, item in facts.items()}

    def wanted(*candidates: int | None) -> list[int]:
        out = [u for u in dict.fromkeys(candidates) if u is not None and (units is None or u in units)]
        counts.units.update(out)
        return out

    for item in facts.values():
        issuer = item.issuer_id
        top_level = item.parent_id is None
        assigned = months.index_of(item.timing.starts_on)
        if item.lead_group:
            # A group's directive is one row of the register: it counts once, at the issuing unit.
            if top_level:
                at = wanted(issuer)
                counts.flow(at, ASSIGNED, assigned)
                copies = [(facts[c].timing, known[c]) for c in item.copies]
                for first, stop, status in _group_runs(item, copies, months):
                    counts.stock(at, STATUS_CODES[DirectiveStatus(status)], first, stop)
            continue

        # The lead in each month: the agency in force then (a merged agency's successor from the
        # merger on), never the issuer itself, which counts the directive once as the issuer.
        def leads_here(unit: int, issuer: int | None = issuer) -> bool:
            return unit != issuer and bool(wanted(unit))

        led = _lead_segments(leads, item.pk, item.lead_agency_id, months, leads_here)
        as_issuer = wanted(issuer if top_level else None)
        counts.flow(as_issuer, ASSIGNED, assigned)
        counts.flow_led(led, ASSIGNED, assigned)
        for first, stop, status in _state_runs(item.timing, known[item.pk], months):
            counts.stock(as_issuer, STATUS_CODES[DirectiveStatus(status)], first, stop)
            counts.stock_led(led, STATUS_CODES[DirectiveStatus(status)], first, stop)
        issuer_obligations = wanted(issuer)
        for obligation in known[item.pk]:
            if obligation.done_on is not None:
                done = months.index_of(obligation.done_on)
                for code in (DONE, DONE_ON_TIME if obligation.on_time else DONE_LATE):
                    counts.flow(issuer_obligations, code, done)
                    counts.flow_led(led, code, done)
            span = obligation.overdue_span()
            if span is not None:
                counts.stock(issuer_obligations, OVERDUE, *months.span(*span))
                counts.stock_led(led, OVERDUE, *months.span(*span))
    return counts.cards(months)


def scorecard_periods(*, period: str | None, today: dt.date) -> list[Period]:
    """The months to collect: those inside ``period`` (202311, 2023Q4, 2023) begun by today, or
    every month from January of the first directive's year (or of the first stored figure's, if
    that directive has since been deleted) to the current one: a year of scorecards is then whole
    (zeros before the first directive), so its cumulative is complete and can be judged."""
    if period:
        chosen = Period.parse(period)
        return [p for p in Period.months_between(chosen.start_date, chosen.end_date) if p.start_date <= today]
    firsts = [
        Directive.objects.aggregate(first=Min("starts_on"))["first"],
        DataValue.objects.filter(indicator__code=ASSIGNED).aggregate(first=Min("period_start"))["first"],
    ]
    known = [day for day in firsts if day is not None]
    return Period.months_between(min(known).replace(month=1, day=1), today) if known else []


# ---- writing ------------------------------------------------------------------------------------


class ScorecardError(RuntimeError):
    """The figures could not be written; ``messages`` say why (in the user's language)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class CollectResult:
    """``rows`` figures computed; ``unchanged`` of them already stored as they are; ``batch`` is
    the write of the others (None when there were none)."""

    periods: list[Period]
    rows: int
    unchanged: int
    skipped_invalid_units: int
    batch: ImportBatch | None


def scorecards_collect(
    *,
    periods: list[Period],
    today: dt.date,
    units: Collection[int] | None = None,
    user: Any = None,
    dry_run: bool = False,
    reason: str = "",
) -> CollectResult:
    """Compute the scorecards of ``periods`` (of ``units`` only, when given) and store what changed.

    Idempotent: only figures that are new or changed are written; when none is, nothing is
    written at all (no import batch either). A unit that had figures but no longer has
    directives (a directive moved to another agency) gets zeros, so no stale figure survives.
    Months in which a unit did not exist are skipped: the catalogue refuses figures for them.
    Raises ``ScorecardError`` if a period is not of the scorecards' own type (nothing is written then).
    """
    with transaction.atomic():
        scorecard_indicators_ensure(reload=units is None)
        # Two writes of the register at once would each count without the other's directive and
        # the later would store its count last: one refresh at a time, each seeing the others'.
        list(Indicator.objects.select_for_update().filter(code=ASSIGNED).values_list("pk", flat=True))
        cards = scorecards_compute(periods=periods, today=today, units=units)
        codes = {p.code for p in periods}
        stored_qs = DataValue.objects.filter(indicator__code__in=STORED, period__in=codes)
        if units is not None:
            stored_qs = stored_qs.filter(org_unit_id__in=list(units))
        stored = {
            (u, p, i): v for u, p, i, v in stored_qs.values_list("org_unit_id", "period", "indicator__code", "value")
        }
        for unit_id, month, _code in stored:
            cards.setdefault((unit_id, month), dict.fromkeys(STORED, 0))
        by_pk = {u.pk: u for u in OrgUnit.objects.filter(pk__in={unit for unit, _p in cards})}
        by_code = {p.code: p for p in periods}
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=STORED)}
        rows: list[FigureRow] = []
        total = unchanged = skipped = 0
        for (unit_id, code), card in sorted(cards.items(), key=lambda kv: (by_pk[kv[0][0]].code, kv[0][1])):
            unit, period = by_pk[unit_id], by_code[code]
            if not unit.is_valid_between(period.start_date, period.end_date):
                skipped += 1
                continue
            for code_of_indicator in STORED:
                total += 1
                if stored.get((unit_id, code, code_of_indicator)) == card[code_of_indicator]:
                    unchanged += 1
                    continue
                indicator = indicators[code_of_indicator]
                try:
                    parse_period_for(period.code, indicator.period_type)
                except PeriodError as exc:
                    raise ScorecardError([str(exc)]) from exc
                rows.append(FigureRow(indicator.pk, unit_id, period, Decimal(card[code_of_indicator])))
        if not rows:
            return CollectResult(periods, total, unchanged, skipped, None)
        first, last = periods[0].code, periods[-1].code
        name = reason or (f"nhiem-vu-{first}" if first == last else f"nhiem-vu-{first}-{last}")
        batch = ImportBatch(
            source_name=name[:255], channel=CHANNEL, file_format=ImportFormat.API, created_by=acting_user(user)
        )
        # Counted from the register, not reported by anyone: nothing awaits approval (analytics counts
        # approved figures by default, docs/analytics.md "The basis").
        figures_write(rows, batch=batch, user=user, dry_run=dry_run, status=DataValueStatus.APPROVED)
        return CollectResult(periods, total, unchanged, skipped, batch)


_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("scorecards_deferred", default=False)


@contextmanager
def scorecards_deferred() -> Iterator[None]:
    """Writes of the register inside this block leave the scorecards alone; the caller collects
    them once afterwards (bringing in a whole register, as the demo does)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def scorecards_refresh(*, units: Collection[int | None], today: dt.date, user: Any = None, reason: str = "") -> None:
    """Bring the stored figures of ``units`` up to date, every month from the register's first to
    the current one; a write of the register calls this in its own transaction."""
    wanted = {u for u in units if u is not None}
    if not wanted or _deferred.get():
        return
    periods = scorecard_periods(period=None, today=today)
    if periods:
        scorecards_collect(periods=periods, today=today, units=wanted, user=user, reason=reason)


# ---- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScorecardRow:
    """One unit's scorecard over a period, as stored and read through analytics.

    ``directives``: the register's categories at the period's end (at today for a period under
    way); ``assigned``: directives assigned in the period; occurrences: completed on time, late
    (in the period), overdue (at its end), and the share on time.
    """

    unit: OrgUnit
    assigned: int
    directives: dict[str, int]
    occurrences_done_on_time: int
    occurrences_done_late: int
    occurrences_overdue: int
    occurrences_on_time_rate: Decimal | None

    @property
    def directives_total(self) -> int:
        return sum(self.directives.values())


def scorecard_rows(*, period: Period, user: Any = None) -> list[ScorecardRow]:
    """Each unit's stored scorecard over ``period`` (the province first, then agencies, then the
    others), read through analytics like any indicator; a fixed number of queries. With ``user``,
    only the units they read in full (leaders, operators: all; a unit's members: its subtree;
    no role: none), as the register lists only their directives; None: every unit (a command)."""
    indicators = list(
        Indicator.objects.select_related("numerator", "denominator").filter(code__in=(*STORED, ON_TIME_RATE))
    )
    by_code = {i.code: i for i in indicators}
    if ASSIGNED not in by_code:
        return []
    with_figures = DataValue.objects.filter(
        indicator=by_code[ASSIGNED], period_start__gte=period.start_date, period_start__lte=period.end_date
    ).values("org_unit_id")
    shown: QuerySet[OrgUnit] = OrgUnit.objects.filter(pk__in=with_figures)
    if user is not None:
        shown = scope_of(user).units(shown)
    units = sorted(
        shown,
        key=lambda u: (u.kind != OrgUnitKind.PROVINCE, u.kind != OrgUnitKind.AGENCY, u.sort_order, u.code),
    )
    measures = analytics_measures(indicators=indicators, org_units=units, periods=[period])
    value = {(m.indicator, m.org_unit): m.value for m in measures}

    def whole(code: str, unit: OrgUnit) -> int:
        number = value.get((code, unit.code))
        return int(number) if number is not None else 0

    rows = [
        ScorecardRow(
            unit=unit,
            assigned=whole(ASSIGNED, unit),
            directives={status.value: whole(code, unit) for status, code in STATUS_CODES.items()},
            occurrences_done_on_time=whole(DONE_ON_TIME, unit),
            occurrences_done_late=whole(DONE_LATE, unit),
            occurrences_overdue=whole(OVERDUE, unit),
            occurrences_on_time_rate=value.get((ON_TIME_RATE, unit.code)),
        )
        for unit in units
    ]
    # Every unit has figures from the register's first month, zeros included: one that had no
    # directive yet by the period's end has nothing to say about it.
    return [
        row
        for row in rows
        if row.assigned
        or row.directives_total
        or row.occurrences_done_on_time
        or row.occurrences_done_late
        or row.occurrences_overdue
    ]
