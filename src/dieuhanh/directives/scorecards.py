"""Scorecards per agency, written as monthly indicator values so analytics treat them like any figure.

For month M, each unit gets (see docs/directives.md):

- DIR_ASSIGNED: directives assigned to it as lead in M (by the document's date); a recurring
  directive counts once, when assigned;
- DIR_DONE: obligations completed in M (a one-off directive, or one occurrence of a recurring
  one), by the date of the confirmed completion report;
- DIR_DONE_ONTIME / DIR_DONE_LATE: of those, on or before / after their due date;
- DIR_OVERDUE: obligations past due and not completed at the end of M (at today for the month
  under way);
- DIR_ONTIME_RATE = 100 × DIR_DONE_ONTIME / DIR_DONE, computed by analytics (a ratio indicator).

Agencies stand outside the administrative tree (they are not children of the province), so the
province's figure cannot come from adding up its children: the province-wide figure covers every
directive of the documents the province issued (``SourceDocument.org_unit``), whoever leads
them, and is written to the province itself; analytics then use the province's own value.
A group's directive counts once per member unit (each leads its own copy) and, at the
province, once per copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dieuhanh.directives.models import Directive, ProgressUpdate, ReviewState
from dieuhanh.directives.status import Obligation, occurrences_until
from dieuhanh.indicators.metadata import MetadataLoadResult, metadata_load
from dieuhanh.indicators.periods import Period
from dieuhanh.ingest.models import DataValue
from dieuhanh.ingest.services import ImportResult, import_file
from dieuhanh.orgunits.models import OrgUnit

INDICATORS_FILE = Path(__file__).with_name("indicators.yaml")
STORED = ("DIR_ASSIGNED", "DIR_DONE", "DIR_DONE_ONTIME", "DIR_DONE_LATE", "DIR_OVERDUE")
CHANNEL = "directives"


def scorecard_indicators_ensure() -> MetadataLoadResult:
    """Load the scorecard indicators into the catalogue (nothing changes once they are there)."""
    return metadata_load(document=yaml.safe_load(INDICATORS_FILE.read_text(encoding="utf-8")))


@dataclass
class Scorecard:
    """One unit's figures for one month."""

    assigned: int = 0
    done: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return 100 * self.done_on_time / self.done if self.done else None

    def values(self) -> dict[str, int]:
        return {
            "DIR_ASSIGNED": self.assigned,
            "DIR_DONE": self.done,
            "DIR_DONE_ONTIME": self.done_on_time,
            "DIR_DONE_LATE": self.done_late,
            "DIR_OVERDUE": self.overdue,
        }


@dataclass
class _Leaf:
    pk: int
    lead_id: int | None
    province_id: int | None
    starts_on: dt.date
    obligations: list[Obligation] = field(default_factory=list)


def _leaves(*, until: dt.date) -> list[_Leaf]:
    """Every directive that is an assignment of its own (not a group's parent), with its obligations
    up to ``until``; three queries."""
    rows = list(
        Directive.objects.filter(lead_group="", starts_on__lte=until).values(
            "pk",
            "lead_agency_id",
            "source__org_unit_id",
            "starts_on",
            "deadline",
            "recurrence",
            "recurrence_day",
            "ends_on",
            "completed_on",
        )
    )
    reports: dict[int, dict[dt.date, dt.date]] = defaultdict(dict)
    for update in (
        ProgressUpdate.objects.filter(review=ReviewState.ACCEPTED, percent=100, occurrence_due__isnull=False)
        .order_by("reported_on", "id")
        .values("directive_id", "occurrence_due", "reported_on")
    ):
        if update["occurrence_due"] is not None:
            reports[update["directive_id"]].setdefault(update["occurrence_due"], update["reported_on"])
    leaves = []
    for row in rows:
        leaf = _Leaf(row["pk"], row["lead_agency_id"], row["source__org_unit_id"], row["starts_on"])
        if row["recurrence"] in ("monthly", "quarterly"):
            done = reports.get(row["pk"], {})
            dues = occurrences_until(
                recurrence=row["recurrence"],
                day=row["recurrence_day"],
                starts_on=row["starts_on"],
                ends_on=row["ends_on"],
                until=until,
            )
            leaf.obligations = [Obligation(row["pk"], row["lead_agency_id"], due, done.get(due)) for due in dues]
        else:
            leaf.obligations = [Obligation(row["pk"], row["lead_agency_id"], row["deadline"], row["completed_on"])]
        leaves.append(leaf)
    return leaves


