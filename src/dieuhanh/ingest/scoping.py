"""Whether a file's figures are all the importer's to write: every row's unit in their scope.

A file with any figure outside it is refused whole (nothing is written), naming each unit, or
unit and indicator, that is not theirs with the lines where it appears. The same rule for the
portable path (the checked rows, in Python) and PostgreSQL's (the staged rows, grouped in SQL).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from dieuhanh.accounts.selectors import Scope
from dieuhanh.indicators.models import Indicator
from dieuhanh.ingest.parsers import Issue
from dieuhanh.ingest.validation import CheckedRow
from dieuhanh.orgunits.models import OrgUnit

# Lines named for one refused unit; the count says how many there are in all.
LINES_SHOWN = 5


@dataclass(frozen=True)
class Written:
    """The rows of one unit and indicator in a file: where they first appear and how many."""

    org_unit_id: int
    indicator_id: int
    lines: tuple[int, ...]
    count: int


def written_by_rows(rows: Sequence[CheckedRow]) -> list[Written]:
    """The checked rows grouped by unit and indicator (the portable path)."""
    lines: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        lines.setdefault((row.org_unit_id, row.indicator_id), []).append(row.line)
    return [
        Written(org_unit_id=unit, indicator_id=indicator, lines=tuple(found[:LINES_SHOWN]), count=len(found))
        for (unit, indicator), found in lines.items()
    ]


def out_of_scope(scope: Scope, written: Iterable[Written]) -> list[Issue]:
    """One issue per unit (or unit and indicator) of ``written`` that ``scope`` may not write."""
    written = list(written)
    refused_units = scope.unwritable_unit_ids({w.org_unit_id for w in written})
    candidates = [w for w in written if w.org_unit_id in refused_units]
    if not candidates:
        return []
    indicators = Indicator.objects.in_bulk({w.indicator_id for w in candidates})
    # An agency's reporter writes the indicators the agency answers for, for every unit.
    by_agency = set(
        scope.agency_indicators(Indicator.objects.filter(pk__in=list(indicators))).values_list("pk", flat=True)
    )
    refused = [w for w in candidates if w.indicator_id not in by_agency]
    units = OrgUnit.objects.in_bulk({w.org_unit_id for w in refused})
    by_unit: dict[int, list[Written]] = {}
    for w in refused:
        by_unit.setdefault(w.org_unit_id, []).append(w)
    issues = []
    for unit_id, rows in sorted(by_unit.items(), key=lambda item: min(min(w.lines) for w in item[1])):
        unit = units[unit_id]
        lines = sorted(line for w in rows for line in w.lines)[:LINES_SHOWN]
        count = sum(w.count for w in rows)
        shown = ", ".join(str(line) for line in lines) + (" …" if count > len(lines) else "")
        names = sorted({indicators[w.indicator_id].code for w in rows})
        issues.append(
            Issue(
                _(
                    "You may not write figures of %(unit)s (rows %(lines)s; %(count)s figures; indicators: "
                    "%(indicators)s): it is outside the units your account reports for. Remove these rows, "
                    "or ask an operator to give your account this unit."
                )
                % {"unit": unit.label(), "lines": shown, "count": count, "indicators": ", ".join(names)},
                line=lines[0],
                column="org_unit",
                value=unit.code,
            )
        )
    return issues
