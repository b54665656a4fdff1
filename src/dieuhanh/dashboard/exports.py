"""The indicator page's figures as files: CSV (one table) and XLSX (the table and the trend).

Numbers are written as numbers (a dot for decimals in CSV, numeric cells in XLSX), so that
a spreadsheet can compute with them; headings are in the page's language.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dieuhanh.dashboard.selectors.indicator import IndicatorDetail, UnitRow
from dieuhanh.dashboard.templatetags.dh_figures import localized, status_label

CSV_MARK = "\ufeff"  # a byte-order mark, so that Excel opens the file as UTF-8


def _headings() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Period"),
        _("Value"),
        _("Same period last year"),
        _("Change on the same period last year"),
        _("Cumulative"),
        _("Annual plan"),
        _("Share of the annual plan reached"),
        _("Year-end estimate"),
        _("Status"),
        _("Rank"),
        _("Periods reported"),
    ]


def _row(row: UnitRow) -> list[object]:
    m = row.figure.measures
    return [
        row.unit.code,
        localized(row.unit),
        row.figure.shown.label(),
        m.value,
        m.previous,
        m.yoy_pct,
        m.ytd,
        m.plan,
        m.plan_completion_pct,
        m.projection,
        status_label(m.status),
        row.rank,
        f"{row.reported_count}/{len(row.reported)}",
    ]


def _rows(detail: IndicatorDetail) -> list[list[object]]:
    return [_row(detail.own), *(_row(child) for child in detail.ranked)]


def _plain(value: object, places: int = 6) -> object:
    """A number as a spreadsheet reads it: rounded like the API, without trailing zeros."""
    if isinstance(value, Decimal):
        rounded = round(value, places).normalize()
        return format(rounded, "f")
    return "" if value is None else value


def indicator_csv(detail: IndicatorDetail) -> str:
    """The table of measures: the unit, then its children best first."""
    out = io.StringIO()
    out.write(CSV_MARK)
    writer = csv.writer(out)
    writer.writerow([localized(detail.indicator), localized(detail.indicator, "unit"), detail.report.label()])
    writer.writerow(_headings())
    for row in _rows(detail):
        writer.writerow([_plain(v) for v in row])
    return out.getvalue()


def indicator_xlsx(detail: IndicatorDetail) -> bytes:
    """Two sheets: the table of measures, and the trend with the same period a year earlier."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook always has one sheet
    sheet.title = _("Measures")[:31]
    sheet.append([localized(detail.indicator), localized(detail.indicator, "unit"), detail.report.label()])
    sheet["A1"].font = Font(bold=True)
    sheet.append(_headings())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    number_format = "#,##0" + ("." + "0" * detail.indicator.decimals if detail.indicator.decimals else "")
    for row in _rows(detail):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for cell in sheet[sheet.max_row][3:10]:
            cell.number_format = "0.0" if cell.column in (6, 9) else number_format
    sheet.column_dimensions["B"].width = 32
    sheet.column_dimensions["C"].width = 22

    trend = book.create_sheet(_("Trend")[:31])
    trend.append([_("Period"), _("Value"), _("Same period last year"), _("Plan line")])
    for cell in trend[1]:
        cell.font = Font(bold=True)
    for point in detail.trend:
        trend.append(
            [
                point.period.code,
                *(float(v) if v is not None else None for v in (point.value, point.previous, point.plan)),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