def scorecards_compute(*, periods: Iterable[Period], today: dt.date) -> dict[tuple[int, str], Scorecard]:
    """{(unit id, period code): Scorecard} for the lead agencies and the issuing provinces."""
    periods = sorted(periods)
    if not periods:
        return {}
    until = min(max(p.end_date for p in periods), today)
    leaves = _leaves(until=until)
    cards: dict[tuple[int, str], Scorecard] = {}

    def card(unit_id: int | None, period: str) -> Scorecard | None:
        if unit_id is None:
            return None
        return cards.setdefault((unit_id, period), Scorecard())

    for period in periods:
        start, end = period.start_date, period.end_date
        if start > today:
            continue
        as_of = min(end, today)
        for leaf in leaves:
            if leaf.starts_on > as_of:
                continue
            # Every unit with a directive gets a figure for every month from then on, zeros
            # included: a missing month would let an older figure stand in for it.
            targets = [c for c in (card(leaf.lead_id, period.code), card(leaf.province_id, period.code)) if c]
            if leaf.lead_id is not None and leaf.lead_id == leaf.province_id:
                targets = targets[:1]
            if start <= leaf.starts_on <= end:
                for target in targets:
                    target.assigned += 1
            for obligation in leaf.obligations:
                done_now = obligation.fulfilled_on is not None and start <= obligation.fulfilled_on <= as_of
                overdue = obligation.overdue_on(as_of)
                if not (done_now or overdue):
                    continue
                for target in targets:
                    if done_now:
                        target.done += 1
                        if obligation.on_time:
                            target.done_on_time += 1
                        else:
                            target.done_late += 1
                    if overdue:
                        target.overdue += 1
    return cards


def months_between(first: dt.date, last: dt.date) -> list[Period]:
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(Period.parse(f"{year}{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def scorecard_periods(*, period: str | None, today: dt.date) -> list[Period]:
    """The months to collect: those inside ``period`` (202311, 2023Q4, 2023), or every month from
    the first directive to the current one."""
    if period:
        chosen = Period.parse(period)
        return [p for p in months_between(chosen.start_date, chosen.end_date) if p.start_date <= today]
    first = Directive.objects.order_by("starts_on").values_list("starts_on", flat=True).first()
    return months_between(first, today) if first else []


@dataclass
class CollectResult:
    """``rows`` figures computed; ``unchanged`` of them already stored as they are; ``result`` is
    the import of the others (None when there were none)."""

    periods: list[Period]
    rows: int
    unchanged: int
    skipped_invalid_units: int
    result: ImportResult | None


def scorecards_collect(
    *, periods: list[Period], today: dt.date, user: Any = None, dry_run: bool = False
) -> CollectResult:
    """Write the scorecards of ``periods`` as data values through the audited import service.

    Idempotent: only figures that are new or changed go to the import; when none is, nothing is
    written at all (no import batch either), so a daily run leaves no trace on quiet days. A unit
    that had figures but no longer has directives (a directive moved to another agency) gets
    zeros, so no stale figure survives. Months in which a unit did not exist are skipped: the
    catalogue refuses figures for them.
    """
    scorecard_indicators_ensure()
    cards = scorecards_compute(periods=periods, today=today)
    codes = {p.code for p in periods}
    stale = DataValue.objects.filter(indicator__code__in=STORED, period__in=codes).values_list("org_unit_id", "period")
    for key in stale:
        cards.setdefault(key, Scorecard())
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={unit for unit, _p in cards})}
    stored = {
        (indicator, unit_id, period): value
        for indicator, unit_id, period, value in DataValue.objects.filter(
            indicator__code__in=STORED, period__in=codes, org_unit_id__in=units
        ).values_list("indicator__code", "org_unit_id", "period", "value")
    }
    by_code = {p.code: p for p in periods}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["indicator", "org_unit", "period", "value"])
    rows = unchanged = skipped = 0
    for (unit_id, code), scorecard in sorted(cards.items(), key=lambda kv: (units[kv[0][0]].code, kv[0][1])):
        unit, period = units[unit_id], by_code[code]
        if not unit.is_valid_between(period.start_date, period.end_date):
            skipped += 1
            continue
        for indicator, value in scorecard.values().items():
            rows += 1
            if stored.get((indicator, unit_id, code)) == value:
                unchanged += 1
                continue
            writer.writerow([indicator, unit.code, code, value])
    if rows == unchanged:
        return CollectResult(periods, rows, unchanged, skipped, None)
    first, last = periods[0].code, periods[-1].code
    name = f"nhiem-vu-{first}.csv" if first == last else f"nhiem-vu-{first}-{last}.csv"
    result = import_file(
        content=buffer.getvalue().encode("utf-8"),
        filename=name,
        user=user,
        dry_run=dry_run,
        channel=CHANNEL,
        file_format="csv",
    )
    return CollectResult(periods, rows, unchanged, skipped, result)


def scorecard_table(*, period: Period, today: dt.date) -> list[tuple[OrgUnit, Scorecard]]:
    """The scorecards of every month in ``period`` added up per unit (overdue: at its end), for a page."""
    months = [p for p in months_between(period.start_date, period.end_date) if p.start_date <= today]
    cards = scorecards_compute(periods=months, today=today)
    totals: dict[int, Scorecard] = {}
    last = months[-1].code if months else ""
    for (unit_id, code), card in cards.items():
        total = totals.setdefault(unit_id, Scorecard())
        total.assigned += card.assigned
        total.done += card.done
        total.done_on_time += card.done_on_time
        total.done_late += card.done_late
        if code == last:
            total.overdue = card.overdue
    units = OrgUnit.objects.filter(pk__in=totals).order_by("kind", "sort_order", "code")
    ordered = sorted(units, key=lambda u: (u.kind != "province", u.kind != "agency", u.sort_order, u.code))
    return [(unit, totals[unit.pk]) for unit in ordered]
