"""The report's annex: the completeness of the figures, as analytics counts it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dieuhanh.analytics.readmodel.book import Figure
from dieuhanh.reports.content.cells import short_period
from dieuhanh.reports.document import Paragraph, Section, Table

if TYPE_CHECKING:
    from dieuhanh.reports.content.builder import ReportBuilder


def completeness_section(b: ReportBuilder) -> Section:
    """The annex: for each indicator, how many of the units expected to report it have (the
    figure's ``reported`` / ``expected``), and which units below miss which sub-periods."""
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
        children = [(child, b.figure(indicator, child)) for child in b.children]
        if not any(f.has_figures for _c, f in children):
            rows.append((indicator.name, b.text("completeness_own_only"), ""))
            continue
        m = own.measures
        counted = f"{m.reported}/{m.expected}" if m.expected is not None else "–"
        missing = "; ".join(
            text for child, figure in children if (text := _missing_of(b, child.name, figure, own)) is not None
        )
        rows.append((indicator.name, counted, missing))
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


def _missing_of(b: ReportBuilder, name: str, figure: Figure, own: Figure) -> str | None:
    """ "Huyện Bàu Bàng (T2, T3)" for a unit below missing some sub-periods, "(8/10)" for one whose
    own units have not all reported; None for a unit whose figure is whole."""
    periods = [p for p, ok in b.book.reported(figure.indicator, figure.org_unit_id, own.shown) if not ok]
    notes = [", ".join(short_period(p) for p in periods)] if periods else []
    m = figure.measures
    if figure.is_partial and m.expected is not None and m.expected > 1:
        notes.append(f"{m.reported}/{m.expected}")
    return f"{name} ({'; '.join(notes)})" if notes else None
