"""What a report says: its sections built from the analytics, in the operator's wording.

``report_build`` reads everything in a fixed number of queries (one analytics engine for the
unit and the units directly below it, the off-track list's, the rankings', the projects register's,
the directives'),
then writes sentences, tables and charts in memory. Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import translation

from dieuhanh.analytics.engine import Status
from dieuhanh.analytics.readmodel.book import PARTIAL, Figure, FigureBook, periods_needed, subperiods_needed
from dieuhanh.analytics.readmodel.lists import headline_indicator_ids, offtrack_list, overview_table
from dieuhanh.analytics.readmodel.periods import ReportPeriod, lower_first
from dieuhanh.analytics.readmodel.scope import child_units
from dieuhanh.analytics.readmodel.writing import PERCENT_DECIMALS, number_vi
from dieuhanh.analytics.selectors import RankRow, analytics_ranking
from dieuhanh.figures.selectors import demo_data_present
from dieuhanh.indicators.choices import Aggregation
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import PeriodType
from dieuhanh.indicators.selectors import indicator_list
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.reports import charts
from dieuhanh.reports.content.cells import RANKED_INDICATORS, ROMAN, Numbers, decree_day, decree_month, place_of
from dieuhanh.reports.content.completeness import completeness_section
from dieuhanh.reports.content.directives import directives_section
from dieuhanh.reports.content.investment import investment_section
from dieuhanh.reports.document import Chart, Header, Paragraph, Report, Section, Table
from dieuhanh.reports.phrasing import Wording
from dieuhanh.reports.selectors import directive_indicator_codes, estimated_indicator_ids
from dieuhanh.reports.sentences import indicator_sentence

# Beside a figure in a table: last year's figure it is compared with is re-based (*), or it is (**).
PREVIOUS_MARK = " (*)"
CURRENT_MARK = " (**)"


def current_mark(figure: Figure, part: str) -> str:
    """(**) beside a number of the period that is re-based from the unit's predecessors."""
    return CURRENT_MARK if figure.is_rebased(part) else ""


def report_build(*, org_unit: OrgUnit, report: ReportPeriod, wording: Wording, issued_on: dt.date) -> Report:
    """The whole report of ``org_unit`` for ``report``, dated ``issued_on``; in Vietnamese whatever
    the language of the request (a report is a document of the province, not a page)."""
    with translation.override("vi"):
        return ReportBuilder(org_unit=org_unit, report=report, wording=wording, issued_on=issued_on).build()


# Up to this many re-based indicators are named in the report's note; more are counted.
REBASED_NAMED = 8


