"""The Excel template reporters fill in, and reading it (or a plain sheet) back.

A template is made for one unit and one year: a sheet per period type (months,
quarters, year), one row per indicator, one column per period, prefilled with
what is already stored. A hidden sheet names the unit and year, and a hidden row
names each column's period, so the layout can be read back exactly even if the
visible labels are translated or edited.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dieuhanh.figures.models import DataValue
from dieuhanh.indicators.models import Indicator
from dieuhanh.indicators.periods import Period, PeriodType
from dieuhanh.ingest.parsers import OUR_COLUMNS, OUR_REQUIRED, Issue, ParseError, RawRow, Refusals
from dieuhanh.ingest.validation import EXCEL_DIGITS
from dieuhanh.limits import grouped
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.spreadsheets import xlsx_cell

META_SHEET = "_dieuhanh"
META_MARK = "dieuhanh-template"
CODES_MARK = "#codes"
TEMPLATE_VERSION = 1
FIRST_DATA_ROW = 5
FIRST_PERIOD_COLUMN = 4

_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_THIN = Side(style="thin", color="B7B7B7")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _period_header(period: Period) -> str:
    if period.type == PeriodType.MONTHLY:
        return _("Month %(month)d") % {"month": period.index}
    if period.type == PeriodType.QUARTERLY:
        return _("Quarter %(roman)s") % {"roman": ("I", "II", "III", "IV")[period.index - 1]}
    return _("Whole year")


def _sheet_title(period_type: PeriodType) -> str:
    return {
        PeriodType.MONTHLY: _("Monthly"),
        PeriodType.QUARTERLY: _("Quarterly"),
        PeriodType.YEARLY: _("Yearly"),
    }[period_type]


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def xlsx_template_build(*, org_unit: OrgUnit, year: int, indicators: Sequence[Indicator]) -> bytes:
    """An XLSX for ``org_unit`` and ``year`` with one input row per (stored) indicator."""
    stored = [i for i in indicators if not i.is_ratio]
    existing: dict[tuple[int, str], Decimal] = {
        (indicator_id, period): value
        for indicator_id, period, value in DataValue.objects.filter(
            org_unit=org_unit,
            indicator__in=stored,
            period_start__year=year,
        ).values_list("indicator_id", "period", "value")
    }
    workbook = Workbook()
    if workbook.active is not None:
        workbook.remove(workbook.active)
    for period_type in (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY):
        rows = [i for i in stored if i.period_type == period_type]
        if rows:
            _fill_sheet(
                workbook.create_sheet(_sheet_title(period_type)),
                org_unit=org_unit,
                year=year,
                period_type=period_type,
                indicators=rows,
                existing=existing,
            )
    if not workbook.sheetnames:
        sheet = workbook.create_sheet(_("Data"))
        sheet["A1"] = _("No indicator to enter.")
    meta = workbook.create_sheet(META_SHEET)
    meta["A1"], meta["B1"] = META_MARK, TEMPLATE_VERSION
    meta["A2"] = "org_unit"
    xlsx_cell(meta["B2"], org_unit.code)
    meta["A3"], meta["B3"] = "year", year
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_sheet(
    sheet: Worksheet,
    *,
    org_unit: OrgUnit,
    year: int,
    period_type: PeriodType,
    indicators: Sequence[Indicator],
    existing: dict[tuple[int, str], Decimal],
) -> None:
    periods = Period(year, PeriodType.YEARLY, 1).sub_periods(period_type)
    last_column = FIRST_PERIOD_COLUMN + len(periods) - 1
    # The catalogue's texts (names, codes, units) go in through xlsx_cell: one that reads as a
    # formula stays text, and reads back as written.
    xlsx_cell(sheet["A1"], _("DATA ENTRY FORM, YEAR %(year)d — %(unit)s") % {"year": year, "unit": org_unit.name})
    sheet["A1"].font = Font(bold=True, size=13)
    xlsx_cell(
        sheet["A2"],
        _(
            "Unit code %(code)s. Type figures into the yellow cells and upload the file back. "
            "Do not change the indicator codes in column A."
        )
        % {"code": org_unit.code},
    )
    sheet["A2"].font = Font(italic=True, color="444444")
    headers = [_("Indicator code"), _("Indicator"), _("Unit of measure")] + [_period_header(p) for p in periods]
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=3, column=column, value=text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
    sheet.cell(row=4, column=1, value=CODES_MARK)
    for offset, period in enumerate(periods):
        sheet.cell(row=4, column=FIRST_PERIOD_COLUMN + offset, value=period.code)
    sheet.row_dimensions[4].hidden = True

    for row, indicator in enumerate(indicators, start=FIRST_DATA_ROW):
        xlsx_cell(sheet.cell(row=row, column=1), indicator.code).border = _BORDER
        name = xlsx_cell(sheet.cell(row=row, column=2), indicator.name)
        name.border = _BORDER
        name.alignment = Alignment(wrap_text=True, vertical="top")
        xlsx_cell(sheet.cell(row=row, column=3), indicator.unit).border = _BORDER
        validation = DataValidation(
            type="decimal",
            operator="between",
            formula1=str(indicator.min_value if indicator.min_value is not None else Decimal("-1e15")),
            formula2=str(indicator.max_value if indicator.max_value is not None else Decimal("1e15")),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("Not a valid figure"),
            error=_("Enter a number within the indicator's allowed range."),
        )
        sheet.add_data_validation(validation)
        for offset, period in enumerate(periods):
            cell = sheet.cell(row=row, column=FIRST_PERIOD_COLUMN + offset)
            stored = existing.get((indicator.pk, period.code))
            if stored is not None:
                cell.value = _cell_value(stored)
            cell.number_format = _number_format(indicator.decimals)
            cell.fill = _INPUT_FILL
            cell.border = _BORDER
            cell.protection = Protection(locked=False)
        validation.add(f"{get_column_letter(FIRST_PERIOD_COLUMN)}{row}:{get_column_letter(last_column)}{row}")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 14
    for column in range(FIRST_PERIOD_COLUMN, last_column + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    sheet.freeze_panes = sheet.cell(row=FIRST_DATA_ROW, column=FIRST_PERIOD_COLUMN)
    # Protection guards the codes against slips, not against a determined user: no password.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _cell_value(stored: Decimal) -> int | float | str:
    """A stored figure as a cell that reads back as the same figure.

    A spreadsheet number keeps 15 significant digits: a figure with more is written as text,
    grouped the Vietnamese way ("12.345.678.901.234,567891"), which reads back unambiguously.
    """
    normal = stored.normalize()
    if len(normal.as_tuple().digits) <= EXCEL_DIGITS:
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    sign, text = ("-", format(-normal, "f")) if normal < 0 else ("", format(normal, "f"))
    whole, _mark, fraction = text.partition(".")
    groups = [whole[max(0, end - 3) : end] for end in range(len(whole), 0, -3)][::-1]
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


# What a member of an XLSX may unpack to, times what it takes packed: Excel's and openpyxl's parts
# pack 5 to 20 times; deflate cannot pack more than about 1,000 times, which only a file made to
# swell (a zip bomb) comes near. Parts under a megabyte unpacked are never refused for it.
MAX_PACKING_RATIO = 200
RATIO_FLOOR = 2**20
# The shared strings (every text of a workbook, once) are held in memory whole while a workbook is
# read, at about four times their size: they get this share of the uncompressed limit.
SHARED_STRINGS_SHARE = 8


def _megabytes(size: int) -> str:
    return grouped(max(1, round(size / 2**20)))


def unpacked_size_check(content: bytes) -> None:
    """Refuse an XLSX, before it is opened, whose parts unpack to more than
    ``DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES`` (or its shared strings to more than a share of it),
    or one of whose parts is packed more tightly than a spreadsheet ever is.

    The sizes are the archive's own: Python's zipfile never unpacks more of a part than its
    directory says, so a part that claims less than it holds cannot get round the limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return  # not a readable zip: openpyxl says so in its own words
    limit = int(settings.DIEUHANH_IMPORT_MAX_UNCOMPRESSED_BYTES)
    total = sum(m.file_size for m in members)
    if total > limit:
        raise ParseError(
            [
                Issue(
                    _(
                        "The Excel file unpacks to %(size)s MB, more than the %(max)s MB an import may "
                        "hold. Split it into smaller files (fewer rows or sheets in each), or save it as CSV."
                    )
                    % {"size": _megabytes(total), "max": _megabytes(limit)}
                )
            ]
        )
    for member in members:
        name = member.filename.rsplit("/", 1)[-1].lower()
        if name == "sharedstrings.xml" and member.file_size > limit // SHARED_STRINGS_SHARE:
            raise ParseError(
                [
                    Issue(
                        _(
                            "The Excel file holds %(size)s MB of text (its shared strings), more than the "
                            "%(max)s MB an import may hold. Remove the long texts or the sheets that are "
                            "not figures, or save the figures as CSV."
                        )
                        % {"size": _megabytes(member.file_size), "max": _megabytes(limit // SHARED_STRINGS_SHARE)}
                    )
                ]
            )
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_PACKING_RATIO * max(1, member.compress_size):
            raise ParseError(
                [
                    Issue(
                        _(
                            "The Excel file's part %(part)s unpacks to %(size)s MB from %(packed)s KB: no "
                            "spreadsheet is packed that tightly, so the file is refused unopened. Open it "
                            "in Excel, keep only the figures and save it again as .xlsx."
                        )
                        % {
                            "part": member.filename[:80],
                            "size": _megabytes(member.file_size),
                            "packed": grouped(max(1, round(member.compress_size / 1024))),
                        }
                    )
                ]
            )


def parse_xlsx(content: bytes) -> list[RawRow]:
    unpacked_size_check(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ParseError(
            [Issue(_("The Excel file cannot be opened (%(error)s). Save it again as .xlsx.") % {"error": exc})]
        ) from exc
    try:
        if META_SHEET in workbook.sheetnames:
            return _parse_template(workbook)
        return _parse_flat(workbook)
    finally:
        workbook.close()


def _parse_template(workbook: Any) -> list[RawRow]:
    meta = {row[0]: row[1] for row in workbook[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True) if row[0]}
    if meta.get(META_MARK) is None or not meta.get("org_unit") or not meta.get("year"):
        raise ParseError(
            [Issue(_("The hidden sheet of the template is damaged; download a new template."), sheet=META_SHEET)]
        )
    unit_code = str(meta["org_unit"]).strip()
    rows: list[RawRow] = []
    for sheet in workbook.worksheets:
        if sheet.title == META_SHEET:
            continue
        period_by_column: dict[int, str] = {}
        in_data = False
        for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not row:
                continue
            if not in_data:
                if row[0] == CODES_MARK:
                    period_by_column = {i: str(v).strip() for i, v in enumerate(row) if i > 0 and v not in (None, "")}
                    in_data = True
                continue
            code = row[0]
            if code in (None, ""):
                if any(row[i] not in (None, "") for i in period_by_column if i < len(row)):
                    rows.append(
                        RawRow(
                            line=row_number,
                            sheet=sheet.title,
                            indicator="",
                            org_unit=unit_code,
                            period="",
                            value=None,
                            columns={"indicator": "A"},
                        )
                    )
                continue
            for index, period in period_by_column.items():
                value = row[index] if index < len(row) else None
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                letter = get_column_letter(index + 1)
                rows.append(
                    RawRow(
                        line=row_number,
                        sheet=sheet.title,
                        indicator=str(code).strip(),
                        org_unit=unit_code,
                        period=period,
                        value=value,
                        columns={"indicator": "A", "org_unit": f"{META_SHEET}!B2", "period": letter, "value": letter},
                    )
                )
        if not in_data and sheet.max_row and sheet.max_row > 1:
            raise ParseError(
                [
                    Issue(
                        _("Sheet '%(sheet)s' has lost its hidden row of period codes; download a new template.")
                        % {"sheet": sheet.title},
                        sheet=sheet.title,
                    )
                ]
            )
    return rows


def _parse_flat(workbook: Any) -> list[RawRow]:
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    header = next(iterator, None)
    names = [str(h).strip().lower() if h is not None else "" for h in (header or ())]
    while names and names[-1] == "":
        names.pop()
    missing = [c for c in OUR_REQUIRED if c not in names]
    if missing:
        raise ParseError(
            [
                Issue(
                    _(
                        "This Excel file is neither a dieuhanh template nor a sheet whose first row is "
                        "indicator, org_unit, period, value[, comment]. Download the template and fill it in."
                    ),
                    line=1,
                    sheet=sheet.title,
                )
            ]
        )
    unknown = [n for n in names if n not in OUR_COLUMNS]
    if unknown:
        raise ParseError(
            [
                Issue(
                    _("Unknown column '%(column)s'; allowed are indicator, org_unit, period, value, comment.")
                    % {"column": unknown[0]},
                    line=1,
                    sheet=sheet.title,
                )
            ]
        )
    position = {name: i for i, name in enumerate(names)}
    columns = {name: get_column_letter(i + 1) for name, i in position.items()}
    rows: list[RawRow] = []
    refusals = Refusals()
    for row_number, row in enumerate(iterator, start=2):
        if not row or all(v in (None, "") for v in row):
            continue
        beyond = [i for i in range(len(names), len(row)) if row[i] not in (None, "")]
        if beyond:
            # A figure typed beside the table would be lost without a word.
            refusals.add(
                Issue(
                    _(
                        "A value in a column without a header would be lost; move it into the column it "
                        "belongs to, or delete it."
                    ),
                    line=row_number,
                    column=get_column_letter(beyond[0] + 1),
                    value=str(row[beyond[0]])[:80],
                    sheet=sheet.title,
                )
            )
            continue

        def cell(name: str, row: tuple[Any, ...] = row) -> Any:
            i = position.get(name)
            return row[i] if i is not None and i < len(row) else None

        def text(name: str) -> str:
            value = cell(name)
            if value is None:
                return ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            return str(value).strip()

        rows.append(
            RawRow(
                line=row_number,
                sheet=sheet.title,
                indicator=text("indicator"),
                org_unit=text("org_unit"),
                period=text("period"),
                value=cell("value") if cell("value") is not None else "",
                comment=text("comment"),
                columns=columns,
            )
        )
    refusals.raise_if_any()
    return rows
