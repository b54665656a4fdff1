"""The indicator page's figures as files: CSV (one table) and XLSX (the table and the trend).

Numbers are written as numbers (a dot for decimals in CSV, numeric cells in XLSX), so that a
spreadsheet can compute with them, rounded exactly as the page shows them (analytics'
``writing``): a figure to the indicator's decimals, a change or a share to one decimal, a
rate's change in points to the rate's decimals. Headings are in the page's language.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dieuhanh.analytics.readmodel import writing
from dieuhanh.analytics.readmodel.book import Figure, rebased_note, unapproved_note
from dieuhanh.dashboard.selectors.indicator import IndicatorDetail, UnitRow
from dieuhanh.dashboard.templatetags.dh_figures import localized
from dieuhanh.spreadsheets import csv_row, xlsx_append

CSV_MARK = "\ufeff"  # a byte-order mark, so that Excel opens the file as UTF-8
# Columns (from 0) that hold figures in the indicator's unit; changes (per cent or points); the share of plan.
FIGURE_COLUMNS = (3, 4, 7, 8, 11)
CHANGE_COLUMNS = (5, 10)
SHARE_COLUMN = 9


def _headings() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Period"),
        _("Value"),
        _("Same period last year"),
        _("Change on the same period last year"),
        _("Change in"),
        _("Cumulative"),
        _("Annual plan"),
        _("Share of the annual plan reached"),
        _("Gap to plan"),
        _("Year-end estimate"),
        _("Status"),
        _("Rank"),
        _("Units reported"),
        _("Re-based"),
        _("Re-based from"),
        _("Note"),
    ]


# The numbers of a row that the table shows, of those that may be re-based.
EXPORTED_PARTS = ("value", "previous", "ytd", "projection")


def _rebased_cells(figure: Figure) -> list[object]:
    """Which of the row's numbers are re-based, from what, and why a number is missing."""
    parts = figure.rebased_parts_text(EXPORTED_PARTS)
    notes = [figure.missing_texts(EXPORTED_PARTS)]
    if figure.unapproved:
        # On the submitted basis: the row's numbers rest on figures awaiting approval.
        notes.append(_("includes unapproved figures"))
    return [parts, figure.composition_list if parts else "", "; ".join(n for n in notes if n)]


def rebased_note_row(detail: IndicatorDetail) -> list[str]:
    """The notes a file ends with where a row is re-based, or rests on figures awaiting approval
    (the page's own notes); empty otherwise."""
    figures = [detail.own.figure, *(row.figure for row in detail.children)]
    notes = [note for note in (rebased_note(figures), unapproved_note(figures)) if note]
    return [" ".join(notes)] if notes else []


def _row(row: UnitRow) -> list[object]:
    f = row.figure
    m, d = f.measures, f.decimals
    change = f.change
    return [
        row.unit.code,
        localized(row.unit),
        f.shown.label(),
        writing.rounded(m.value, d),
        writing.rounded(m.previous, d),
        writing.rounded(change.value, change.places),
        change.unit if change.known else "",
        writing.rounded(m.ytd, d),
        writing.rounded(m.plan, d),
        writing.rounded(m.plan_completion_pct, writing.PERCENT_DECIMALS) if f.plan_share_shown else None,
        writing.rounded(f.gap.value, f.gap.places),
        writing.rounded(m.projection, d),
        f.status_label,
        row.rank,
        f"{m.reported}/{m.expected}" if m.expected is not None else "",
        *_rebased_cells(f),
    ]


def _rows(detail: IndicatorDetail) -> list[list[object]]:
    return [_row(detail.own), *(_row(child) for child in detail.ranked)]


def _plain(value: object) -> object:
    """A number as a spreadsheet reads it: the page's rounding, a dot for decimals."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return "" if value is None else value


def indicator_csv(detail: IndicatorDetail) -> str:
    """The table of measures: the unit, then its children best first."""
    out = io.StringIO()
    out.write(CSV_MARK)
    writer = csv.writer(out)
    # Names and codes are the catalogue's: one that reads as a formula is made text (spreadsheets.py).
    writer.writerow(csv_row([localized(detail.indicator), localized(detail.indicator, "unit"), detail.report.label()]))
    writer.writerow(_headings())
    for row in _rows(detail):
        writer.writerow([_plain(v) for v in csv_row(row)])
    note = rebased_note_row(detail)
    if note:
        writer.writerow(csv_row(note))
    return out.getvalue()


def indicator_xlsx(detail: IndicatorDetail) -> bytes:
    """Two sheets: the table of measures, and the trend with the same period a year earlier."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = _("Measures")[:31]
    xlsx_append(sheet, [localized(detail.indicator), localized(detail.indicator, "unit"), detail.report.label()])
    sheet["A1"].font = Font(bold=True)
    sheet.append(_headings())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    decimals = detail.own.figure.decimals
    number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
    # A rate's changes are points, written to its own decimals; other changes are per cent, one decimal.
    change_format = ("0." + "0" * decimals if decimals else "0") if detail.own.figure.rate else "0.0"
    for row in _rows(detail):
        xlsx_append(sheet, [float(v) if isinstance(v, Decimal) else v for v in row])
        cells = sheet[sheet.max_row]
        for column in FIGURE_COLUMNS:
            cells[column].number_format = number_format
        for column in CHANGE_COLUMNS:
            cells[column].number_format = change_format
        cells[SHARE_COLUMN].number_format = "0.0"
    note = rebased_note_row(detail)
    if note:
        xlsx_append(sheet, note)
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 22

    trend = book.create_sheet(_("Trend")[:31])
    trend.append([_("Period"), _("Value"), _("Same period last year"), _("Plan line"), _("Re-based")])
    for cell in trend[1]:
        cell.font = Font(bold=True)
    for point in detail.trend:
        xlsx_append(
            trend,
            [
                point.period.label(),
                *(
                    float(v) if (v := writing.rounded(x, decimals)) is not None else None
                    for x in (point.value, point.previous, point.plan)
                ),
                writing.rebased_parts_text(
                    [p for p, on in (("value", point.rebased), ("previous", point.previous_rebased)) if on]
                ),
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