class ReportBuilder:
    """Reads what the report needs once, then writes its parts; ``build`` puts them together."""

    def __init__(self, *, org_unit: OrgUnit, report: ReportPeriod, wording: Wording, issued_on: dt.date) -> None:
        self.unit = org_unit
        self.report = report
        self.wording = wording
        self.issued_on = issued_on
        self.numbers = Numbers()
        excluded = directive_indicator_codes()
        self.indicators = [i for i in indicator_list() if i.code not in excluded]
        self.children = child_units(unit=org_unit, start=report.start_date, end=report.end_date)
        periods = set(periods_needed(self.indicators, [report]))
        # The same periods a year earlier: the change of the cumulative figure needs their ytd.
        periods |= {p.shift_years(-1) for p in periods}
        self.book = FigureBook(
            indicators=self.indicators,
            units=[org_unit, *self.children],
            periods=sorted(periods),
            # The completeness annex asks each month (or quarter) behind the period.
            value_periods=subperiods_needed(self.indicators, report),
        )
        self.estimated = estimated_indicator_ids(indicators=self.indicators, org_unit=org_unit, report=report)
        self.context: dict[str, Any] = {
            "unit": lower_first(org_unit.name),
            "unit_name": org_unit.name,
            "place": place_of(org_unit),
            "period": lower_first(report.label()),
            # Years as text: a number would be printed with a thousands separator (2.023).
            "year": str(report.year),
            "day": decree_day(issued_on.day),
            "month": decree_month(issued_on.month),
            "issued_year": str(issued_on.year),
        }
        # The date line states the issuing date, not the period's year.
        self.header_context = {**self.context, "year": str(issued_on.year)}

    def text(self, key: str, **extra: Any) -> str:
        return self.wording.text(key, {**self.context, **extra})

    def status_label(self, figure: Figure) -> str:
        return figure.status_label or "–"

    def build(self) -> Report:
        sections = [self.economy(), self.plan()]
        if self.children:
            sections.append(self.units())
        investment = investment_section(self)
        if investment is not None:
            sections.append(investment)
        sections.append(directives_section(self))
        for number, section in zip(ROMAN, sections, strict=False):
            section.number = number
        closing = [Paragraph(self.text("closing"))]
        if demo_data_present():
            closing.append(Paragraph(self.text("sample_note"), style="note"))
        return Report(
            org_unit=self.unit.code,
            period=self.report.code,
            issued_on=self.issued_on,
            header=self.header(),
            intro=[Paragraph(self.text("intro")), *self.rebased_notes()],
            sections=sections,
            annexes=[completeness_section(self)],
            closing=closing,
        )

    # ---- re-based figures ----------------------------------------------------------------------

    def rebased_notes(self) -> list[Paragraph]:
        """What the report says where the unit's figures draw on months before it existed: "số liệu
        cùng kỳ quy đổi theo địa giới hành chính mới", from what, and for which indicators."""
        figures = [self.figure(i) for i in self.indicators]
        composition = next((f.composition_list for f in figures if f.rebased), "")

        def note(key: str, names: list[str]) -> Paragraph:
            # A few are named; many (a whole province merged: nearly every indicator) are counted,
            # and the tables mark each of them.
            listed = ", ".join(names) if len(names) <= REBASED_NAMED else ""
            return Paragraph(self.text(key, composition=composition, indicators=listed, count=len(names)), style="note")

        notes = []
        previous = [f.indicator.name for f in figures if f.previous_rebased]
        if previous:
            notes.append(note("rebased_note", previous))
        current = [f.indicator.name for f in figures if f.is_rebased("value") or f.is_rebased("ytd")]
        if current:
            notes.append(note("rebased_current_note", current))
        return notes

    def table_note(self, *notes: str, previous: bool = False, current: bool = False) -> str:
        """A table's note: its own, and what its (*) and (**) marks mean where it has them."""
        if previous or current:
            notes = (*notes, self.text("rebased_table_note", previous=previous, current=current))
        return " ".join(n for n in notes if n)

    def header(self) -> Header:
        def text(key: str) -> str:
            return self.wording.text(key, self.header_context)

        return Header(
            issuer_parent=text("issuer_parent"),
            issuer=text("issuer"),
            number=text("number"),
            motto=text("motto"),
            motto_sub=text("motto_sub"),
            place_date=text("place_date"),
            kind=text("kind"),
            title=text("title"),
            recipients_label=text("recipients_label"),
            recipients=self.wording.items("recipients", self.header_context),
            signature=self.wording.items("signature", self.header_context),
            signer=text("signer"),
        )

    # ---- I. by sector ------------------------------------------------------------------------

    def figure(self, indicator: Indicator, unit: OrgUnit | None = None) -> Figure:
        return self.book.figure(indicator, (unit or self.unit).pk, self.report)

    def sentence_of(self, figure: Figure) -> Paragraph | None:
        indicator = figure.indicator
        previous_ytd = self.book.measures(indicator, self.unit.pk, figure.shown.period.shift_years(-1)).ytd
        sentence = indicator_sentence(
            wording=self.wording,
            figure=figure,
            org_unit=self.unit.code,
            previous_ytd=previous_ytd,
            estimated=indicator.pk in self.estimated,
        )
        return None if sentence is None else Paragraph(sentence.text, sentence=sentence)

    def economy(self) -> Section:
        section = Section(number="", title=self.text("section_economy"))
        groups = overview_table(indicators=self.indicators, org_unit=self.unit, report=self.report, book=self.book)
        for group in groups:
            paragraphs = [p for p in (self.sentence_of(f) for f in group.rows) if p is not None]
            if not paragraphs:
                continue
            title = group.sector.name if group.sector is not None else self.text("sector_other")
            section.subsections.append(
                Section(number=str(len(section.subsections) + 1), title=title, blocks=[*paragraphs])
            )
        return section

    # ---- II. plan indicators and the off-track list --------------------------------------------

    def plan(self) -> Section:
        section = Section(number="", title=self.text("section_plan"))
        headline = headline_indicator_ids(unit=self.unit)
        figures = [self.figure(i) for i in self.indicators if i.pk in headline]
        planned = [f for f in figures if f.measures.plan is not None]
        if not planned:
            section.blocks.append(Paragraph(self.text("plan_none")))
        else:
            statuses = Counter(f.status for f in planned)
            section.blocks.append(
                Paragraph(
                    self.text(
                        "plan_summary",
                        planned=len(planned),
                        final=self.report.last_month == 12,
                        on_track=statuses[Status.ON_TRACK.value],
                        at_risk=statuses[Status.AT_RISK.value],
                        off_track=statuses[Status.OFF_TRACK.value],
                        partial=statuses[PARTIAL],
                        no_data=statuses[""],
                    )
                )
            )
            section.blocks.append(self.plan_table(planned))
            chart = self.plan_chart(planned)
            if chart is not None:
                section.blocks.append(chart)
        section.subsections.append(self.offtrack())
        return section

    def value_cell(self, figure: Figure) -> str:
        text = number_vi(figure.measures.value, figure.decimals)
        if figure.shown.substitute:
            text += f" ({lower_first(figure.shown.label())})"
        if figure.reported_text:
            text += f" ({figure.reported_text})"
        return text + current_mark(figure, "value")

    def change_cell(self, figure: Figure) -> str:
        """The change on last year as every surface writes it (points for a rate), without its unit:
        the column's heading and note say it; (*) where last year's figure is re-based."""
        return figure.change.signed + (PREVIOUS_MARK if figure.change.known and figure.is_rebased("previous") else "")

    def plan_table(self, figures: Sequence[Figure]) -> Table:
        rows = []
        for n, f in enumerate(figures, start=1):
            m, d = f.measures, f.indicator.decimals
            rows.append(
                (
                    str(n),
                    f.indicator.name,
                    f.indicator.unit,
                    self.value_cell(f),
                    self.change_cell(f),
                    number_vi(m.plan, d),
                    number_vi(m.plan_completion_pct, PERCENT_DECIMALS) if f.plan_share_shown else "–",
                    self.status_label(f),
                )
            )
        has_rates = any(f.rate for f in figures)
        return Table(
            caption=self.text("plan_table", number=self.numbers.table()),
            header=tuple(
                self.text(k)
                for k in (
                    "col_number",
                    "col_indicator",
                    "col_unit",
                    "col_value",
                    "col_change",
                    "col_plan",
                    "col_plan_pct",
                    "col_status",
                )
            ),
            rows=tuple(rows),
            numeric=(False, False, False, True, True, True, True, False),
            widths=(0.8, 4.2, 1.3, 1.8, 1.2, 1.6, 1.2, 1.6),
            note=self.table_note(
                self.text("change_points_note") if has_rates else "",
                previous=any(PREVIOUS_MARK in row[4] for row in rows),
                current=any(CURRENT_MARK in row[3] for row in rows),
            ),
        )

    def plan_chart(self, planned: Sequence[Figure]) -> Chart | None:
        shown = [f for f in planned if f.indicator.aggregation == Aggregation.SUM and f.plan_share_shown]
        if not shown:
            return None
        png = charts.bar_chart(
            labels=[f.indicator.short_name or f.indicator.name for f in shown],
            values=[f.measures.plan_completion_pct or Decimal(0) for f in shown],
            value_texts=[number_vi(f.measures.plan_completion_pct, PERCENT_DECIMALS) + "%" for f in shown],
            colors=[charts.status_color(f.status) for f in shown],
            reference=Decimal(100),
        )
        caption = self.text("plan_chart", number=self.numbers.chart())
        return Chart(caption=caption, png=png, alt=caption)

    def offtrack(self) -> Section:
        section = Section(number=str(1), title=self.text("offtrack_heading"))
        rows = offtrack_list(indicators=self.indicators, root=self.unit, report=self.report)
        if not rows:
            section.blocks.append(Paragraph(self.text("offtrack_none")))
            return section
        section.blocks.append(Paragraph(self.text("offtrack_summary", count=len(rows))))
        table_rows = []
        for n, row in enumerate(rows, start=1):
            f, d = row.figure, row.figure.decimals
            table_rows.append(
                (
                    str(n),
                    f.indicator.name,
                    row.unit.name,
                    number_vi(f.measures.projection, d) + current_mark(f, "projection"),
                    number_vi(f.measures.plan, d),
                    f.gap.signed,
                    self.status_label(f),
                )
            )
        section.blocks.append(
            Table(
                caption=self.text("offtrack_table", number=self.numbers.table()),
                header=tuple(
                    self.text(k)
                    for k in (
                        "col_number",
                        "col_indicator",
                        "col_org_unit",
                        "col_projection",
                        "col_plan",
                        "col_gap",
                        "col_status",
                    )
                ),
                rows=tuple(table_rows),
                numeric=(False, False, False, True, True, True, False),
                widths=(0.8, 4.0, 2.4, 1.6, 1.6, 1.4, 1.6),
                note=self.table_note(
                    self.text("gap_points_note") if any(r.figure.rate for r in rows) else "",
                    current=any(CURRENT_MARK in row[3] for row in table_rows),
                ),
            )
        )
        return section

    # ---- III. the units below, ranked --------------------------------------------------------

    def units(self) -> Section:
        section = Section(number="", title=self.text("section_units"))
        ranked = self.ranked_indicators()
        if not ranked:
            section.blocks.append(Paragraph(self.text("units_none")))
            return section
        section.blocks.append(Paragraph(self.text("units_intro")))
        for position, indicator in enumerate(ranked):
            shown = self.report.shown_for(PeriodType(indicator.period_type))
            ranking = analytics_ranking(
                indicator=indicator,
                org_unit=self.unit,
                period=shown.period,
                measure="ytd" if shown.cumulative else "value",
            )
            names = {
                "indicator": indicator.name,
                "period": lower_first(shown.label()),
                "measure_unit": indicator.unit,
            }
            section.blocks.append(self.units_table(indicator, ranking, names))
            if position == 0:
                # The first indicator's ranking is also drawn.
                section.blocks.append(self.units_chart(indicator, ranking, names))
        return section

    def ranked_indicators(self) -> list[Indicator]:
        """The first RANKED_INDICATORS headline indicators some unit below has a figure of."""
        headline = headline_indicator_ids(unit=self.unit)
        ranked: list[Indicator] = []
        for indicator in self.indicators:
            if indicator.pk not in headline:
                continue
            if any(self.figure(indicator, child).measures.value is not None for child in self.children):
                ranked.append(indicator)
            if len(ranked) == RANKED_INDICATORS:
                break
        return ranked

    def units_table(self, indicator: Indicator, ranking: Sequence[RankRow], names: dict[str, str]) -> Table:
        """The units below ranked by ``indicator``, each with its figure's change."""
        by_code = {c.code: c for c in self.children}
        d = indicator.decimals
        rows = []
        for row in ranking:
            child = by_code.get(row.org_unit)
            figure = self.figure(indicator, child) if child is not None else None
            rows.append(
                (
                    str(row.rank) if row.rank is not None else "–",
                    row.name,
                    number_vi(row.value, d) + (CURRENT_MARK if row.rebased else ""),
                    self.change_cell(figure) if figure is not None else "–",
                )
            )
        return Table(
            caption=self.text("units_table", number=self.numbers.table(), **names),
            header=tuple(self.text(k) for k in ("col_rank", "col_org_unit", "col_value", "col_change")),
            rows=tuple(rows),
            numeric=(True, False, True, True),
            widths=(0.8, 4.5, 2.2, 1.8),
            note=self.table_note(
                previous=any(PREVIOUS_MARK in r[3] for r in rows), current=any(CURRENT_MARK in r[2] for r in rows)
            ),
        )

    def units_chart(self, indicator: Indicator, ranking: Sequence[RankRow], names: dict[str, str]) -> Chart:
        """A bar of each unit below with a figure of ``indicator``, in the ranking's order."""
        d = indicator.decimals
        with_values = [r for r in ranking if r.value is not None]
        png = charts.bar_chart(
            labels=[r.name for r in with_values],
            values=[r.value or Decimal(0) for r in with_values],
            value_texts=[number_vi(r.value, d) for r in with_values],
            colors=[charts.NEUTRAL] * len(with_values),
            reference=None,
        )
        caption = self.text("units_chart", number=self.numbers.chart(), **names)
        return Chart(caption=caption, png=png, alt=caption)
