"""The report's annex: the completeness of the figures of the units below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.dashboard.selectors import UnitRow
from dieuhanh.reports.content.cells import short_period
from dieuhanh.reports.document import Paragraph, Section, Table

if TYPE_CHECKING:
    from dieuhanh.reports.content.builder import ReportBuilder


def completeness_section(b: ReportBuilder) -> Section:
    """The annex: which units below have figures for every sub-period of the report, and which miss which."""
    section = Section(number="", title=b.text("annex_completeness"))
    if not b.children:
        section.blocks.append(Paragraph(b.text("completeness_none")))
        return section
    section.blocks.append(Paragraph(b.text("completeness_intro")))
    rows = []
    for indicator in b.indicators:
        own = b.figure(indicator)
        if not own.has_figures:
            continue
        unit_rows = [
            UnitRow(
                unit=child,
                figure=b.figure(indicator, child),
                rank=None,
                reported=b.book.reported(indicator, child.pk, own.shown),
            )
            for child in b.children
        ]
        if not any(r.figure.has_figures or r.reported_count for r in unit_rows):
            rows.append((indicator.name, b.text("completeness_own_only"), ""))
            continue
        complete = sum(1 for r in unit_rows if r.completeness == "complete")
        missing = "; ".join(
            f"{r.unit.name} ({', '.join(short_period(p) for p in r.missing)})"
            for r in unit_rows
            if r.completeness != "complete"
        )
        rows.append((indicator.name, f"{complete}/{len(unit_rows)}", missing))
    section.blocks.append(
        Table(
            caption=b.text("completeness_table", number=b.numbers.table()),
            header=(
                b.text("col_number"),
                b.text("col_indicator"),
                b.text("col_complete"),
                b.text("col_missing"),
            ),
            rows=tuple((str(n), *row) for n, row in enumerate(rows, start=1)),
            numeric=(False, False, True, False),
            widths=(0.8, 5.0, 1.6, 6.0),
        )
    )
    return section
